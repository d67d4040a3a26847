import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import type { HubConfig } from './config';
import { installIdentityKeyRing } from './crypto/identity-keys';
import { databaseDriverLog } from './database-log';
import type { Logger } from './logger';
import { baseOrmOptions } from './mikro-orm.config';

export interface EmbeddedOptions {
  /**
   * An in-memory embedded database starts as a copy of this dump (PGlite's dumpDataDir) instead of
   * an empty cluster: tests migrate once per run and open every hub from the copy.
   */
  loadDataDir?: Blob;
  /**
   * An open in-memory instance to use instead of a new one, handed back instead of closed when
   * the hub closes. Tests: the hubs of one test file take turns on one instance, as they share
   * the file's database on PostgreSQL (booting an instance from the dump cost ~2 s of CPU a hub).
   */
  borrowed?: { pglite: PGliteInstance; giveBack(): Promise<void> };
}

export type PGliteInstance = InstanceType<
  typeof import('@electric-sql/pglite', { with: { 'resolution-mode': 'import' } }).PGlite
>;

export interface Database {
  orm: MikroORM;
  kind: 'postgres' | 'embedded';
  /** Embedded only: the data directory as a tarball (what `loadDataDir` takes back). */
  dumpDataDir?: () => Promise<Blob>;
  close(): Promise<void>;
}

/**
 * Opens PostgreSQL when DATABASE_URL is set, otherwise the embedded PostgreSQL (PGlite) — in the
 * data folder, or in memory for tests. The rest of the hub cannot tell them apart.
 */
export async function openDatabase(
  config: HubConfig,
  logger?: Logger,
  options: EmbeddedOptions = {},
): Promise<Database> {
  // Identity columns decrypt on load: the keys must be in place before the ORM reads a row.
  // (Migrations alone need none: the migration script opens the database without them.)
  if (config.identityKeys) installIdentityKeyRing(config.identityKeys);
  if (config.database.kind === 'postgres') {
    const orm = await MikroORM.init({
      ...baseOrmOptions(),
      clientUrl: config.database.url,
      // A startup parameter of every pooled connection: no statement runs longer than this.
      driverOptions: {
        connection: { statement_timeout: config.statementTimeoutMs },
        ...(logger ? { log: databaseDriverLog(logger) } : {}),
      },
    });
    return { orm, kind: 'postgres', close: () => orm.close(true) };
  }

  // Both packages are ESM-only; a dynamic import keeps this CommonJS build able to load them.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDriver } = await import('mikro-orm-pglite');
  // Held only here, and let go of once closed: PGlite's WebAssembly memory (hundreds of
  // megabytes) is freed only when nothing refers to the instance, while a closed hub may stay
  // referenced for a long time (a test suite's variable, until the end of its jest file).
  let pglite: PGliteInstance | undefined;
  if (options.borrowed) {
    pglite = options.borrowed.pglite;
  } else if (config.database.storage === 'memory') {
    pglite = new PGlite(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  } else {
    const dir = join(config.database.dataDir, 'pgdata');
    mkdirSync(dir, { recursive: true });
    pglite = new PGlite(dir);
  }
  await pglite.waitReady;
  // PGlite is a single session, so setting it once covers every statement.
  await pglite.exec(`set statement_timeout = ${Number(config.statementTimeoutMs)}`);
  const current = () => {
    if (!pglite) throw new Error('the embedded database is closed');
    return pglite;
  };
  const orm = (await MikroORM.init({
    ...baseOrmOptions(),
    driver: PGliteDriver,
    dbName: 'postgres',
    // PGlite is one connection; a pool larger than one would only queue inside the driver.
    pool: { min: 1, max: 1 },
    driverOptions: { connection: { pglite: current } },
  } as Parameters<typeof MikroORM.init>[0])) as MikroORM;
  return {
    orm,
    kind: 'embedded',
    dumpDataDir: () => current().dumpDataDir('none'),
    close: async () => {
      await orm.close(true);
      if (options.borrowed) await options.borrowed.giveBack();
      else if (pglite && !pglite.closed) await pglite.close();
      pglite = undefined;
    },
  };
}

export async function migrateToLatest(orm: MikroORM): Promise<void> {
  await orm.getMigrator().up();
}
