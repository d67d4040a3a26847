import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 15 point 9: a week grain of the statistics cells (`stats_cell_week`), beside the day and
 * month grains of migration stats_cells. ISO weeks are not whole months, so a question by week
 * (or over a range bounded by Mondays) read the day cells: seven times the rows, and as many
 * again for the overlap ledger's difference with an earlier region. The week cells are kept by
 * the same statement triggers on the fact table as the day and month cells (their functions are
 * replaced here to write all three grains), built from the day cells of every kept zone, and
 * rebuilt with them (stats_cell_rebuild). stats_cell_keep_zone builds a new zone's weeks too.
 *
 * The measures and dimensions below are those of migration stats_cells, frozen again here (a
 * migration does not read another's code).
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
 * Three grains now: local days (any range), ISO weeks (the Monday as their day) for questions
 * by week or over whole weeks, about seven times fewer rows to add up, and local months.
 */
type Grain = 'day' | 'week' | 'month';
const GRAINS: Record<Grain, string> = {
  day: 'stats_cell',
  week: 'stats_cell_week',
  month: 'stats_cell_month',
};

/** The cells of a set of fact rows in the given grains. */
const APPLY_ALL = (source: string, sign: 1 | -1, zones?: string, grains: Grain[] = ALL) =>
  grains.map((grain) => APPLY(source, sign, grain, zones)).join(';\n');
const ALL: Grain[] = ['day', 'week', 'month'];
const BEFORE: Grain[] = ['day', 'month'];

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

function functions(grains: Grain[]): string[] {
  const statements: string[] = [];
  for (const [event, text] of [
    ['insert', APPLY_ALL('new_rows', 1, undefined, grains)],
    ['delete', APPLY_ALL('old_rows', -1, undefined, grains)],
    [
      'update',
      `${APPLY_ALL('old_rows', -1, undefined, grains)};\n${APPLY_ALL('new_rows', 1, undefined, grains)}`,
    ],
  ] as const) {
    statements.push(`create or replace function stats_cell_fact_${event}() returns trigger language plpgsql
        ${NO_JIT} as $$
        begin
          if not stats_rollup_on() then return null; end if;
          ${text};
          return null;
        end $$;`);
  }
  const week = grains.includes('week');
  statements.push(`create or replace function stats_cell_keep_zone(p_zone text) returns void language plpgsql
        ${NO_JIT} as $$
      begin
        if exists (select 1 from stats_cell_zone where zone = p_zone and ready) then return; end if;
        -- Writers wait while the zone is built: none of their changes is missed or counted twice.
        lock table stats_fact in share mode;
        ${grains.map((g) => `delete from ${GRAINS[g]} where zone = p_zone;`).join('\n        ')}
        ${APPLY_ALL('stats_fact', 1, '(select p_zone as zone) ', grains)};
        insert into stats_cell_zone (zone, ready) values (p_zone, true)
          on conflict (zone) do update set ready = true;
      end $$;`);
  const from = (
    grain: Grain,
  ) => `insert into ${GRAINS[grain]} (zone, day, county, dim, value, ${COLUMNS.join(', ')})
        select zone, date_trunc('${grain}', day::timestamp)::date, county, dim, value, ${COLUMNS.map((c) => `sum(${c})`).join(', ')}
          from stats_cell group by 1, 2, 3, 4, 5`;
  statements.push(`create or replace function stats_cell_rebuild() returns void language plpgsql
      ${NO_JIT} as $$
      begin
        lock table ${grains.map((g) => GRAINS[g]).join(', ')} in exclusive mode;
        ${grains.map((g) => `delete from ${GRAINS[g]};`).join('\n        ')}
        ${APPLY('stats_fact', 1, 'day')};
        -- The weeks and months from the days: the same sums, without working out every unit again.
        ${week ? `${from('week')};` : ''}
        ${from('month')};
        update stats_cell_zone set ready = true where not ready;
      end $$;`);
  return statements;
}

export class Migration20261207200000_stats_cell_week extends Migration {
  override async up(): Promise<void> {
    // A maintenance step, not a request: on a million reports it runs for a minute or so.
    this.addSql(`set local statement_timeout = 0;`);
    // Writers wait while the weeks are built from the days: none of their changes is missed.
    this.addSql(`lock table stats_fact in share mode;`);
    this.addSql(`create table stats_cell_week (
      zone text not null, day date not null, county char(5) not null, dim text not null, value text not null,
      ${MEASURES.map(([name]) => `n_${name} int not null default 0, k_${name} bigint not null default 0`).join(',\n      ')},
      constraint stats_cell_week_pkey primary key (zone, dim, county, day, value)) partition by list (dim);`);
    this.addSql(
      `create table stats_cell_week_unit partition of stats_cell_week for values in ('');`,
    );
    for (const dim of SPLITS) {
      this.addSql(
        `create table stats_cell_week_${dim.toLowerCase().replace(':', '_')} partition of stats_cell_week for values in ('${dim}');`,
      );
    }
    // Every kept zone's weeks from its days (a zone wanted but not built yet has partial days,
    // and gets whole weeks with its days at the next rebuild).
    this.addSql(`insert into stats_cell_week (zone, day, county, dim, value, ${COLUMNS.join(', ')})
      select zone, date_trunc('week', day::timestamp)::date, county, dim, value, ${COLUMNS.map((c) => `sum(${c})`).join(', ')}
        from stats_cell group by 1, 2, 3, 4, 5;`);
    for (const statement of functions(ALL)) this.addSql(statement);
    this.addSql(`analyze stats_cell_week;`);
  }

  override async down(): Promise<void> {
    for (const statement of functions(BEFORE)) this.addSql(statement);
    this.addSql(`drop table if exists stats_cell_week;`);
  }
}
