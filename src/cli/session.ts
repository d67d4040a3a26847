import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadConfig, type ReadyConfig } from '../config';
import { migrateToLatest, openDatabase } from '../database';
import { withDevSecrets } from '../dev-secrets';
import { createLogger } from '../logger';
import { CliError } from './errors';

export interface CliSession {
  config: ReadyConfig;
  em: EntityManager;
  /** True when JWT_SECRET was not set and the one kept in the data folder is used. */
  devJwtSecret: boolean;
  /** Where the dev secrets live, for the note printed next to a token. */
  secretsPath: string;
}

/** How long to wait for a hub answering on the configured port before assuming there is none. */
const HUB_PROBE_MS = 500;

/**
 * Loads the configuration exactly as `npm start` does (so the tokens printed here are valid for a
 * hub started on the same data folder), opens and migrates the database, runs `work`, and always
 * closes the database: PGlite only writes its files safely on a clean close.
 */
export async function withSession<T>(work: (session: CliSession) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  if (config.database.kind === 'embedded' && config.database.storage === 'memory') {
    throw new CliError(
      'EMBEDDED_DB=memory: anything the CLI wrote would vanish when it exits; unset it or set DATABASE_URL',
    );
  }
  if (config.database.kind === 'embedded') await refuseWhileHubRuns(config.port);

  // The generated-secrets warning is logged as JSON for servers; here a short note is printed instead.
  const ready = withDevSecrets(config, createLogger('silent'));
  const database = await openDatabase(ready);
  try {
    await migrateToLatest(database.orm);
    return await work({
      config: ready,
      em: database.orm.em.fork() as EntityManager,
      devJwtSecret: !config.auth.jwtSecret && !config.auth.jwksUrl,
      secretsPath: join(config.dataDir, 'secrets.json'),
    });
  } finally {
    await database.close();
  }
}

/**
 * The embedded database is a folder that only one process may open: a second one (this CLI next
 * to a running hub) would corrupt it. A hub answering /healthz on the configured port is taken
 * as that hub.
 */
async function refuseWhileHubRuns(port: number): Promise<void> {
  if (port === 0) return;
  let answered = false;
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
      signal: AbortSignal.timeout(HUB_PROBE_MS),
    });
    answered = response.ok;
  } catch {
    // Nothing listening (or not in time): the data folder is free.
  }
  if (answered) {
    throw new CliError(
      `a hub is answering on port ${port}. The embedded database can be opened by one process ` +
        'at a time: stop the hub first, or point both at PostgreSQL with DATABASE_URL. (If that ' +
        'hub uses another data folder, run this command with another PORT.)',
    );
  }
}
