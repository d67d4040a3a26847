import { Agent } from 'node:http';
import type { Pool } from 'pg';
import { signUserToken } from '../src/auth/tokens';
import { and, type Sql } from '../src/common/sql';
import { Role } from '../src/common/role';
import type { ReadyConfig } from '../src/config';
import {
  aggregateSql,
  filterSql,
  FACT_FROM_SCRATCH,
  OUTCOME_SPEC,
  OVERDOSE_SPEC,
  withSource,
  type AggregateSpec,
} from '../src/modules/stats/aggregate-sql';
import type { AggregateAccess } from '../src/modules/stats/stats-access';
import { scopeSql } from '../src/modules/stats/stats-access';
import { cellAggregateSql, cellRegionSql } from '../src/modules/stats/stats-cells';
import { StatsDimension } from '../src/modules/stats/stats-dimension';
import { gridFromRawSql, gridSql } from '../src/modules/stats/stats-rollup';
import { makeReports, REPORT_MUTATION } from './intake';
import { medianOf, send, type LoadResult, type Target } from './load';
import type { Pair } from './report';

/**
 * The statistics pairs of issue 15 ("Performance", on a million incidents): the default dashboard
 * and research questions answered by the hub (GraphQL, disclosure control, audit) against the
 * same question asked of the raw tables in SQL (the aggregate's own statement over
 * `stats_fact_source`, the view that computes every unit's numbers from the raw rows: what the
 * hub would run without its trigger-kept fact table and cells), and the freshness of the
 * aggregates after a new report. The hub answers these questions from its cells (stats-cells.ts):
 * shared scope, one split dimension at most, the hub's zone, no percentile of hours selected.
 */
export interface StatsBenchContext {
  pool: Pool;
  config: ReadyConfig;
  hubUrl: string;
  /** An analyst of the state health department (jurisdiction: every county). */
  analystId: string;
  analystAgencyId: string;
  /** The counties of one jurisdiction (an outreach agency's service area). */
  jurisdiction: { name: string; counties: string[] };
  runs: number;
  /** Hub requests per run (p99 is the slowest of them all). */
  hubRequests: number;
  /** Runs that also time the raw side of a question (1 to runs). */
  rawRuns: number;
  say: (line: string) => void;
}

type StatsPairResult = Pair;

interface Question {
  name: string;
  /** GraphQL query and variables the hub answers. */
  query: string;
  variables: Record<string, unknown>;
  spec: AggregateSpec;
  groupBy: StatsDimension[];
  counties?: string[];
}

const OVERDOSE_FIELDS = `rows { group { month week county countyName } incidents { value suppressed }
  fatal { value suppressed } naloxoneDoses { value suppressed } ratePer100k { value suppressed unstable } }
  total { incidents { value } }`;

function questions(ctx: StatsBenchContext): Question[] {
  return [
    {
      name: 'overdoseStats month × county, three years (analyst, 40 counties)',
      query: `query Q { overdoseStats(groupBy: [MONTH, COUNTY]) { internal ${OVERDOSE_FIELDS} } }`,
      variables: {},
      spec: OVERDOSE_SPEC,
      groupBy: [StatsDimension.MONTH, StatsDimension.COUNTY],
    },
    {
      name: `overdoseStats week × county, one jurisdiction (${ctx.jurisdiction.counties.length} counties)`,
      query: `query Q($counties: [String!]) { overdoseStats(groupBy: [WEEK, COUNTY], filter: { counties: $counties }) { internal ${OVERDOSE_FIELDS} } }`,
      variables: { counties: ctx.jurisdiction.counties },
      spec: OVERDOSE_SPEC,
      groupBy: [StatsDimension.WEEK, StatsDimension.COUNTY],
      counties: ctx.jurisdiction.counties,
    },
    {
      name: 'outcomeStats by officer presence (analyst, 40 counties)',
      query: `query Q { outcomeStats(groupBy: [OFFICER_PRESENCE]) { internal
        rows { group { officerPresence } cases { value suppressed } contacted { value suppressed }
               engaged { value suppressed } linked { value suppressed } contactRate { value suppressed } }
        total { cases { value } } } }`,
      variables: {},
      spec: OUTCOME_SPEC,
      groupBy: [StatsDimension.OFFICER_PRESENCE],
    },
  ];
}

/** knex-style `?` placeholders to PostgreSQL's `$n`. */
export const toPg = (statement: Sql): [string, unknown[]] => {
  let n = 0;
  return [statement.text.replace(/\?/g, () => `$${++n}`), statement.bindings];
};

/** The question's statement over the raw tables, with the analyst's scope, as the hub builds it. */
function rawStatement(ctx: StatsBenchContext, q: Question): Sql {
  return statementFor(ctx.config, ctx.analystAgencyId, {
    ...q,
    spec: withSource(q.spec, FACT_FROM_SCRATCH),
  });
}

/**
 * The hub's own outcomeStats month × county statement for an analyst: over the statistics cells
 * (stats-cells.ts), as the hub answers that question.
 */
export function outcomeStatement(config: ReadyConfig, analystAgencyId: string): Sql {
  const { timeZone, fiscalYearStartMonth } = config.statsCalendar;
  return cellAggregateSql(
    {
      spec: OUTCOME_SPEC,
      groupBy: [StatsDimension.MONTH, StatsDimension.COUNTY],
      access: analystAccess(analystAgencyId),
      calendar: { timeZone, fiscalYearStartMonth },
      hours: false,
    },
    cellRegionSql({ from: null, to: null, counties: null, agencyIds: null }),
    false,
  );
}

const analystAccess = (agencyId: string) =>
  ({
    viewer: { role: Role.ANALYST, agencyId },
    scope: 'jurisdiction',
  }) as unknown as Pick<AggregateAccess, 'viewer' | 'scope'>;

function statementFor(
  config: ReadyConfig,
  analystAgencyId: string,
  q: Pick<Question, 'spec' | 'groupBy' | 'counties'>,
): Sql {
  const spec = q.spec;
  const access = analystAccess(analystAgencyId);
  const where = and([
    filterSql(spec, q.counties ? { counties: q.counties } : undefined, {
      from: null,
      to: null,
      days: null,
    }),
    scopeSql(access, spec.columns),
  ]);
  const { timeZone, fiscalYearStartMonth } = config.statsCalendar;
  return aggregateSql(spec, q.groupBy, where, { timeZone, fiscalYearStartMonth });
}

function summarise(ms: number[]): LoadResult {
  const sorted = [...ms].sort((x, y) => x - y);
  const seconds = ms.reduce((a, b) => a + b, 0) / 1000;
  // p99 of n samples: the value at rank ceil(0.99 n) (the slowest of fewer than 100).
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)];
  return {
    requests: ms.length,
    seconds,
    throughput: ms.length / seconds,
    p50: sorted[Math.floor((sorted.length - 1) / 2)],
    p99,
    errors: 0,
  };
}

/** Times a SQL statement `times` times in a row on one connection. */
async function timeSql(pool: Pool, text: string, params: unknown[], times: number) {
  const client = await pool.connect();
  try {
    await client.query('set statement_timeout = 0');
    const ms: number[] = [];
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      await client.query(text, params);
      ms.push(performance.now() - t0);
    }
    return ms;
  } finally {
    client.release();
  }
}

function result(
  name: string,
  aName: string,
  a: LoadResult,
  bName: string,
  b: LoadResult,
  target: Pair['target'],
  say: (line: string) => void,
): StatsPairResult {
  const pair: StatsPairResult = {
    name,
    a: { name: aName, ...a },
    b: { name: bName, ...b },
    ratio: { throughput: a.throughput / b.throughput, p99: a.p99 / b.p99, p50: a.p50 / b.p50 },
    target,
  };
  say(
    `${name}: ${aName} p50 ${a.p50.toFixed(1)} ms p99 ${a.p99.toFixed(1)} ms (${a.requests} req)` +
      ` | ${bName} p50 ${b.p50.toFixed(1)} ms p99 ${b.p99.toFixed(1)} ms (${b.requests})` +
      ` | ${bName} ÷ ${aName} by p50 ${(b.p50 / a.p50).toFixed(1)}×` +
      (a.errors ? ` (${a.errors} errors)` : ''),
  );
  return pair;
}

/**
 * Each question: per run, `hubRequests` hub requests in a row (one client), then the raw
 * statement once (it takes seconds to minutes) in the first `rawRuns` runs. Figures: the hub's p50/p99 over
 * all its requests, the raw side's median run; the speed-up is raw p50 ÷ hub p50.
 */
export async function questionPairs(ctx: StatsBenchContext): Promise<StatsPairResult[]> {
  const token = await signUserToken(ctx.config.auth, ctx.analystId);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const pairs: StatsPairResult[] = [];
  try {
    for (const q of questions(ctx)) {
      const target: Target = {
        url: ctx.hubUrl,
        body: JSON.stringify({ query: q.query, variables: q.variables }),
        headers: { authorization: `Bearer ${token}` },
      };
      const [text, params] = toPg(rawStatement(ctx, q));
      let errors = 0;
      const ask = async () => {
        const t0 = performance.now();
        const res = await send(agent, target);
        const ms = performance.now() - t0;
        if (res.status !== 200 || res.body.includes('"errors"')) {
          errors += 1;
          if (errors === 1) ctx.say(`  ${q.name}: ${res.body.slice(0, 300)}`);
        }
        return ms;
      };
      await ask(); // warm plans and caches
      const hubMs: number[] = [];
      const rawRuns: LoadResult[] = [];
      for (let run = 0; run < ctx.runs; run++) {
        for (let i = 0; i < ctx.hubRequests; i++) hubMs.push(await ask());
        // The raw side takes minutes on a loaded machine: measured in the first runs only.
        if (run < ctx.rawRuns) rawRuns.push(summarise(await timeSql(ctx.pool, text, params, 1)));
      }
      const hub = { ...summarise(hubMs), errors };
      pairs.push(
        result(
          `stats: ${q.name}: hub vs raw tables (SQL)`,
          'hub',
          hub,
          'raw tables',
          medianOf(rawRuns),
          { p99Ms: 250, speedup: 100 },
          ctx.say,
        ),
      );
    }
  } finally {
    agent.destroy();
  }
  return pairs;
}

/** The rollup grid (SQL) against the same grid computed from the raw rows (SQL). */
export async function gridPair(ctx: StatsBenchContext): Promise<StatsPairResult> {
  const all = { text: 'true', bindings: [] };
  const [fromRollup] = toPg(gridSql('select * from stats_rollup', all));
  const [fromRaw] = toPg(gridFromRawSql(all));
  const a: number[] = [];
  const b: LoadResult[] = [];
  for (let i = 0; i < ctx.runs; i++) {
    a.push(...(await timeSql(ctx.pool, fromRollup, [], 20)));
    b.push(summarise(await timeSql(ctx.pool, fromRaw, [], 1)));
  }
  return result(
    'dashboard grid: rollup vs raw rows (SQL)',
    'rollup',
    summarise(a),
    'raw rows',
    medianOf(b),
    { speedup: 100 },
    ctx.say,
  );
}

/**
 * Freshness: from sending one new report (reportIncidents, an EMS provider) until the hub's
 * aggregate counts it, read by the admin of the only outreach team of that county (internal tier:
 * exact, so one more overdose shows as +1), polling every 20 ms. Compared with the time of the
 * report alone. The fact table and the rollup are kept by triggers in the report's own
 * transaction, so the first read after the report returns should already count it.
 */
export async function freshnessPair(ctx: StatsBenchContext): Promise<StatsPairResult | string> {
  const setup = (
    await ctx.pool.query<{ county: string; admin_id: string; ems_id: string }>(
      `select c.county, adm.id as admin_id, ems.id as ems_id
         from (select unnest(service_counties) as county from agency
                where kind = 'HARM_REDUCTION' and active group by 1 having count(*) = 1) c
         join agency hr on hr.kind = 'HARM_REDUCTION' and hr.active and c.county = any(hr.service_counties)
         join app_user adm on adm.agency_id = hr.id and adm.role = 'AGENCY_ADMIN' and adm.active
         join agency e on e.kind = 'EMS' and e.active and c.county = any(e.service_counties)
         join app_user ems on ems.agency_id = e.id and ems.role = 'EMS_PROVIDER' and ems.active
        order by c.county, adm.email, ems.email limit 1`,
    )
  ).rows[0];
  if (!setup) return 'SKIPPED freshness: no county with exactly one outreach team and an admin';
  const admin = await signUserToken(ctx.config.auth, setup.admin_id);
  const ems = await signUserToken(ctx.config.auth, setup.ems_id);
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const countQuery: Target = {
    url: ctx.hubUrl,
    body: JSON.stringify({
      query: `query F($c: [String!]) { overdoseStats(groupBy: [], filter: { counties: $c }) { internal total { incidents { value } } } }`,
      variables: { c: [setup.county] },
    }),
    headers: { authorization: `Bearer ${admin}` },
  };
  const count = async (): Promise<number> => {
    const res = await send(agent, countQuery);
    const stats = JSON.parse(res.body)?.data?.overdoseStats;
    if (!stats?.internal) throw new Error(`freshness read answered ${res.body.slice(0, 300)}`);
    return stats.total.incidents.value as number;
  };
  const fresh: number[] = [];
  const reportOnly: number[] = [];
  try {
    await count();
    for (let i = 0; i < ctx.runs * 3; i++) {
      const before = await count();
      const tag = `fresh${Date.now().toString(36)}${i}`.replace(/[0-9]/g, (d) => 'ghijklmnop'[+d]);
      const body = JSON.stringify({
        query: REPORT_MUTATION,
        variables: { inputs: makeReports(1, setup.county, tag) },
      });
      const t0 = performance.now();
      const res = await send(agent, {
        url: ctx.hubUrl,
        body,
        headers: { authorization: `Bearer ${ems}` },
      });
      const reported = performance.now();
      if (JSON.parse(res.body)?.data?.reportIncidents?.createdCount !== 1)
        throw new Error(`reportIncidents answered ${res.body.slice(0, 300)}`);
      let seen = await count();
      while (seen <= before && performance.now() - t0 < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen = await count();
      }
      if (seen <= before) throw new Error('the new report did not show in 10 s');
      fresh.push(performance.now() - t0);
      reportOnly.push(reported - t0);
    }
  } finally {
    agent.destroy();
  }
  return result(
    'stats freshness: report → counted in overdoseStats (internal) vs the report alone',
    'report + read',
    summarise(fresh),
    'report',
    summarise(reportOnly),
    { freshnessMs: 1000 },
    ctx.say,
  );
}
