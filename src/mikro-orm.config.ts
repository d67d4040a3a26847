import 'reflect-metadata';
import { basename, join } from 'node:path';
import { DataloaderType, defineConfig, type Options } from '@mikro-orm/postgresql';
import { ENTITIES } from './entities';

/** The repository root, whether this file runs compiled (dist/src) or through ts-jest (src). */
const REPO_ROOT = join(
  __dirname,
  '..',
  ...(basename(join(__dirname, '..')) === 'dist' ? ['..'] : []),
);
/** Compiled migrations sit beside the compiled source; ts-jest and the CLI read the .ts ones. */
const MIGRATIONS_JS = join(__dirname, '..', 'migrations');
const MIGRATIONS_TS = join(REPO_ROOT, 'migrations');

/** Options shared by both databases; only the driver and connection differ. */
export function baseOrmOptions(): Options {
  return {
    entities: ENTITIES,
    // No `extensions: [Migrator]`: MikroORM loads @mikro-orm/migrations itself the first time
    // `orm.migrator` is asked for, so a hub that is not migrating (each test file's, among them)
    // does not load its ~220 modules.
    // Relations a resolver touches are batched per tick instead of one query per parent row.
    dataloader: DataloaderType.ALL,
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: false,
    // Never echo bound parameters (which may be personal data) into logs or error messages.
    debug: false,
    logger: () => undefined,
    // The statistics fact table is a trigger-kept copy of a view (stats migration), and its cells
    // (migration stats_cells: a table partitioned by dimension, and its zones) are kept from it by
    // triggers: none of them is an entity.
    schemaGenerator: { skipTables: ['stats_fact', 'stats_fact_pending', /^stats_cell/] },
    migrations: {
      path: MIGRATIONS_JS,
      pathTs: MIGRATIONS_TS,
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
      fileName: (timestamp, name) => `Migration${timestamp}${name ? `_${name}` : ''}`,
    },
    pool: { min: 0, max: 10 },
  };
}

/** For the MikroORM CLI: PostgreSQL from DATABASE_URL. The hub itself uses src/database.ts. */
export default defineConfig({
  ...baseOrmOptions(),
  clientUrl: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/overdose_hub',
} as Parameters<typeof defineConfig>[0]);
