import './production-mode';
import 'reflect-metadata';
import { Agent } from 'node:http';
import { Pool } from 'pg';
import { signUserToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { withDevSecrets } from '../src/dev-secrets';
import { createLogger } from '../src/logger';
import { createServer } from '../src/server';
import { send } from './load';
import { benchHubEnv } from './hub-env';

/**
 * `node [--cpu-prof] dist/bench/stats-profile.js <outcome|month|week> [n]`: one hub answering one
 * statistics question of the bench n times in a row (one client), for profiles of what the hub
 * adds to the statement. Prints the median and slowest time. DATABASE_URL as for the bench.
 */
const QUERIES: Record<string, string> = {
  outcome: `query Outcomes { outcomeStats(groupBy: [MONTH, COUNTY]) { rows { group { month county }
    cases { value suppressed } contacted { value suppressed } engaged { value suppressed }
    linked { value suppressed } contactRate { value suppressed unstable } } total { cases { value } } } }`,
  month: `query Q { overdoseStats(groupBy: [MONTH, COUNTY]) { internal OVERDOSE } }`,
  week: `query Q($counties: [String!]) { overdoseStats(groupBy: [WEEK, COUNTY], filter: { counties: $counties }) { internal OVERDOSE } }`,
};
const OVERDOSE = `rows { group { month week county countyName } incidents { value suppressed }
  fatal { value suppressed } naloxoneDoses { value suppressed } ratePer100k { value suppressed unstable } }
  total { incidents { value } }`;

async function main(): Promise<void> {
  const [which = 'outcome', times = '50'] = process.argv.slice(2);
  const logger = createLogger('silent');
  const env = benchHubEnv();
  const config = withDevSecrets(loadConfig(env), logger);
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  const analyst = (
    await pool.query<{ id: string }>(
      `select u.id from app_user u join agency a on a.id = u.agency_id
        where u.role = 'ANALYST' and u.active order by cardinality(a.service_counties) desc, u.email limit 1`,
    )
  ).rows[0];
  const agency = (
    await pool.query<{ counties: string[] }>(
      `select a.service_counties::text[] as counties from (select routed_agency_id as id, count(*)::int as n
         from overdose_case where routed_agency_id is not null group by 1 order by 2 desc limit 1) x
        join agency a on a.id = x.id`,
    )
  ).rows[0];
  await pool.end();
  const hub = await createServer(config, logger);
  const token = await signUserToken(config.auth, analyst.id);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = {
    url: hub.url,
    body: JSON.stringify({
      query: QUERIES[which].replace('OVERDOSE', OVERDOSE),
      variables: which === 'week' ? { counties: agency.counties } : {},
    }),
    headers: { authorization: `Bearer ${token}` },
  };
  const first = await send(agent, target);
  if (first.body.includes('"errors"')) console.log(first.body.slice(0, 500));
  console.log(`answer: ${first.body.length} bytes`);
  const ms: number[] = [];
  for (let i = 0; i < Number(times); i++) {
    const t0 = performance.now();
    await send(agent, target);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${which}: ${ms.length} requests, p50 ${ms[Math.floor((ms.length - 1) / 2)].toFixed(1)} ms, max ${ms[ms.length - 1].toFixed(1)} ms`,
  );
  agent.destroy();
  await hub.stop();
}

void main();
