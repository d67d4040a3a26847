import { findDemoUsers, isEmpty, seedDemoData } from '../seed/demo-data';
import { printDemoTokens } from '../seed/print-demo-tokens';
import { CliError } from './errors';
import { note } from './output';
import type { CliSession } from './session';

/**
 * `npm run seed:demo`: the explicit way to get demo data into PostgreSQL (where `npm start` never
 * seeds on its own). Only an empty database is seeded, so running it twice is harmless.
 */
export async function seedDemoCommand({ config, em }: CliSession): Promise<void> {
  if (config.env === 'production') {
    throw new CliError('NODE_ENV=production: demo users are never created in production');
  }
  const url = `http://localhost:${config.port}/graphql`;
  if (await isEmpty(em)) {
    const users = await seedDemoData(em);
    note(`seeded the demo agencies and ${users.length} demo users (one per role)`);
    await printDemoTokens(config, url, users);
    return;
  }
  const users = await findDemoUsers(em);
  note('the database already has agencies: nothing seeded (demo data only goes into an empty one)');
  if (users.length > 0) await printDemoTokens(config, url, users);
}
