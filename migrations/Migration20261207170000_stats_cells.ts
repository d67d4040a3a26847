import { Migration } from '@mikro-orm/migrations';

/**
 * The measures of the aggregates (src/modules/stats/aggregate-sql.ts, OVERDOSE_SPEC,
 * FOLLOW_UP_SPEC, OUTCOME_SPEC), frozen here: per fact row, which family's base it is in (`O`:
 * an overdose, `counted`; `C`: a non-fatal case, `is_case` and not history), the condition and
 * the amount (1, or a column to add up). A cell keeps for each the sum of amounts (`n_`) and of
 * record key × amount (`k_`, for cell-key perturbation), as the aggregates compute them.
 */
const MEASURES: Array<[name: string, family: 'O' | 'C', filter: string, weight?: string]> = [
  ['incidents', 'O', 'true'],
  ['fatal', 'O', 'f.fatal'],
  ['naloxone_doses', 'O', 'true', 'f.doses'],
  ['multiple_naloxone', 'O', 'f.doses >= 2'],
  ['refused_transport', 'O', `f.ems_disposition = 'REFUSED_TRANSPORT'`],
  ['cases', 'C', 'true'],
  ['routed', 'C', 'f.routed'],
  ['with_contact_info', 'C', 'f.has_contact'],
  ['attempted', 'C', 'f.first_attempt_at is not null'],
  ['contacted', 'C', 'f.first_contact_at is not null'],
  ['engaged', 'C', 'f.engaged'],
  ['linked', 'C', 'f.linked'],
  ['attempted24h', 'C', 'f.hours_to_attempt <= 24'],
  ['attempted72h', 'C', 'f.hours_to_attempt <= 72'],
  ['routed_attempted72h', 'C', 'f.routed and f.hours_to_attempt <= 72'],
  ['contacted24h', 'C', 'f.hours_to_contact <= 24'],
  ['contacted_before24h', 'C', 'f.hours_to_contact < 24'],
  ['contacted72h', 'C', 'f.hours_to_contact <= 72'],
  ['naloxone_kits_left', 'C', 'true', 'f.kits'],
  ['treatment_entered', 'C', 'f.treatment'],
  ['identified', 'C', 'f.identified'],
  ['repeat_within30_days', 'C', `f.next_overdose_after <= interval '30 days'`],
  ['repeat_within90_days', 'C', 'f.next_overdose_after is not null'],
  ['lead_enrolled', 'C', 'f.lead'],
];

/**
 * The dimensions a cell is split by besides day and county (the spec's expressions, frozen):
 * `''` is the unit's total row; OUTCOME and AGENCY differ between overdoses (`:O`: fatal or not,
 * the reporting agency) and cases (`:C`: close reason, the routed agency); a unit is in every
 * substance category and every "given by" it has (the rows of those add up to more than the
 * total, as in the aggregates).
 */
const DIMENSIONS = `select '', '' union all
  select 'AGE_BAND', coalesce(f.age_band, 'UNKNOWN') union all
  select 'SEX', coalesce(f.sex, 'UNKNOWN') union all
  select 'RACE_ETHNICITY', f.race union all
  select 'CASE_SOURCE', f.case_source union all
  select 'OFFICER_PRESENCE', f.presence union all
  select 'OUTCOME:O', case when f.fatal then 'FATAL' else 'NON_FATAL' end union all
  select 'OUTCOME:C', f.outcome union all
  select 'AGENCY:O', f.reporting_agency_id::text union all
  select 'AGENCY:C', coalesce(f.routed_agency_id::text, 'UNROUTED') union all
  select 'SUBSTANCE_CATEGORY', s from unnest(f.substances) s union all
  select 'NALOXONE_GIVEN_BY', g from unnest(f.given_by) g`;

/**
 * Two grains: local days (any range, weeks), and local months (the first of the month as its day)
 * for questions over whole months, about thirty times fewer rows to add up.
 */
type Grain = 'day' | 'month';
const GRAINS: Record<Grain, string> = { day: 'stats_cell', month: 'stats_cell_month' };

/** Both grains' cells of a set of fact rows. */
const APPLY_ALL = (source: string, sign: 1 | -1, zones?: string) =>
  (['day', 'month'] as const).map((grain) => APPLY(source, sign, grain, zones)).join(';\n');

/** The dimensions of DIMENSIONS other than the unit's own row (one partition each). */
const SPLITS = [...DIMENSIONS.matchAll(/select '([A-Z_:]+)'/g)].map((m) => m[1]);

const FAMILY = { O: 'f.counted', C: 'f.is_case_kept' };

const amount = ([, family, filter, weight]: (typeof MEASURES)[number], key: boolean) =>
  `case when ${FAMILY[family]} and coalesce(${filter}, false) then ${key ? 'f.record_key::bigint * ' : ''}${weight ?? '1'} else 0 end`;

const COLUMNS = MEASURES.flatMap(([name]) => [`n_${name}`, `k_${name}`]);

/**
 * Adds (sign 1) or takes away (sign -1) the cells of a set of fact rows (`source`: a transition
 * table or stats_fact itself), in every kept time zone. History (a backfill) is never a case
 * (aggregate-sql.ts CASE_BASE): it is looked up on the report, which a backfill never changes.
 */
const APPLY = (source: string, sign: 1 | -1, grain: Grain, zones = 'stats_cell_zone') => `
  insert into ${GRAINS[grain]} as c (zone, day, county, dim, value, ${COLUMNS.join(', ')})
  select z.zone, date_trunc('${grain}', f.occurred_at at time zone z.zone)::date, f.county, d.dim, d.value,
         ${MEASURES.flatMap((m) => [`${sign} * sum(${amount(m, false)})::int`, `${sign} * sum(${amount(m, true)})::bigint`]).join(',\n         ')}
    from (select s.*,
                 s.is_case and not exists (select 1 from overdose_incident h where h.id = s.unit_id and h.historical) as is_case_kept,
                 extract(epoch from s.first_attempt_at - s.occurred_at) / 3600 as hours_to_attempt,
                 extract(epoch from s.first_contact_at - s.occurred_at) / 3600 as hours_to_contact
            from ${source} s where s.counted or s.is_case
          -- Worked out once per row, not once per measure that reads it.
          offset 0) f
    cross join lateral (${DIMENSIONS}) d(dim, value)
    cross join ${zones} z
   where d.value is not null
   group by 1, 2, 3, 4, 5
  on conflict (zone, dim, county, day, value) do update
    set ${COLUMNS.map((c) => `${c} = c.${c} + excluded.${c}`).join(', ')}`;

/**
 * The statement has one sum per measure: over a transition table of a few rows the planner still
 * costs it high enough to compile it (JIT), which takes seconds for nothing.
 */
const NO_JIT = 'set jit = off';

/**
 * Issue 15 point 9: the aggregates served from pre-aggregated cells. `stats_cell` holds, per time
 * zone × local day × county × (dimension, value), every count of overdoseStats, followUpStats and
 * outcomeStats with its record-key sum: each counted unit once (the shared copy; an agency's own
 * numbers are few and read from the fact table). It is kept by statement triggers on the fact
 * table itself, so everything that keeps the fact table right (amendments, late reports, event
 * merges and their undo, attempts, outcomes, LEAD, deletions) keeps the cells right, in the same
 * transaction: a refresh takes a unit's old row away and adds its new one.
 *
 * Days are local, so the cells are kept for a set of zones (`stats_cell_zone`): the hub's default
 * (America/New_York), the zone of HUB_TIME_ZONE when this ran and every agency's own; an
 * agency that sets a new zone adds it (stats-cells.ts keepZone). A question in a zone whose cells
 * are not ready is answered from the fact table, exactly as before.
 */
export class Migration20261207170000_stats_cells extends Migration {
  override async up(): Promise<void> {
    // A maintenance step, not a request: on a million reports it runs for minutes.
    this.addSql(`set local statement_timeout = 0;`);
    // A zone is kept by the triggers from when it is added; its cells are whole (ready) once
    // they are built from the fact table (stats_cell_keep_zone, or a rebuild).
    this.addSql(
      `create table stats_cell_zone (zone text primary key, ready boolean not null default false);`,
    );
    // One partition per dimension: a question reads one or two of them, whose rows then lie
    // together on disk instead of among every other dimension's.
    for (const cells of Object.values(GRAINS)) {
      this.addSql(`create table ${cells} (
      zone text not null, day date not null, county char(5) not null, dim text not null, value text not null,
      ${MEASURES.map(([name]) => `n_${name} int not null default 0, k_${name} bigint not null default 0`).join(',\n      ')},
      constraint ${cells}_pkey primary key (zone, dim, county, day, value)) partition by list (dim);`);
      this.addSql(`create table ${cells}_unit partition of ${cells} for values in ('');`);
      for (const dim of SPLITS) {
        const table = `${cells}_${dim.toLowerCase().replace(':', '_')}`;
        this.addSql(`create table ${table} partition of ${cells} for values in ('${dim}');`);
      }
    }
    const zones = ['America/New_York', process.env.HUB_TIME_ZONE].filter(
      (z): z is string => !!z && /^[A-Za-z0-9_+\-/]+$/.test(z),
    );
    this.addSql(`insert into stats_cell_zone (zone, ready)
      select z, true from unnest(array[${zones.map((z) => `'${z}'`).join(', ')}]) z
       where exists (select 1 from pg_timezone_names where name = z)
      union select time_zone, true from stats_calendar where time_zone is not null
      on conflict do nothing;`);

    for (const [event, body] of [
      ['insert', APPLY_ALL('new_rows', 1)],
      ['delete', APPLY_ALL('old_rows', -1)],
      ['update', `${APPLY_ALL('old_rows', -1)};\n${APPLY_ALL('new_rows', 1)}`],
    ] as const) {
      this
        .addSql(`create or replace function stats_cell_fact_${event}() returns trigger language plpgsql
        ${NO_JIT} as $$
        begin
          if not stats_rollup_on() then return null; end if;
          ${body};
          return null;
        end $$;`);
      const referencing = {
        insert: 'new table as new_rows',
        delete: 'old table as old_rows',
        update: 'old table as old_rows new table as new_rows',
      }[event];
      this.addSql(`create trigger stats_cell_fact_${event} after ${event} on stats_fact
        referencing ${referencing} for each statement execute function stats_cell_fact_${event}();`);
    }

    // The cells of one more zone, from the fact table (setStatsCalendar with a new zone).
    this
      .addSql(`create or replace function stats_cell_keep_zone(p_zone text) returns void language plpgsql
        ${NO_JIT} as $$
      begin
        if exists (select 1 from stats_cell_zone where zone = p_zone and ready) then return; end if;
        -- Writers wait while the zone is built: none of their changes is missed or counted twice.
        lock table stats_fact in share mode;
        delete from stats_cell where zone = p_zone;
        delete from stats_cell_month where zone = p_zone;
        ${APPLY_ALL('stats_fact', 1, '(select p_zone as zone) ')};
        insert into stats_cell_zone (zone, ready) values (p_zone, true)
          on conflict (zone) do update set ready = true;
      end $$;`);
    // A zone kept from now on, whole after the next rebuild (no lock, no wait for writers).
    this
      .addSql(`create or replace function stats_cell_want_zone(p_zone text) returns void language sql as $$
      insert into stats_cell_zone (zone) values (p_zone) on conflict do nothing $$;`);
    // Every cell anew from the fact table (refreshStatsRollup, the synthetic seeder's load).
    this.addSql(`create or replace function stats_cell_rebuild() returns void language plpgsql
      ${NO_JIT} as $$
      begin
        lock table stats_cell, stats_cell_month in exclusive mode;
        delete from stats_cell;
        delete from stats_cell_month;
        ${APPLY('stats_fact', 1, 'day')};
        -- The months from the days: the same sums, without working out every unit again.
        insert into stats_cell_month (zone, day, county, dim, value, ${COLUMNS.join(', ')})
        select zone, date_trunc('month', day)::date, county, dim, value, ${COLUMNS.map((c) => `sum(${c})`).join(', ')}
          from stats_cell group by 1, 2, 3, 4, 5;
        update stats_cell_zone set ready = true where not ready;
      end $$;`);
    this.addSql(`select stats_cell_rebuild();`);
    this.addSql(`analyze stats_cell;`);
    this.addSql(`analyze stats_cell_month;`);
  }

  override async down(): Promise<void> {
    for (const event of ['insert', 'delete', 'update']) {
      this.addSql(`drop trigger if exists stats_cell_fact_${event} on stats_fact;`);
      this.addSql(`drop function if exists stats_cell_fact_${event}();`);
    }
    this.addSql(`drop function if exists stats_cell_keep_zone(text);`);
    this.addSql(`drop function if exists stats_cell_want_zone(text);`);
    this.addSql(`drop function if exists stats_cell_rebuild();`);
    this.addSql(`drop table if exists stats_cell;`);
    this.addSql(`drop table if exists stats_cell_month;`);
    this.addSql(`drop table if exists stats_cell_zone;`);
  }
}
