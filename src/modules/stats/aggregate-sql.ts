import { and, pgArray, sql, type Sql } from '../../common/sql';
import { CONTACT_OUTCOMES } from '../outreach/outreach-codes';
import {
  SubstanceCategory,
  SuspectedSubstance,
  substanceCategories,
} from '../incident/incident-codes';
import type { StatsFilterInput } from './aggregate.input';
import { timeGroupSql, type Calendar, type DateRange } from './calendar';
import { COUNT_UNIT } from './count-unit';
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
  };
  dimensions: Partial<Record<StatsDimension, (calendar: Calendar) => DimensionSql>>;
  counts: Record<string, CountMeasure>;
  /** Percentiles over hours columns of the base, by name. */
  hours?: Record<string, string>;
}

const text = (expr: string) => () => ({ expr });

/** The SQL of the substance → category map of incident-codes.ts, so both say the same. */
const SUBSTANCE_CASE = `case s::text ${Object.values(SuspectedSubstance)
  .map((s) => `when '${s}' then '${substanceCategories([s])[0]}'`)
  .join(' ')} else '${SubstanceCategory.UNKNOWN}' end`;

/** Columns every base has, from the counted unit `i` and its survivor `p`. */
const UNIT_COLUMNS = `i.occurred_at, i.county, i.fatal, i.age_band::text as age_band, p.sex,
  ${COUNT_UNIT.key} as record_key,
  extract(epoch from ${COUNT_UNIT.receivedAt} - i.occurred_at) / 3600 as lag_hours,
  case when p.race_ethnicity is null or cardinality(array_remove(p.race_ethnicity, 'UNKNOWN')) = 0 then 'UNKNOWN'
       when 'HISPANIC_OR_LATINO' = any(p.race_ethnicity) then 'HISPANIC_OR_LATINO'
       when cardinality(array_remove(p.race_ethnicity, 'UNKNOWN')) > 1 then 'MULTIPLE'
       else (array_remove(p.race_ethnicity, 'UNKNOWN'))[1]::text end as race,
  coalesce(nullif(array(select distinct ${SUBSTANCE_CASE} from unnest(i.suspected_substances) s order by 1),
                  '{}'::text[]), '{UNKNOWN}'::text[]) as substances,
  coalesce(nullif(array(select distinct n.administered_by::text from naloxone_administration n
                         where n.incident_id = i.id order by 1), '{}'::text[]), '{NONE}'::text[]) as given_by,
  (select case a.kind when 'LAW_ENFORCEMENT' then 'EMERGENCY_RESPONSE' when 'EMS' then 'EMERGENCY_RESPONSE'
                      when 'HARM_REDUCTION' then 'COMMUNITY' else 'REFERRAL' end
     from agency a where a.id = i.reporting_agency_id) as case_source`;

const UNIT_FROM = `from ${COUNT_UNIT.from} ${COUNT_UNIT.keyJoin} left join person p on p.id = i.person_id`;

const COMMON_DIMENSIONS: AggregateSpec['dimensions'] = {
  [StatsDimension.DAY]: (c) => ({ expr: timeGroupSql('DAY', 'occurred_at', c) }),
  [StatsDimension.WEEK]: (c) => ({ expr: timeGroupSql('WEEK', 'occurred_at', c) }),
  [StatsDimension.MONTH]: (c) => ({ expr: timeGroupSql('MONTH', 'occurred_at', c) }),
  [StatsDimension.QUARTER]: (c) => ({ expr: timeGroupSql('QUARTER', 'occurred_at', c) }),
  [StatsDimension.FISCAL_YEAR]: (c) => ({ expr: timeGroupSql('FISCAL_YEAR', 'occurred_at', c) }),
  [StatsDimension.COUNTY]: text('county::text'),
  [StatsDimension.AGENCY]: text('agency_id'),
  [StatsDimension.AGE_BAND]: text(`coalesce(age_band, 'UNKNOWN')`),
  [StatsDimension.SEX]: text(`coalesce(sex::text, 'UNKNOWN')`),
  [StatsDimension.RACE_ETHNICITY]: text('race'),
  [StatsDimension.SUBSTANCE_CATEGORY]: () => ({ expr: 'substances', multi: true }),
  [StatsDimension.NALOXONE_GIVEN_BY]: () => ({ expr: 'given_by', multi: true }),
  [StatsDimension.CASE_SOURCE]: text('case_source'),
};

export const OVERDOSE_SPEC: AggregateSpec = {
  base: `select ${UNIT_COLUMNS}, i.reporting_agency_id::text as agency_id, i.ems_disposition,
                (select count(*) from naloxone_administration n where n.incident_id = i.id)::int as doses
           ${UNIT_FROM}
           left join overdose_case c on c.index_incident_id = i.id
          where c.status is distinct from 'ENTERED_IN_ERROR' and %WHERE%`,
  columns: {
    occurredAt: 'i.occurred_at',
    county: 'i.county',
    agency: 'i.reporting_agency_id',
    routedAgency: 'c.routed_agency_id',
    reportingAgency: 'i.reporting_agency_id',
  },
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

const CONTACT = `'${pgArray(CONTACT_OUTCOMES)}'::attempt_outcome[]`;

const CASE_FROM = `
   from overdose_case c
   join ${COUNT_UNIT.from} on i.id = c.index_incident_id
   ${COUNT_UNIT.keyJoin}
   left join person p on p.id = c.person_id
   left join lateral (
     select min(a.attempted_at) as first_attempt_at,
            min(a.attempted_at) filter (where a.outcome = any(${CONTACT})) as first_contact_at,
            max(a.officer_presence)::text as presence,
            sum(a.naloxone_kits_for_person + a.naloxone_kits_for_family)::int as kits
       from outreach_attempt a where a.case_id = c.id) fa on true
   -- One probe for both stages a case can reach (the index on case_id, to_status).
   left join lateral (
     select bool_or(e.to_status = 'ENGAGED') as engaged, bool_or(e.to_status = 'LINKED') as linked
       from case_event e where e.case_id = c.id and e.to_status in ('ENGAGED', 'LINKED')) ev on true
  where not i.fatal and c.status <> 'ENTERED_IN_ERROR' and %WHERE%`;

/**
 * Usable contact information: a phone number or a street address on file for the survivor
 * (their presence only; the values stay encrypted and unread).
 */
const CASE_COLUMNS = `${UNIT_COLUMNS}, coalesce(c.routed_agency_id::text, 'UNROUTED') as agency_id,
  c.routed_agency_id is not null as routed,
  (p.phone is not null or p.street is not null) as has_contact,
  coalesce(c.close_reason::text, 'OPEN') as outcome,
  coalesce(fa.presence, 'NO_ATTEMPT') as presence, fa.first_attempt_at, fa.first_contact_at,
  coalesce(ev.engaged, false) as engaged, coalesce(ev.linked, false) as linked`;

const CASE_SHARED = {
  columns: {
    occurredAt: 'i.occurred_at',
    county: 'i.county',
    agency: 'c.routed_agency_id',
    routedAgency: 'c.routed_agency_id',
    reportingAgency: 'i.reporting_agency_id',
  },
  dimensions: {
    ...COMMON_DIMENSIONS,
    [StatsDimension.OFFICER_PRESENCE]: text('presence'),
    [StatsDimension.OUTCOME]: text('outcome'),
  },
};

export const FOLLOW_UP_SPEC: AggregateSpec = {
  ...CASE_SHARED,
  base: `select ${CASE_COLUMNS}, coalesce(fa.kits, 0) as kits,
                extract(epoch from fa.first_attempt_at - i.occurred_at) / 3600 as hours_to_attempt,
                extract(epoch from fa.first_contact_at - i.occurred_at) / 3600 as hours_to_contact
         ${CASE_FROM}`,
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

/** The survivor's next overdose within 90 days, in one probe of (person_id, occurred_at). */
const NEXT_OVERDOSE = `(select min(r.occurred_at) from overdose_incident r
   where r.person_id = c.person_id
     and r.occurred_at > i.occurred_at and r.occurred_at <= i.occurred_at + interval '90 days')`;

export const OUTCOME_SPEC: AggregateSpec = {
  ...CASE_SHARED,
  base: `select ${CASE_COLUMNS}, c.person_id is not null as identified,
                exists (select 1 from outcome o where o.case_id = c.id
                           and o.type in ('TREATMENT_ADMITTED', 'MOUD_STARTED', 'DETOX')) as treatment,
                ${NEXT_OVERDOSE} - i.occurred_at as next_overdose_after,
                exists (select 1 from lead_referral l
                         where (l.case_id = c.id or l.person_id = c.person_id)
                           and (l.status in ('ACTIVE', 'INACTIVE')
                                or (l.status = 'EXITED'
                                    and l.exit_reason not in ('INTAKE_NOT_COMPLETED', 'DECLINED')))) as lead
         ${CASE_FROM}`,
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
  const names = groupBy
    .map((d, i) => {
      if (d === StatsDimension.AGENCY)
        return `, (select name from agency where id::text = s.k${i}) as agency_name`;
      if (d === StatsDimension.COUNTY)
        return `, (select county_name from county_population where county = s.k${i}
                    order by year desc limit 1) as county_name`;
      return '';
    })
    .join('');
  const textSql = `with base as materialized (${spec.base.replace('%WHERE%', where.text)})
    select s.*${names} from (${selects.join('\n union all\n')}) s`;
  return { text: textSql, bindings: where.bindings };
}
