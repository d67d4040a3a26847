import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * The databases of one test run. Migrations run once per run (test/support/global-setup.ts);
 * every test file then starts from a copy:
 * - PostgreSQL (DATABASE_URL): a template database `<db>_t<pid>_tpl` beside DATABASE_URL's, and
 *   one `CREATE DATABASE … TEMPLATE` copy per test file (test/support/environment.ts), so files
 *   can run in parallel without seeing each other's rows. All of them are dropped at the end, and
 *   those of a run that died (its process is gone) at the start of the next.
 * - Embedded: a dump of a migrated PGlite data directory in a temporary folder; every in-memory
 *   hub of a test file loads it instead of running initdb and the migrations.
 */

/** Set by the global setup for the workers (they inherit the environment). */
export const TEMPLATE_ENV = 'HUB_TEST_TEMPLATE_DB';
export const DUMP_ENV = 'HUB_TEST_PGLITE_DUMP';
export const RUN_ENV = 'HUB_TEST_RUN';
/** Where startTestHub records, in a test file's global, the hubs not stopped yet. */
export const OPEN_HUBS = '__hubTestOpenHubs';
/** Where migratedCopy keeps, in a test file's global, the file's embedded instances. */
export const PGLITE_POOL = '__hubTestPGlitePool';

/** The database name of a connection string, and the same string pointing at another one. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
}
export function withDatabase(url: string, name: string): string {
  const next = new URL(url);
  next.pathname = `/${encodeURIComponent(name)}`;
  return next.toString();
}

/** Names of this run's databases start with this (the base name is cut to fit PostgreSQL's 63). */
export function runPrefix(baseUrl: string, pid: number): string {
  return `${databaseName(baseUrl).slice(0, 40)}_t${pid}_`;
}

export const templateName = (baseUrl: string, pid: number) => `${runPrefix(baseUrl, pid)}tpl`;
export const fileDatabaseName = (baseUrl: string, pid: number) =>
  `${runPrefix(baseUrl, pid)}${randomBytes(5).toString('hex')}`;

/** Runs statements on the server of `baseUrl` (through its own database), then disconnects. */
export async function adminQuery<R extends Record<string, unknown>>(
  baseUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new Client({ connectionString: baseUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot reach the test PostgreSQL at ${safeUrl(baseUrl)} (DATABASE_URL): ${oneLine(error)}`,
    );
  }
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A copy of the template for one test file. Two copies of one template cannot start at the same
 * instant ("source database is being accessed by other users" while another copy is made), so a
 * refused copy is tried again.
 */
export async function copyTemplate(baseUrl: string, template: string, name: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(baseUrl, `create database "${name}" template "${template}"`);
      // A test database is thrown away after the file: it needs no commit to survive a crash of
      // PostgreSQL, and waiting for each commit's WAL flush (a few milliseconds on this disk,
      // for every one of the suite's tens of thousands of transactions) was much of the run's
      // wall time. What other sessions see of a commit does not change. (The restart test runs
      // its own PostgreSQL, not a copy.)
      await adminQuery(baseUrl, `alter database "${name}" set synchronous_commit = off`);
      return;
    } catch (error) {
      const busy = /being accessed by other users/.test(String((error as Error)?.message));
      if (!busy || attempt >= 100) {
        throw new Error(`cannot create the test database ${name}: ${oneLine(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 150));
    }
  }
}

export async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  await adminQuery(baseUrl, `drop database if exists "${name}" with (force)`);
}

/** Drops this run's databases, or (`onlyDead`) those of earlier runs whose process is gone. */
export async function dropRunDatabases(
  baseUrl: string,
  which: { pid: number } | { onlyDead: true },
): Promise<void> {
  const base = databaseName(baseUrl).slice(0, 40);
  const rows = await adminQuery<{ datname: string }>(
    baseUrl,
    `select datname from pg_database where starts_with(datname, $1)`,
    [`${base}_t`],
  );
  for (const { datname } of rows) {
    const match = new RegExp(`^${escapeRegExp(base)}_t(\\d+)_[a-z0-9]+$`).exec(datname);
    if (!match) continue;
    const pid = Number(match[1]);
    const drop = 'pid' in which ? pid === which.pid : !processAlive(pid);
    if (drop) await dropDatabase(baseUrl, datname);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A connection string without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

export const oneLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0];
