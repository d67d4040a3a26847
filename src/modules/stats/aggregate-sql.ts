import { and, pgArray, sql, type Sql } from '../../common/sql';
import { CONTACT_OUTCOMES } from '../outreach/outreach-codes';
import type { StatsFilterInput } from './aggregate.input';
import { StatsDimension } from './stats-dimension';

/**
 * The three aggregates as SQL. Each is one statement: a `base` of one row per incident or case
 * (its metrics as columns, worked out by correlated lookups on indexed keys), grouped by up to
 * two dimensions with GROUPING SETS so that the cells, both margins and the grand total come
 * back together for disclosure control.
 */
export interface AggregateSpec {
  /** The base rows: `text` has one `%WHERE%` for the filter, scope and exclusions. */
  base: string;
  columns: {
    occurredAt: string;
    county: string;
    agency: string;
    routedAgency: string;
    reportingAgency: string;
  };
  dimensions: Partial<Record<StatsDimension, string>>;
  /** Count-like aggregates (each goes through suppression), by name. */
  counts: Record<string, string>;
  /** Percentiles over hours columns of the base, by name. */
  hours?: Record<string, string>;
}

const MONTH = `to_char(date_trunc('month', occurred_at at time zone 'UTC'), 'YYYY-MM')`;
const WEEK = `to_char(date_trunc('week', occurred_at at time zone 'UTC'), 'YYYY-MM-DD')`;
const COMMON_DIMENSIONS = {
  [StatsDimension.MONTH]: MONTH,
  [StatsDimension.WEEK]: WEEK,
  [StatsDimension.COUNTY]: `county::text`,
  [StatsDimension.AGENCY]: `agency_id`,
  [StatsDimension.AGE_BAND]: `coalesce(age_band, 'UNKNOWN')`,
  [StatsDimension.SEX]: `coalesce(sex::text, 'UNKNOWN')`,
};

/**
 * Sex of the survivor of incident `i` (person via `personColumn`). The age band is the
 * incident's own column, set at intake: it outlives the identity purge.
 */
const DEMOGRAPHICS = (personColumn: string) => `
  left join person p on p.id = ${personColumn}`;

export const OVERDOSE_SPEC: AggregateSpec = {
  base: `select i.occurred_at, i.county, i.reporting_agency_id::text as agency_id, i.fatal,
                i.ems_disposition, p.sex, i.age_band::text as age_band,
                (select count(*) from naloxone_administration n where n.incident_id = i.id)::int as doses
           from overdose_incident i
           left join overdose_case c on c.index_incident_id = i.id
           ${DEMOGRAPHICS('i.person_id')}
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
    [StatsDimension.OUTCOME]: `case when fatal then 'FATAL' else 'NON_FATAL' end`,
  },
  counts: {
    incidents: 'count(*)',
    fatal: 'count(*) filter (where fatal)',
    naloxoneDoses: 'coalesce(sum(doses), 0)',
    multipleNaloxone: 'count(*) filter (where doses >= 2)',
    refusedTransport: `count(*) filter (where ems_disposition = 'REFUSED_TRANSPORT')`,
  },
};

const CONTACT = `'${pgArray(CONTACT_OUTCOMES)}'::attempt_outcome[]`;

const CASE_FROM = `
   from overdose_case c
   join overdose_incident i on i.id = c.index_incident_id
   ${DEMOGRAPHICS('c.person_id')}
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
  -- History (a backfill) was never routed: it counts as an overdose, not as a follow-up.
  where not i.fatal and not i.historical and c.status <> 'ENTERED_IN_ERROR' and %WHERE%`;

const CASE_COLUMNS = `i.occurred_at, i.county, coalesce(c.routed_agency_id::text, 'UNROUTED') as agency_id,
  coalesce(c.close_reason::text, 'OPEN') as outcome, p.sex, i.age_band::text as age_band,
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
    [StatsDimension.OFFICER_PRESENCE]: 'presence',
    [StatsDimension.OUTCOME]: 'outcome',
  },
};

export const FOLLOW_UP_SPEC: AggregateSpec = {
  ...CASE_SHARED,
  base: `select ${CASE_COLUMNS}, coalesce(fa.kits, 0) as kits,
                extract(epoch from fa.first_attempt_at - i.occurred_at) / 3600 as hours_to_attempt,
                extract(epoch from fa.first_contact_at - i.occurred_at) / 3600 as hours_to_contact
         ${CASE_FROM}`,
  counts: {
    cases: 'count(*)',
    attempted: 'count(first_attempt_at)',
    contacted: 'count(first_contact_at)',
    engaged: 'count(*) filter (where engaged)',
    linked: 'count(*) filter (where linked)',
    attempted24h: 'count(*) filter (where hours_to_attempt <= 24)',
    attempted72h: 'count(*) filter (where hours_to_attempt <= 72)',
    contacted24h: 'count(*) filter (where hours_to_contact <= 24)',
    contacted72h: 'count(*) filter (where hours_to_contact <= 72)',
    naloxoneKitsLeft: 'coalesce(sum(kits), 0)',
  },
  hours: {
    attemptMedian: 'percentile_cont(0.5) within group (order by hours_to_attempt)',
    attemptP90: 'percentile_cont(0.9) within group (order by hours_to_attempt)',
    contactMedian: 'percentile_cont(0.5) within group (order by hours_to_contact)',
    contactP90: 'percentile_cont(0.9) within group (order by hours_to_contact)',
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
    cases: 'count(*)',
    contacted: 'count(first_contact_at)',
    engaged: 'count(*) filter (where engaged)',
    linked: 'count(*) filter (where linked)',
    treatmentEntered: 'count(*) filter (where treatment)',
    identified: 'count(*) filter (where identified)',
    repeatWithin30Days: `count(*) filter (where next_overdose_after <= interval '30 days')`,
    repeatWithin90Days: 'count(next_overdose_after)',
    leadEnrolled: 'count(*) filter (where lead)',
  },
};

/** The caller's filter as conditions on the base's own tables. */
export function filterSql(spec: AggregateSpec, filter: StatsFilterInput | undefined): Sql {
  const parts: Sql[] = [];
  const col = spec.columns;
  if (filter?.from)
    parts.push(sql(`${col.occurredAt} >= ?::timestamptz`, filter.from.toISOString()));
  if (filter?.to) parts.push(sql(`${col.occurredAt} < ?::timestamptz`, filter.to.toISOString()));
  if (filter?.counties)
    parts.push(sql(`${col.county} = any(?::bpchar[])`, pgArray(filter.counties)));
  if (filter?.agencyIds)
    parts.push(sql(`${col.agency} = any(?::uuid[])`, pgArray(filter.agencyIds)));
  return and(parts);
}

/** Grouping-set result columns: g (GROUPING bitmask), k0, k1, agency names, counts, hours. */
export function aggregateSql(
  spec: AggregateSpec,
  groupBy: readonly StatsDimension[],
  where: Sql,
): Sql {
  const keys = groupBy.map((d, i) => `${spec.dimensions[d]!} as k${i}`);
  const keyNames = groupBy.map((_, i) => `k${i}`);
  const sets =
    keyNames.length === 2 ? '(k0, k1), (k0), (k1), ()' : keyNames.length === 1 ? '(k0), ()' : '()';
  const grouping = keyNames.length ? `grouping(${keyNames.join(', ')})` : '0';
  const measures = [
    ...Object.entries(spec.counts).map(([name, expr]) => `${expr}::int as "${name}"`),
    ...Object.entries(spec.hours ?? {}).map(([name, expr]) => `${expr} as "${name}"`),
  ];
  const agencyNames = groupBy
    .map((d, i) =>
      d === StatsDimension.AGENCY
        ? `, (select name from agency where id::text = s.k${i}) as agency_name`
        : '',
    )
    .join('');
  const text = `select s.*${agencyNames} from (
      select ${grouping} as g${keyNames.map((k) => `, ${k}`).join('')}, ${measures.join(', ')}
        from (select b.*${keys.map((k) => `, ${k}`).join('')} from (${spec.base.replace('%WHERE%', where.text)}) b) base
       group by grouping sets (${sets})) s`;
  return { text, bindings: where.bindings };
}
