import 'reflect-metadata';
import { Pool } from 'pg';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/database';
import { withDevSecrets } from '../src/dev-secrets';
import { createLogger } from '../src/logger';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { queryCases } from '../src/modules/case/case-query';
import { CASE_PAGE_SQL } from './raw-server';

/**
 * `node dist/bench/sql-only.js <agencyId> <userId>`: the hub's case-list statement (queryCases)
 * against the hand-written one, database only, sequentially: how much of the list gap is SQL.
 */
async function main(): Promise<void> {
  const [agencyId, userId] = process.argv.slice(2);
  const config = withDevSecrets(loadConfig(process.env), createLogger('silent'));
  const database = await openDatabase(config);
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  const viewer = {
    kind: 'USER' as const,
    userId,
    agencyId,
    agencyKind: AgencyKind.HARM_REDUCTION,
    role: Role.OUTREACH_WORKER,
  };
  const time = async (f: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await f();
      ms.push(performance.now() - t0);
    }
    return ms.sort((a, b) => a - b)[2];
  };
  const hub = await time(() => queryCases(database.orm.em.fork(), viewer, { limit: 51 }));
  const raw = await time(() => pool.query(CASE_PAGE_SQL, [agencyId, 51]));
  console.log(
    `median of 5: hub case SQL ${hub.toFixed(0)} ms, hand-written SQL ${raw.toFixed(0)} ms`,
  );
  await pool.end();
  await database.close();
}

void main();
