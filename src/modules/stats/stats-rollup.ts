import type { EntityManager } from '@mikro-orm/postgresql';
import { and, pgArray, sql, type Sql } from '../../common/sql';
import { CONTACT_OUTCOMES } from '../outreach/outreach-codes';
import type { StatsFilterInput } from './aggregate.input';
import {
  auditInternal,
  countyPopulations,
  protect,
  run,
  type AggregateRequest,
  type ProtectedTable,
} from './aggregate.service';
import { resolveRange, type Calendar, type DateRange } from './calendar';
import { COUNT_UNIT } from './count-unit';
import { scopeSql, type AggregateAccess } from './stats-access';
import { StatsDimension } from './stats-dimension';

/**
 * The dashboard grid: incidents, fatal, naloxone doses and contacted cases by month × county
 * (× reporting agency, for scope), kept in `stats_rollup` by the triggers of the stats migration
 * in the same transaction as every write. A bulk loader may switch the triggers off for its own
 * session with `set hub.stats_rollup = 'off'` and call refreshStatsRollup() when done.
 */
export const STATS_ROLLUP_SETTING = 'hub.stats_rollup';

export const GRID_MEASURES = ['incidents', 'fatal', 'naloxoneDoses', 'contacted'] as const;

/** The rollup's rows computed from the raw tables (what the triggers maintain incrementally). */
const CONTACTED = `exists (
            select 1 from outreach_attempt a
             where a.case_id = c.id
               and a.outcome = any('${pgArray(CONTACT_OUTCOMES)}'::attempt_outcome[]))`;

/**
 * The grid counts overdose events: a report is an overdose (fatal, contacted) only as the index
 * report of its event; a co-report's naloxone doses still count, in its own cell.
 */
const INDEX = COUNT_UNIT.isEventIndex;

export const ROLLUP_FROM_RAW_SQL = `
  select date_trunc('month', i.occurred_at at time zone 'UTC')::date as month, i.county,
         i.reporting_agency_id as agency_id, (count(*) filter (where ${INDEX}))::int as incidents,
         (count(*) filter (where i.fatal and ${INDEX}))::int as fatal,
         coalesce(sum(n.doses), 0)::int as naloxone_doses,
         (count(*) filter (where ${CONTACTED} and ${INDEX}))::int as contacted,
         coalesce(sum(${COUNT_UNIT.key}) filter (where ${INDEX}), 0)::bigint as incidents_key,
         coalesce(sum(${COUNT_UNIT.key}) filter (where i.fatal and ${INDEX}), 0)::bigint as fatal_key,
         coalesce(sum(${COUNT_UNIT.key}::bigint * n.doses), 0)::bigint as naloxone_doses_key,
         coalesce(sum(${COUNT_UNIT.key}) filter (where ${CONTACTED} and ${INDEX}), 0)::bigint as contacted_key
    from ${COUNT_UNIT.from}
    ${COUNT_UNIT.keyJoin}
    left join overdose_case c on c.index_incident_id = i.id
    left join (select incident_id, count(*) as doses from naloxone_administration group by 1) n
           on n.incident_id = i.id
   where c.status is distinct from 'ENTERED_IN_ERROR'
   group by 1, 2, 3`;

/**
 * Rebuilds the whole rollup and the statistics fact table from the raw tables in one transaction. The lock waits for writers
 * that already touched the rollup and holds new ones back, so no incident is counted twice or
 * missed. Returns the number of cells. A maintenance job, not a request: the connection's
 * statement timeout (meant for requests) is lifted for this transaction, since a rebuild over a
 * million incidents takes longer and must not stop halfway.
 */
export async function refreshStatsRollup(em: EntityManager): Promise<number> {
  return em.transactional(async (tx) => {
    const connection = tx.getConnection();
    const ctx = tx.getTransactionContext();
    await connection.execute('set local statement_timeout = 0', [], 'run', ctx);
    await connection.execute('lock table stats_rollup in share row exclusive mode', [], 'run', ctx);
    await connection.execute('delete from stats_rollup', [], 'run', ctx);
    // The fact table too: the same bulk loads skip its triggers.
    await connection.execute('lock table stats_fact in share row exclusive mode', [], 'run', ctx);
    await connection.execute('delete from stats_fact', [], 'run', ctx);
    await connection.execute(
      'insert into stats_fact select * from stats_fact_source',
      [],
      'run',
      ctx,
    );
    const result = await connection.execute<{ affectedRows: number }>(
      `insert into stats_rollup (month, county, agency_id, incidents, fatal, naloxone_doses, contacted,
                                 incidents_key, fatal_key, naloxone_doses_key, contacted_key)
       ${ROLLUP_FROM_RAW_SQL}`,
      [],
      'run',
      ctx,
    );
    return result.affectedRows;
  });
}

/** The grid statement over any source with the rollup's columns (the rollup, or raw rows). */
export function gridSql(source: string, where: Sql): Sql {
  return {
    text: `select grouping(k0, k1) as g, k0, k1,
                  sum(incidents)::int as incidents, sum(fatal)::int as fatal,
                  sum(naloxone_doses)::int as "naloxoneDoses", sum(contacted)::int as contacted,
                  sum(incidents_key)::text as incidents__key, sum(fatal_key)::text as fatal__key,
                  sum(naloxone_doses_key)::text as "naloxoneDoses__key",
                  sum(contacted_key)::text as contacted__key,
                  (select county_name from county_population p where p.county = k1
                    order by year desc limit 1) as county_name
             from (select to_char(month, 'YYYY-MM') as k0, county::text as k1,
                          incidents, fatal, naloxone_doses, contacted,
                          incidents_key, fatal_key, naloxone_doses_key, contacted_key
                     from (${source}) r where ${where.text}) b
            group by grouping sets ((k0, k1), (k0), (k1), ())`,
    bindings: where.bindings,
  };
}

/** The grid computed from raw rows instead of the rollup: the benchmark's comparison. */
export function gridFromRawSql(where: Sql = sql('true')): Sql {
  return gridSql(ROLLUP_FROM_RAW_SQL, where);
}

/** The rollup's months are UTC months: its bounds are whole UTC months. */
const UTC: Calendar = { timeZone: 'UTC', fiscalYearStartMonth: 1 };

function gridWhere(access: AggregateAccess, range: DateRange, filter?: StatsFilterInput): Sql {
  const parts: Sql[] = [
    scopeSql(access, {
      county: 'r.county',
      reportingAgency: 'r.agency_id',
      routedAgency: 'null::uuid',
    }),
  ];
  if (range.from) parts.push(sql('r.month >= ?::date', range.from.binding));
  if (range.to) parts.push(sql('r.month < ?::date', range.to.binding));
  if (filter?.counties) parts.push(sql('r.county = any(?::bpchar[])', pgArray(filter.counties)));
  if (filter?.agencyIds) parts.push(sql('r.agency_id = any(?::uuid[])', pgArray(filter.agencyIds)));
  return and(parts);
}

/**
 * Month × county from the rollup, with the same tiers, scope and disclosure control as the rest.
 * The rollup is kept by UTC month: the grid's calendar is UTC (timeZone says so).
 */
export async function dashboardGrid(
  request: AggregateRequest,
  filter: StatsFilterInput | undefined,
): Promise<ProtectedTable> {
  const { em, access } = request;
  const range = resolveRange(
    { ...filter, timeZone: undefined },
    UTC,
    'month',
    request.calendar.maxRangeDays,
  );
  const rows = await run(
    em,
    gridSql('select * from stats_rollup', gridWhere(access, range, filter)),
  );
  const year = range.to ? Number(range.to.binding.slice(0, 4)) : new Date().getUTCFullYear();
  const populations = await countyPopulations(em, rows, 1, year);
  const table = protect(
    rows,
    [StatsDimension.MONTH, StatsDimension.COUNTY],
    request.rules,
    access.tier,
    UTC,
    populations,
  );
  await auditInternal(request, table);
  return table;
}
