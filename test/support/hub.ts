import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Blob } from 'node:buffer';
import { readFileSync } from 'node:fs';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadConfig, type ReadyConfig } from '../../src/config';
import { openDatabase, type Database, type PGliteInstance } from '../../src/database';
import { createLogger } from '../../src/logger';
import { createServer, type HubServer } from '../../src/server';
import { DUMP_ENV, OPEN_HUBS, PGLITE_POOL, oneLine, safeUrl } from './test-databases';

export const TEST_SECRETS = {
  JWT_SECRET: 'test-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
  PERSON_KEY_SECRET: 'test-person-key-0123456789-abcdefghijklmnopqrstuvwxyz',
  /** 32 fixed bytes (not random: tests only); identity-encryption.spec.ts adds a second key. */
  IDENTITY_KEYS: 'test1:CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYY=',
  IDENTITY_ACTIVE_KEY: 'test1',
};

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{
    message: string;
    path?: Array<string | number>;
    extensions?: Record<string, unknown>;
  }>;
  /** The answer's own extensions (e.g. `part2Notice`, the 42 CFR §2.32 notice). */
  extensions?: Record<string, unknown>;
  headers: Headers;
}

export interface TestHub {
  url: string;
  config: ReadyConfig;
  server: HubServer;
  /** A fresh EntityManager for factories and direct checks. */
  em(): EntityManager;
  /** POSTs a GraphQL operation with `Authorization: Bearer <credential>` when given. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    credential?: string,
  ): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/**
 * Starts a whole hub on a free port: PostgreSQL when DATABASE_URL is set (CI; each test file has
 * its own copy of the run's migrated database, see test/support/environment.ts), otherwise an
 * in-memory embedded PostgreSQL loaded from the run's migrated dump. Tests talk to it over HTTP
 * like any client.
 */
export async function startTestHub(
  env: Record<string, string> = {},
  /** The clock of the hub's background jobs, for tests that need time to pass. */
  options: { clock?: () => Date } = {},
): Promise<TestHub> {
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    EMBEDDED_DB: 'memory',
    LOG_LEVEL: 'silent',
    // Suites send many requests from one address; rate limits are tested on hubs of their own.
    RATE_LIMIT_POINTS: '1000000',
    RATE_LIMIT_API_KEY_POINTS: '1000000',
    RATE_LIMIT_ANONYMOUS_POINTS: '1000000',
    // Each hub its own job queue (timers, spike checks, deliveries), unless a test shares one:
    // on a shared database another file's hub must not run this hub's work.
    JOB_QUEUE: `test-${randomUUID().slice(0, 8)}`,
    // The queue's own poll (JOB_POLL_MS, 1 s): a hub looks again at once after running jobs and
    // wakes for its own retries, so tests need no faster poll. A 100 ms poll cost an idle hub on
    // the embedded database ~7 % of a core, ~60 s of CPU over `npm test`.
    JOB_RETRY_BASE_SECONDS: '1',
    ...TEST_SECRETS,
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    ...env,
  }) as ReadyConfig;
  const logger = createLogger(config.logLevel);
  let server: HubServer;
  try {
    server = await createServer(config, logger, {
      database: await migratedCopy(config),
      clock: options.clock,
    });
  } catch (error) {
    // One line that says which database or address could not be had (no stack of the driver).
    throw new Error(`test hub could not start on ${where(config)}: ${oneLine(error)}`);
  }
  // The hub never closes an idle keep-alive connection first: a request sent on one the server
  // is closing at that moment fails with ECONNRESET, which a loaded machine makes likely.
  server.server.keepAliveTimeout = 0;
  const open = openHubs();
  const hub: TestHub = {
    url: server.url,
    config,
    server,
    em: () => server.orm.em.fork() as EntityManager,
    gql: (query, variables, credential) => postGraphQL(server.url, query, variables, credential),
    stop: async () => {
      open.delete(hub);
      await server.stop();
    },
  };
  open.add(hub);
  return hub;
}

/**
 * An in-memory hub starts from the run's migrated dump when there is one (see global-setup);
 * undefined otherwise (createServer opens the database itself). For tests that call createServer.
 *
 * The hubs of one test file take turns on the file's instances, as they share the file's database
 * on PostgreSQL: a hub that stops hands its instance back (session reset), and the next hub of the
 * file takes it instead of booting another from the dump (~2 s of CPU). Hubs open at the same time
 * each have their own. The environment closes the file's instances when the file ends.
 */
export async function migratedCopy(config: ReadyConfig): Promise<Database | undefined> {
  const dump = process.env[DUMP_ENV];
  if (!dump || config.database.kind !== 'embedded' || config.database.storage !== 'memory') {
    return undefined;
  }
  const pool = filePGlitePool();
  let pglite = pool.idle.pop();
  if (!pglite) {
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = new PGlite({ loadDataDir: new Blob([readFileSync(dump)]) }) as PGliteInstance;
    pool.all.push(pglite);
  }
  const borrowed = pglite;
  return openDatabase(config, undefined, {
    borrowed: {
      pglite: borrowed,
      giveBack: async () => {
        // Whatever the hub left in its session (an open transaction, settings) goes with it.
        await borrowed.exec('rollback; discard all').catch(() => undefined);
        if (!borrowed.closed) pool.idle.push(borrowed);
      },
    },
  });
}

/** The test file's embedded instances (its global is the file's own). */
function filePGlitePool(): { idle: PGliteInstance[]; all: PGliteInstance[] } {
  const global = globalThis as Record<string, unknown>;
  return ((global[PGLITE_POOL] as ReturnType<typeof filePGlitePool> | undefined) ??= {
    idle: [],
    all: [],
  });
}

function where(config: ReadyConfig): string {
  const database =
    config.database.kind === 'postgres'
      ? `PostgreSQL ${safeUrl(config.database.url)}`
      : `the embedded database (${config.database.storage})`;
  return `${database}, ${config.host}:${config.port}`;
}

/** Hubs of this test file not stopped yet; the test environment stops them if the file did not. */
function openHubs(): Set<TestHub> {
  const global = globalThis as Record<string, unknown>;
  return ((global[OPEN_HUBS] as Set<TestHub> | undefined) ??= new Set<TestHub>());
}

export async function postGraphQL<T>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  credential?: string,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
  return { status: response.status, headers: response.headers, ...body };
}

/** The codes of a response's errors, for compact assertions. */
export const errorCodes = (response: GraphQLResponse<unknown>): unknown[] =>
  (response.errors ?? []).map((e) => e.extensions?.code);
