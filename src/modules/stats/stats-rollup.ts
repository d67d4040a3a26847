import type { EntityManager } from '@mikro-orm/postgresql';
import { and, pgArray, sql, type Sql } from '../../common/sql';
import { CONTACT_OUTCOMES } from '../outreach/outreach-codes';
import type { StatsFilterInput } from './aggregate.input';
import {
  auditInternal,
  countyPopulations,
  filterOf,
  guardShared,
  protect,
  rangeOf,
  regionOf,
  run,
  type AggregateRequest,
  type ProtectedTable,
} from './aggregate.service';
import { resolveRange, type Calendar, type DateRange } from './calendar';
import { COUNT_UNIT } from './count-unit';
import { symmetricDifference } from './overlap-guard';
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

/** The same draw as stats_record_key_assign() (migration stats_numbers): 20 strong random bits. */
const NEW_RECORD_KEY = `(('x' || substr(md5(gen_random_uuid()::text), 1, 5))::bit(20))::int`;

/** Runs one statement and returns the number of rows it wrote. */
export type RunStatement = (statement: string) => Promise<number>;

/**
 * Every table the statistics triggers keep (record keys, the fact table, the rollup), rebuilt
 * from the raw rows, set-based: the one rebuild shared by refreshStatsRollup() and the synthetic
 * seeder's bulk load, which switch those triggers off (or let them do nothing) while they write
 * and call this once instead of firing them per row. The result is what the triggers would have
 * written: a key for every unit that lacks one (existing keys are kept, they are permanent), the
 * fact table equal to its view, its cells (stats-cells.ts) summed from it, the rollup equal to
 * ROLLUP_FROM_RAW_SQL. Run it in a transaction
 * with the statement timeout lifted; the lock waits for writers that already touched these tables
 * and holds new ones back, so no unit is counted twice or missed. Returns the rollup's cells.
 */
export async function rebuildStatsTables(
  run: RunStatement,
  /**
   * A query with the view's rows in its column order, for a bulk loader that computes them
   * set-based (the synthetic seeder); the view itself by default.
   */
  factRows = 'select * from stats_fact_source',
): Promise<number> {
  // The cells are rebuilt from the fact table below: their triggers would only redo it row by row.
  await run(`set local ${STATS_ROLLUP_SETTING} = 'off'`);
  await run(
    'lock table stats_record_key, stats_fact, stats_rollup, stats_cell, stats_cell_week, stats_cell_month in share row exclusive mode',
  );
  await run(`delete from stats_record_key k
              where not exists (select 1 from overdose_incident i where i.id = k.unit_id)`);
  await run(`insert into stats_record_key (unit_id, key)
             select i.id, ${NEW_RECORD_KEY} from overdose_incident i
              where not exists (select 1 from stats_record_key k where k.unit_id = i.id)`);
  await run('delete from stats_fact');
  await run(`insert into stats_fact ${factRows}`);
  await run('select stats_cell_rebuild()');
  await run('analyze stats_cell, stats_cell_week, stats_cell_month');
  await run('delete from stats_rollup');
  return run(
    `insert into stats_rollup (month, county, agency_id, incidents, fatal, naloxone_doses, contacted,
                               incidents_key, fatal_key, naloxone_doses_key, contacted_key)
     ${ROLLUP_FROM_RAW_SQL}`,
  );
}

/**
 * Rebuilds the statistics tables (rebuildStatsTables) in one transaction. Returns the number of
 * rollup cells. A maintenance job, not a request: the connection's statement timeout (meant for
 * requests) is lifted for this transaction, since a rebuild over a million incidents takes
 * longer and must not stop halfway.
 */
export async function refreshStatsRollup(em: EntityManager): Promise<number> {
  return em.transactional(async (tx) => {
    const connection = tx.getConnection();
    const ctx = tx.getTransactionContext();
    const run: RunStatement = async (statement) =>
      (await connection.execute<{ affectedRows: number }>(statement, [], 'run', ctx)).affectedRows;
    await run('set local statement_timeout = 0');
    return rebuildStatsTables(run);
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

const gridScope = (access: AggregateAccess): Sql =>
  scopeSql(access, {
    county: 'r.county',
    reportingAgency: 'r.agency_id',
    routedAgency: 'null::uuid',
  });

function gridWhere(access: AggregateAccess, range: DateRange, filter?: StatsFilterInput): Sql {
  return and([gridScope(access), gridRegion(range, filter)]);
}

/** The filter's region over the rollup's rows (whole UTC months, counties, agencies). */
function gridRegion(
  range: Pick<DateRange, 'from' | 'to'>,
  filter?: Pick<StatsFilterInput, 'counties' | 'agencyIds'>,
): Sql {
  const parts: Sql[] = [];
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
  const region = regionOf(range, UTC, filter);
  const hidden = await guardShared(request, region, 2, (earlier) =>
    run(
      em,
      gridSql(
        'select * from stats_rollup',
        and([
          gridScope(access),
          symmetricDifference(
            gridRegion(range, filter),
            gridRegion(rangeOf(earlier), filterOf(earlier)),
          ),
        ]),
      ),
    ),
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
    hidden,
  );
  await auditInternal(request, table);
  return table;
}
