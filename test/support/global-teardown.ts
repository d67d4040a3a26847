import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DUMP_ENV, dropRunDatabases } from './test-databases';

/** Removes what the global setup made, and any file database a crashed worker left behind. */
export default async function globalTeardown(): Promise<void> {
  const dump = process.env[DUMP_ENV];
  if (dump) rmSync(dirname(dump), { recursive: true, force: true });
  const base = process.env.DATABASE_URL;
  if (base) await dropRunDatabases(base, { pid: process.pid });
}
