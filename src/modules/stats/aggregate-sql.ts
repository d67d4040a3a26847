import { and, pgArray, sql, type Sql } from '../../common/sql';
import type { StatsFilterInput } from './aggregate.input';
import { timeGroupSql, type Calendar, type DateRange } from './calendar';
import { StatsDimension } from './stats-dimension';

/**
 * The aggregates as SQL. Each is one statement over a `base` of one row per counted unit (or
 * per case), its metrics as columns; the cells, both margins and the total are one GROUP BY each
 * (UNION ALL), so that a dimension with several values per unit (substances, who gave naloxone)
 * is unnested only where it is grouped and never double-counts a total. Every count comes with
 * the sum of its records' keys, for cell-key perturbation of shared tables.
 */
export interface CountMeasure {
  /** Which base rows the count takes (default: all). */
  filter?: string;
  /** A per-row amount to add up instead of counting rows (e.g. naloxone doses). */
  weight?: string;
}

export interface DimensionSql {
  /** A text expression over the base's columns. */
  expr: string;
  /** `expr` is a text[] of which each element is a group (unnested where grouped). */
  multi?: boolean;
}

export interface AggregateSpec {
  /** The base rows: one `%WHERE%` for the filter, scope and exclusions. */
  base: string;
  columns: {
    occurredAt: string;
    county: string;
    agency: string;
    routedAgency: string;
    reportingAgency: string;
    sourceAgencies?: string;
  };
  dimensions: Partial<Record<StatsDimension, (calendar: Calendar) => DimensionSql>>;
  counts: Record<string, CountMeasure>;
  /** Percentiles over hours columns of the base, by name. */
  hours?: Record<string, string>;
  /**
   * Which units' cells answer it (stats-cells.ts): overdoses (`O`, every counted event) or
   * non-fatal cases (`C`); the OUTCOME and AGENCY cells of the two differ.
   */
  cellFamily?: 'O' | 'C';
}

const text = (expr: string) => () => ({ expr });

/**
 * Where the aggregates read their units: the fact table the triggers keep current (one row per
 * counted unit, count-unit.ts), or — for the tests that check it — the view that computes the
 * same rows from scratch.
 */
export const FACT_SOURCE = 'stats_fact';
export const FACT_FROM_SCRATCH = '(select * from stats_fact_source)';

const COMMON_DIMENSIONS: AggregateSpec['dimensions'] = {
  [StatsDimension.DAY]: (c) => ({ expr: timeGroupSql('DAY', 'occurred_at', c) }),
  [StatsDimension.WEEK]: (c) => ({ expr: timeGroupSql('WEEK', 'occurred_at', c) }),
  [StatsDimension.MONTH]: (c) => ({ expr: timeGroupSql('MONTH', 'occurred_at', c) }),
  [StatsDimension.QUARTER]: (c) => ({ expr: timeGroupSql('QUARTER', 'occurred_at', c) }),
  [StatsDimension.FISCAL_YEAR]: (c) => ({ expr: timeGroupSql('FISCAL_YEAR', 'occurred_at', c) }),
  [StatsDimension.COUNTY]: text('county::text'),
  [StatsDimension.AGENCY]: text('agency_id'),
  [StatsDimension.AGE_BAND]: text(`coalesce(age_band, 'UNKNOWN')`),
  [StatsDimension.SEX]: text(`coalesce(sex, 'UNKNOWN')`),
  [StatsDimension.RACE_ETHNICITY]: text('race'),
  [StatsDimension.SUBSTANCE_CATEGORY]: () => ({ expr: 'substances', multi: true }),
  [StatsDimension.NALOXONE_GIVEN_BY]: () => ({ expr: 'given_by', multi: true }),
  [StatsDimension.CASE_SOURCE]: text('case_source'),
};

const FACT_COLUMNS = {
  occurredAt: 'f.occurred_at',
  county: 'f.county',
  reportingAgency: 'f.reporting_agency_id',
  routedAgency: 'f.routed_agency_id',
  sourceAgencies: 'f.source_agency_ids',
};

export const OVERDOSE_SPEC: AggregateSpec = {
  cellFamily: 'O',
  base: `select f.*, f.reporting_agency_id::text as agency_id
           from ${FACT_SOURCE} f where f.counted and %WHERE%`,
  columns: { ...FACT_COLUMNS, agency: 'f.reporting_agency_id' },
  dimensions: {
    ...COMMON_DIMENSIONS,
    [StatsDimension.OUTCOME]: text(`case when fatal then 'FATAL' else 'NON_FATAL' end`),
  },
  counts: {
    incidents: {},
    fatal: { filter: 'fatal' },
    naloxoneDoses: { weight: 'doses' },
    multipleNaloxone: { filter: 'doses >= 2' },
    refusedTransport: { filter: `ems_disposition = 'REFUSED_TRANSPORT'` },
  },
  hours: {
    lagMedian: 'percentile_cont(0.5) within group (order by lag_hours)',
    lagP90: 'percentile_cont(0.9) within group (order by lag_hours)',
  },
};

/** Non-fatal cases (not entered in error), with their routed agency as AGENCY. */
const CASE_BASE = (extra: string) =>
  `select f.*, coalesce(f.routed_agency_id::text, 'UNROUTED') as agency_id${extra}
     from ${FACT_SOURCE} f where f.is_case and %WHERE%
        -- History (a backfill) was never routed: it counts as an overdose, not as a follow-up.
        and not exists (select 1 from overdose_incident h where h.id = f.unit_id and h.historical)`;

const CASE_SHARED = {
  cellFamily: 'C' as const,
  columns: { ...FACT_COLUMNS, agency: 'f.routed_agency_id' },
  dimensions: {
    ...COMMON_DIMENSIONS,
    [StatsDimension.OFFICER_PRESENCE]: text('presence'),
    [StatsDimension.OUTCOME]: text('outcome'),
  },
};

export const FOLLOW_UP_SPEC: AggregateSpec = {
  ...CASE_SHARED,
  base: CASE_BASE(`,
    extract(epoch from f.first_attempt_at - f.occurred_at) / 3600 as hours_to_attempt,
    extract(epoch from f.first_contact_at - f.occurred_at) / 3600 as hours_to_contact`),
  counts: {
    cases: {},
    routed: { filter: 'routed' },
    withContactInfo: { filter: 'has_contact' },
    attempted: { filter: 'first_attempt_at is not null' },
    contacted: { filter: 'first_contact_at is not null' },
    engaged: { filter: 'engaged' },
    linked: { filter: 'linked' },
    attempted24h: { filter: 'hours_to_attempt <= 24' },
    attempted72h: { filter: 'hours_to_attempt <= 72' },
    routedAttempted72h: { filter: 'routed and hours_to_attempt <= 72' },
    contacted24h: { filter: 'hours_to_contact <= 24' },
    contactedBefore24h: { filter: 'hours_to_contact < 24' },
    contacted72h: { filter: 'hours_to_contact <= 72' },
    naloxoneKitsLeft: { weight: 'kits' },
  },
  hours: {
    attemptMedian: 'percentile_cont(0.5) within group (order by hours_to_attempt)',
    attemptP90: 'percentile_cont(0.9) within group (order by hours_to_attempt)',
    contactMedian: 'percentile_cont(0.5) within group (order by hours_to_contact)',
    contactP90: 'percentile_cont(0.9) within group (order by hours_to_contact)',
    lagMedian: 'percentile_cont(0.5) within group (order by lag_hours)',
    lagP90: 'percentile_cont(0.9) within group (order by lag_hours)',
  },
};

export const OUTCOME_SPEC: AggregateSpec = {
  ...CASE_SHARED,
  base: CASE_BASE(''),
  counts: {
    cases: {},
    contacted: { filter: 'first_contact_at is not null' },
    engaged: { filter: 'engaged' },
    linked: { filter: 'linked' },
    treatmentEntered: { filter: 'treatment' },
    identified: { filter: 'identified' },
    repeatWithin30Days: { filter: `next_overdose_after <= interval '30 days'` },
    repeatWithin90Days: { filter: 'next_overdose_after is not null' },
    leadEnrolled: { filter: 'lead' },
  },
};

/** A spec reading from another source of fact rows (the from-scratch view, in tests). */
export function withSource(spec: AggregateSpec, source: string): AggregateSpec {
  return { ...spec, base: spec.base.replace(FACT_SOURCE, source) };
}

/** The caller's filter as conditions on the base's own tables. */
export function filterSql(
  spec: AggregateSpec,
  filter: StatsFilterInput | undefined,
  range: DateRange,
): Sql {
  const parts: Sql[] = [];
  const col = spec.columns;
  if (range.from) parts.push(sql(`${col.occurredAt} >= ${range.from.text}`, range.from.binding));
  if (range.to) parts.push(sql(`${col.occurredAt} < ${range.to.text}`, range.to.binding));
  if (filter?.counties)
    parts.push(sql(`${col.county} = any(?::bpchar[])`, pgArray(filter.counties)));
  if (filter?.agencyIds)
    parts.push(sql(`${col.agency} = any(?::uuid[])`, pgArray(filter.agencyIds)));
  return and(parts);
}

/** The count's value and its key sum as select expressions. */
function measureSql(name: string, m: CountMeasure): string[] {
  const where = m.filter ? ` filter (where ${m.filter})` : '';
  const value = m.weight ? `coalesce(sum(${m.weight})${where}, 0)` : `count(*)${where}`;
  const keyWeight = m.weight ? ` * (${m.weight})` : '';
  return [
    `${value}::int as "${name}"`,
    `coalesce(sum(record_key::bigint${keyWeight})${where}, 0)::text as "${name}__key"`,
  ];
}

/**
 * Result columns: g (the GROUPING bitmask: bit i set = dimension i rolled up), k0, k1, agency
 * and county names, each count with its key sum, hours.
 */
export function aggregateSql(
  spec: AggregateSpec,
  groupBy: readonly StatsDimension[],
  where: Sql,
  calendar: Calendar,
): Sql {
  const dims = groupBy.map((d) => spec.dimensions[d]!(calendar));
  const measures = [
    ...Object.entries(spec.counts).flatMap(([name, m]) => measureSql(name, m)),
    ...Object.entries(spec.hours ?? {}).map(([name, expr]) => `${expr} as "${name}"`),
  ].join(', ');
  // Grouping sets: every subset of the dimensions, largest first.
  const sets: number[][] =
    dims.length === 2 ? [[0, 1], [0], [1], []] : dims.length === 1 ? [[0], []] : [[]];
  const selects = sets.map((set) => {
    const g = dims.reduce((bits, _, i) => (set.includes(i) ? bits : bits | (1 << i)), 0);
    const laterals = set
      .filter((i) => dims[i].multi)
      .map((i) => ` cross join lateral unnest(b.${dims[i].expr}) as u${i}(v)`)
      .join('');
    const keyOf = (i: number) => (dims[i].multi ? `u${i}.v` : dims[i].expr);
    const keys = dims.map((_, i) => (set.includes(i) ? `${keyOf(i)}::text` : 'null::text'));
    const groupByText = set.length ? ` group by ${set.map((i) => keyOf(i)).join(', ')}` : '';
    return `select ${g} as g, ${keys.map((k, i) => `${k} as k${i}`).join(', ')}${keys.length ? ', ' : ''}${measures}
              from base b${laterals}${groupByText}`;
  });
  const textSql = `with base as materialized (${spec.base.replace('%WHERE%', where.text)})
    select s.*${namesSql(groupBy)} from (${selects.join('\n union all\n')}) s`;
  return { text: textSql, bindings: where.bindings };
}

/** The agency's and county's names of a result's keys (`s.k<i>`), as select columns. */
export function namesSql(groupBy: readonly StatsDimension[]): string {
  return groupBy
    .map((d, i) => {
      if (d === StatsDimension.AGENCY)
        return `, (select name from agency where id::text = s.k${i}) as agency_name`;
      if (d === StatsDimension.COUNTY)
        return `, (select county_name from county_population where county = s.k${i}
                    order by year desc limit 1) as county_name`;
      return '';
    })
    .join('');
}
