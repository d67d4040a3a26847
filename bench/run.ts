import './production-mode';
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { Pool } from 'pg';
import { signUserToken } from '../src/auth/tokens';
import { loadConfig, type ReadyConfig } from '../src/config';
import { withDevSecrets } from '../src/dev-secrets';
import { createLogger } from '../src/logger';
import { createServer, type HubServer } from '../src/server';
import { makeReports, rawIntake, REPORT_MUTATION, type RawIntakeContext } from './intake';
import { medianOf, runLoad, send, type LoadResult, type Target } from './load';
import { casePageRoute, startRawServer, type RawRoutes } from './raw-server';
import { writeReport, type BenchResults, type Pair } from './report';
import {
  freshnessPair,
  gridPair,
  outcomeStatement,
  questionPairs,
  toPg,
  type StatsBenchContext,
} from './stats';
import { benchHubEnv } from './hub-env';

/**
 * `npm run bench`: the hub against hand-written SQL on the same PostgreSQL, in one run.
 * Each pair runs 3 times alternating (A, B, A, B, A, B); figures are the medians.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const RUNS = 3;
const MIN_CASES = Number(process.env.BENCH_MIN_CASES ?? 100_000);
/** Requests per run for the outcomeStats pair (each takes seconds on a million incidents). */
const STATS_REQUESTS = Number(process.env.BENCH_STATS_REQUESTS ?? 2);
/** Hub requests per run for each issue-15 question (the raw side runs once per run). */
const STATS_HUB_REQUESTS = Number(process.env.BENCH_STATS_HUB_REQUESTS ?? 20);
/** `BENCH_PAIRS=list,permissions` runs only those groups (list, permissions, stats, intake). */
const PAIRS = process.env.BENCH_PAIRS?.split(',').map((p) => p.trim());
const runs = (group: string) => !PAIRS || PAIRS.includes(group);
const say = (line = '') => console.log(line);

const CASE_LIST = `query Dashboard($first: Int) {
  cases(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id status county followUpDueAt overdue identitySealed attemptCount lastAttemptAt
        routedAgency { id name }
        indexIncident {
          id occurredAt fatal
          naloxoneAdministrations { administeredAt doseMg response }
        }
      }
    }
  }
}`;

const OUTCOME_STATS = `query Outcomes {
  outcomeStats(groupBy: [MONTH, COUNTY]) {
    rows {
      group { month county }
      cases { value suppressed } contacted { value suppressed } engaged { value suppressed }
      linked { value suppressed } contactRate { value suppressed unstable }
    }
    total { cases { value } }
  }
}`;

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    console.error(
      'npm run bench needs DATABASE_URL pointing at PostgreSQL (seeded with npm run seed:synthetic).',
    );
    process.exitCode = 2;
    return;
  }
  const logger = createLogger('silent');
  const env = benchHubEnv();
  const config = withDevSecrets(loadConfig(env), logger);
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  const servers: HubServer[] = [];
  const results: BenchResults = {
    date: new Date().toISOString(),
    settings: { seconds: SECONDS, concurrency: CONCURRENCY, runs: RUNS },
    volume: {},
    pairs: [],
    statements: [],
    notes: [],
  };
  try {
    const volume = await counts(pool);
    results.volume = volume;
    say(
      `data: ${fmt(volume.incidents)} incidents, ${fmt(volume.cases)} cases, ${fmt(volume.attempts)} attempts`,
    );
    if (volume.cases < MIN_CASES) {
      console.error(
        `need at least ${fmt(MIN_CASES)} cases (npm run seed:synthetic -- --incidents N); set BENCH_MIN_CASES to override`,
      );
      process.exitCode = 2;
      return;
    }
    if (volume.incidents < 1_000_000)
      results.notes.push(
        `aggregates measured on ${fmt(volume.incidents)} incidents (the issue asks for 1,000,000)`,
      );

    const who = await actors(pool);
    const hubOn = await createServer(config, logger);
    servers.push(hubOn);
    const hubOff = await createServer(
      { ...config, benchDisablePermissions: true } as ReadyConfig,
      logger,
    );
    servers.push(hubOff);
    const worker = await signUserToken(config.auth, who.workerId);
    const raw = await startRawServer({
      '/cases': casePageRoute(pool, who.agencyId),
      ...statsRoutes(pool, who, config),
    } satisfies RawRoutes);
    say(`outreach agency: ${who.agencyName} (${fmt(who.agencyCases)} cases routed to it)`);

    // 1. The dashboard list: hub vs raw, and permissions on vs off.
    const listHub = (hub: HubServer, first = 50): Target => ({
      url: hub.url,
      body: JSON.stringify({ query: CASE_LIST, variables: { first } }),
      headers: { authorization: `Bearer ${worker}` },
    });
    const listRaw: Target = { url: `${raw.url}/cases?first=50`, body: '{}' };
    await sameAnswer(listHub(hubOn), listRaw, results, 'case list');
    const okGraphQL = (body: string) => !body.includes('"errors"');
    if (runs('list'))
      results.pairs.push(
        await pair(
          'list: hub vs raw SQL (50/page)',
          'hub',
          listHub(hubOn),
          'raw',
          listRaw,
          okGraphQL,
          {
            throughput: 0.3,
            p99: 4,
          },
        ),
      );
    if (runs('permissions'))
      results.pairs.push(
        await pair(
          'list: permission layer on vs off',
          'on',
          listHub(hubOn),
          'off',
          listHub(hubOff),
          okGraphQL,
          {
            throughput: 0.85,
          },
        ),
      );

    // 5. SQL statements per list request.
    for (const first of [10, 100]) {
      const n = await statementsPerRequest(hubOn, listHub(hubOn, first));
      results.statements.push({ pageSize: first, statements: n });
      say(`statements per list request, ${first}/page: ${n}`);
    }

    // 3. Aggregates (issue 15).
    if (runs('stats')) await statsPairs(hubOn, raw.url, pool, who, config, results);

    // 4. Intake: reportIncidents vs raw multi-row INSERT, retries included.
    for (const size of runs('intake') ? [100, 500] : []) {
      results.pairs.push(await intakePair(hubOn, pool, who, config, size));
    }

    raw.server.close();
    const files = await writeReport(results, pool);
    say(`\nwrote ${files.join(', ')}`);
  } finally {
    for (const s of servers) await s.stop();
    await pool.end();
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function counts(pool: Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<Record<string, number>>(
    `select (select count(*) from overdose_incident)::int as incidents,
            (select count(*) from overdose_case)::int as cases,
            (select count(*) from outreach_attempt)::int as attempts,
            (select count(*) from case_event)::int as events,
            (select count(*) from person)::int as people`,
  );
  return rows[0];
}

interface Actors {
  agencyId: string;
  agencyName: string;
  /** The outreach agency's service counties (one jurisdiction). */
  agencyCounties: string[];
  agencyCases: number;
  workerId: string;
  emsAgencyId: string;
  emsUserId: string;
  county: string;
  analystId?: string;
  analystAgencyId?: string;
}

/** The outreach agency with the most cases (the heaviest dashboard) and an EMS reporter. */
async function actors(pool: Pool): Promise<Actors> {
  const agency = (
    await pool.query<{ id: string; name: string; n: number; counties: string[] }>(
      `select a.id, a.name, x.n, a.service_counties::text[] as counties from (select routed_agency_id as id, count(*)::int as n
         from overdose_case where routed_agency_id is not null group by 1 order by 2 desc limit 1) x
        join agency a on a.id = x.id`,
    )
  ).rows[0];
  const worker = (
    await pool.query<{ id: string }>(
      `select id from app_user where agency_id = $1 and role = 'OUTREACH_WORKER' and active order by email limit 1`,
      [agency.id],
    )
  ).rows[0];
  const ems = (
    await pool.query<{ agency_id: string; user_id: string; county: string }>(
      `select a.id as agency_id, u.id as user_id, a.service_counties[1] as county
         from agency a join app_user u on u.agency_id = a.id and u.role = 'EMS_PROVIDER' and u.active
        where a.kind = 'EMS' and a.active and $1::text = any(a.service_counties)
        order by u.email limit 1`,
      [
        (
          await pool.query<{ county: string }>(
            `select county from overdose_case where routed_agency_id = $1 group by 1 order by count(*) desc limit 1`,
            [agency.id],
          )
        ).rows[0].county.trim(),
      ],
    )
  ).rows[0];
  const analyst = (
    await pool.query<{ id: string; agency_id: string }>(
      `select u.id, u.agency_id from app_user u join agency a on a.id = u.agency_id
        where u.role = 'ANALYST' and u.active order by cardinality(a.service_counties) desc, u.email limit 1`,
    )
  ).rows[0];
  if (!worker || !ems)
    throw new Error('no outreach worker or EMS reporter found: seed with npm run seed:synthetic');
  return {
    agencyId: agency.id,
    agencyName: agency.name,
    agencyCounties: agency.counties,
    agencyCases: agency.n,
    workerId: worker.id,
    emsAgencyId: ems.agency_id,
    emsUserId: ems.user_id,
    county: ems.county,
    analystId: analyst?.id,
    analystAgencyId: analyst?.agency_id,
  };
}

/** The first answer of both sides must be the same JSON, or the comparison means nothing. */
async function sameAnswer(
  a: Target,
  b: Target,
  results: BenchResults,
  what: string,
): Promise<void> {
  const agent = new Agent({ keepAlive: false });
  const [x, y] = await Promise.all([send(agent, a), send(agent, b)]);
  const same = isDeepStrictEqual(JSON.parse(x.body), JSON.parse(y.body));
  const note = `${what}: hub and raw answers are ${same ? 'identical JSON' : 'DIFFERENT'}`;
  say(note);
  if (!same) {
    results.notes.push(note);
    say(`  hub: ${x.body.slice(0, 400)}\n  raw: ${y.body.slice(0, 400)}`);
  }
}

async function pair(
  name: string,
  aName: string,
  a: Target,
  bName: string,
  b: Target,
  check: (body: string) => boolean,
  target: Pair['target'],
): Promise<Pair> {
  // Warm both sides (JIT, plans, caches) before measuring.
  await runLoad(a, { concurrency: CONCURRENCY, seconds: 1 });
  await runLoad(b, { concurrency: CONCURRENCY, seconds: 1 });
  const runsA: LoadResult[] = [];
  const runsB: LoadResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    runsA.push(await runLoad(a, { concurrency: CONCURRENCY, seconds: SECONDS, check }));
    runsB.push(await runLoad(b, { concurrency: CONCURRENCY, seconds: SECONDS }));
  }
  return finishPair(name, aName, medianOf(runsA), bName, medianOf(runsB), target);
}

/**
 * A pair of slow requests (seconds each): one client, `requests` in a row per run, 3 runs
 * alternating. Eight clients would only queue multi-second statements on 2 cores.
 */
async function sequentialPair(
  name: string,
  aName: string,
  a: Target,
  bName: string,
  b: Target,
  check: (body: string) => boolean,
  target: Pair['target'],
  requests: number,
): Promise<Pair> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const measure = async (side: Target, checked?: (body: string) => boolean) => {
    const ms: number[] = [];
    let errors = 0;
    const started = performance.now();
    for (let i = 0; i < requests; i++) {
      const t0 = performance.now();
      const res = await send(agent, side);
      ms.push(performance.now() - t0);
      if (res.status !== 200 || (checked && !checked(res.body))) errors += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    ms.sort((x, y) => x - y);
    return {
      requests,
      seconds,
      throughput: requests / seconds,
      p50: ms[Math.floor((ms.length - 1) / 2)],
      p99: ms[ms.length - 1],
      errors,
    };
  };
  try {
    await send(agent, a); // warm plans and caches on both sides
    await send(agent, b);
    const runsA: LoadResult[] = [];
    const runsB: LoadResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      runsA.push(await measure(a, check));
      runsB.push(await measure(b));
    }
    return finishPair(name, aName, medianOf(runsA), bName, medianOf(runsB), target);
  } finally {
    agent.destroy();
  }
}

function finishPair(
  name: string,
  aName: string,
  a: LoadResult,
  bName: string,
  b: LoadResult,
  target: Pair['target'],
): Pair {
  const result: Pair = {
    name,
    a: { name: aName, ...a },
    b: { name: bName, ...b },
    ratio: { throughput: a.throughput / b.throughput, p99: a.p99 / b.p99, p50: a.p50 / b.p50 },
    target,
  };
  say(
    `${name}: ${aName} ${a.throughput.toFixed(1)}/s p50 ${a.p50.toFixed(1)} ms p99 ${a.p99.toFixed(1)} ms` +
      ` | ${bName} ${b.throughput.toFixed(1)}/s p50 ${b.p50.toFixed(1)} ms p99 ${b.p99.toFixed(1)} ms` +
      ` | ratio ${result.ratio.throughput.toFixed(3)}× throughput, ${result.ratio.p99.toFixed(2)}× p99` +
      (a.errors ? ` (${a.errors} errors)` : ''),
  );
  return result;
}

/** Statements the hub sends to PostgreSQL for one request (authentication included). */
async function statementsPerRequest(hub: HubServer, target: Target): Promise<number> {
  const knex = hub.orm.em.getConnection().getKnex();
  let count = 0;
  const listener = () => {
    count += 1;
  };
  const agent = new Agent({ keepAlive: false });
  await send(agent, target);
  knex.on('query', listener);
  try {
    await send(agent, target);
  } finally {
    knex.removeListener('query', listener);
  }
  return count;
}

/** The raw side of the outcomeStats overhead pair: the hub's own statement through pg. */
function statsRoutes(pool: Pool, who: Actors, config: ReadyConfig): RawRoutes {
  if (!who.analystAgencyId) return {};
  const [text, params] = toPg(outcomeStatement(config, who.analystAgencyId));
  return {
    '/outcome-stats': async () => JSON.stringify((await pool.query(text, params)).rows),
  };
}

/** The issue-15 statistics pairs (bench/stats.ts), and the outcomeStats overhead pair. */
async function statsPairs(
  hub: HubServer,
  rawUrl: string,
  pool: Pool,
  who: Actors,
  config: ReadyConfig,
  results: BenchResults,
): Promise<void> {
  if (!who.analystId || !who.analystAgencyId) {
    const note = 'SKIPPED the statistics pairs: no analyst in this database';
    say(note);
    results.notes.push(note);
    return;
  }
  const ctx: StatsBenchContext = {
    pool,
    config,
    hubUrl: hub.url,
    analystId: who.analystId,
    analystAgencyId: who.analystAgencyId,
    jurisdiction: { name: who.agencyName, counties: who.agencyCounties },
    runs: RUNS,
    hubRequests: STATS_HUB_REQUESTS,
    rawRuns: Math.min(RUNS, Math.max(1, Number(process.env.BENCH_STATS_RAW_RUNS ?? 1))),
    say,
  };
  const analyst = await signUserToken(config.auth, who.analystId);
  // The hub against its own statement through pg: what GraphQL, disclosure control and the
  // audit add to a wide aggregate (both read the fact table).
  results.pairs.push(
    await sequentialPair(
      'outcomeStats month × county: hub vs its own SQL',
      'hub',
      {
        url: hub.url,
        body: JSON.stringify({ query: OUTCOME_STATS }),
        headers: { authorization: `Bearer ${analyst}` },
      },
      'raw',
      { url: `${rawUrl}/outcome-stats`, body: '{}' },
      (body) => !body.includes('"errors"'),
      { latency: 1.25 },
      STATS_REQUESTS,
    ),
  );
  results.pairs.push(await gridPair(ctx));
  results.pairs.push(...(await questionPairs(ctx)));
  const fresh = await freshnessPair(ctx);
  if (typeof fresh === 'string') {
    say(fresh);
    results.notes.push(fresh);
  } else results.pairs.push(fresh);
}

async function intakePair(
  hub: HubServer,
  pool: Pool,
  who: Actors,
  config: ReadyConfig,
  size: number,
): Promise<Pair> {
  const token = await signUserToken(config.auth, who.emsUserId);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const routeTo = (
    await pool.query<{ id: string }>(
      `select id from agency where kind = 'HARM_REDUCTION' and active and $1::text = any(service_counties) order by name limit 1`,
      [who.county],
    )
  ).rows[0]?.id;
  const ctx: RawIntakeContext = {
    agencyId: who.emsAgencyId,
    reporterId: who.emsUserId,
    routeTo,
    personKeySecret: config.personKeySecret,
    ring: config.identityKeys,
    opensHours: config.followUp.opensAfterHours,
    dueHours: config.followUp.dueAfterHours,
  };
  const tag = () =>
    randomBytes(6)
      .toString('hex')
      .replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]);
  // One run: a batch of new reports, then the same batch again (a client retry).
  const viaHub = async (): Promise<number> => {
    const reports = makeReports(size, who.county, tag());
    const body = JSON.stringify({ query: REPORT_MUTATION, variables: { inputs: reports } });
    const t0 = performance.now();
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await send(agent, {
        url: hub.url,
        body,
        headers: { authorization: `Bearer ${token}` },
      });
      const counts = JSON.parse(res.body)?.data?.reportIncidents;
      const expected = attempt === 0 ? 'createdCount' : 'alreadyReportedCount';
      if (!counts || counts[expected] !== size)
        throw new Error(`reportIncidents answered ${res.body.slice(0, 300)}`);
    }
    return performance.now() - t0;
  };
  const viaRaw = async (): Promise<number> => {
    const reports = makeReports(size, who.county, tag());
    const t0 = performance.now();
    const client = await pool.connect();
    try {
      const created = await rawIntake(client, ctx, reports);
      const again = await rawIntake(client, ctx, reports);
      if (created !== size || again !== 0)
        throw new Error(`raw intake wrote ${created} then ${again}`);
    } finally {
      client.release();
    }
    return performance.now() - t0;
  };
  await viaRaw();
  const hubMs: number[] = [];
  const rawMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    hubMs.push(await viaHub());
    rawMs.push(await viaRaw());
  }
  agent.destroy();
  const asLoad = (ms: number[]): LoadResult => {
    const sorted = [...ms].sort((x, y) => x - y);
    const mid = sorted[Math.floor(sorted.length / 2)];
    return {
      requests: size,
      seconds: mid / 1000,
      throughput: size / (mid / 1000),
      p50: mid,
      p99: sorted[sorted.length - 1],
      errors: 0,
    };
  };
  return finishPair(
    `intake: reportIncidents ×${size} (+ retry) vs raw multi-row INSERT`,
    'hub',
    asLoad(hubMs),
    'raw',
    asLoad(rawMs),
    {
      throughput: 0.5,
    },
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
