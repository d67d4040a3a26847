import 'reflect-metadata';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ReadyConfig } from '../../src/config';
import { migrateToLatest, openDatabase, type Database } from '../../src/database';
import { TEST_SECRETS } from './hub';
import {
  DUMP_ENV,
  RUN_ENV,
  TEMPLATE_ENV,
  adminQuery,
  dropRunDatabases,
  oneLine,
  templateName,
  withDatabase,
} from './test-databases';

/**
 * Migrates once for the whole run (see test/support/test-databases.ts): a template database on
 * PostgreSQL, a dumped data directory on the embedded database.
 */
export async function prepareTestDatabases(): Promise<void> {
  process.env[RUN_ENV] = String(process.pid);
  const base = process.env.DATABASE_URL;
  if (base) {
    await dropRunDatabases(base, { onlyDead: true });
    const template = templateName(base, process.pid);
    await adminQuery(base, `drop database if exists "${template}" with (force)`);
    await adminQuery(base, `create database "${template}"`);
    process.env[TEMPLATE_ENV] = template;
    await migrated({ DATABASE_URL: withDatabase(base, template) }, async () => undefined);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'hub-test-'));
  const file = join(dir, 'pgdata.tar');
  await migrated({ EMBEDDED_DB: 'memory' }, async (database) => {
    const dump = await database.dumpDataDir!();
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  });
  process.env[DUMP_ENV] = file;
}

/** Opens the database, applies every migration, hands it to `then`, closes it. */
async function migrated(
  env: Record<string, string>,
  then: (database: Database) => Promise<void>,
): Promise<void> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...TEST_SECRETS,
    ...env,
  }) as ReadyConfig;
  let database: Database;
  try {
    database = await openDatabase(config);
    await migrateToLatest(database.orm);
  } catch (error) {
    throw new Error(`test setup could not migrate the test database: ${oneLine(error)}`);
  }
  try {
    await then(database);
  } finally {
    await database.close();
  }
}
