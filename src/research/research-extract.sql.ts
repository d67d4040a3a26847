import { pgArray, sql, type Sql } from '../common/sql';
import { CaseStatus, CloseReason } from '../modules/case/case-codes';
import { LeadExitReason, LeadStatus } from '../modules/lead/lead-codes';
import { CONTACT_OUTCOMES } from '../modules/outreach/outreach-codes';
import { SuspectedSubstance, substanceCategories } from '../modules/incident/incident-codes';
import type { ExtractRange } from './research-filter';

/** The row as PostgreSQL hands it over; `subject` is re-keyed in Node and never leaves. */
export interface ExtractSqlRow {
  subject: string;
  level: number;
  period: string;
  area: string;
  age_band: string;
  sex: string;
  fatal: boolean;
  naloxone_given: boolean;
  contacted: boolean;
  engaged: boolean;
  linked: boolean;
  repeat_90: boolean;
  lead_enrolled: boolean;
  officer_presence: string;
  hours_to_first_attempt: string;
  hours_to_first_contact: string;
  attempts: number;
  substance_categories: string;
  ems_disposition: string | null;
  case_source: string;
}

/**
 * Generalisation before dropping: the quasi-identifiers of a row that would fall in a group of
 * fewer than k people are coarsened step by step — month → quarter → year, age band → wider band
 * → any age, county → region → state — and only rows still under k at the last step are dropped.
 * Each step counts only the rows no earlier step published, so a coarse group never contains a
 * finer group's published rows (it cannot be differenced back into a small one).
 */
export interface GeneralisationLevel {
  level: number;
  period: 'MONTH' | 'QUARTER' | 'YEAR';
  area: 'COUNTY' | 'REGION' | 'STATE';
  ageBands: 'BAND' | 'WIDE' | 'ANY';
}

export const GENERALISATION: readonly GeneralisationLevel[] = [
  { level: 0, period: 'MONTH', area: 'COUNTY', ageBands: 'BAND' },
  { level: 1, period: 'QUARTER', area: 'COUNTY', ageBands: 'BAND' },
  { level: 2, period: 'QUARTER', area: 'COUNTY', ageBands: 'WIDE' },
  { level: 3, period: 'YEAR', area: 'COUNTY', ageBands: 'WIDE' },
  { level: 4, period: 'YEAR', area: 'REGION', ageBands: 'WIDE' },
  { level: 5, period: 'YEAR', area: 'STATE', ageBands: 'WIDE' },
  { level: 6, period: 'YEAR', area: 'STATE', ageBands: 'ANY' },
];

const PERIOD_COLUMN = { MONTH: 'month', QUARTER: 'quarter', YEAR: 'year' } as const;
const AREA_COLUMN = { COUNTY: 'county', REGION: 'region', STATE: 'state' } as const;
const AGE_COLUMN = { BAND: 'age_band', WIDE: 'wide_band', ANY: 'any_age' } as const;
const keysOf = (l: GeneralisationLevel) =>
  [PERIOD_COLUMN[l.period], AREA_COLUMN[l.area], AGE_COLUMN[l.ageBands], 'sex'] as const;

/** The wider age bands of the second step. */
const WIDE_BAND = `case coalesce(i.age_band::text, 'UNKNOWN')
  when 'UNDER_15' then 'UNDER_25' when 'AGE_15_24' then 'UNDER_25'
  when 'AGE_25_34' then 'AGE_25_44' when 'AGE_35_44' then 'AGE_25_44'
  when 'AGE_45_54' then 'AGE_45_64' when 'AGE_55_64' then 'AGE_45_64'
  else coalesce(i.age_band::text, 'UNKNOWN') end`;

/**
 * Reports that are not an overdose of their own: a co-report of an event another report stands
 * for (police and EMS at one overdose count once; stats/count-unit.ts), a duplicate report, or
 * one entered in error.
 */
const NOT_COUNTED = `(
  select 1 where %I.id <> %I.event_id
  union all
  select 1 from overdose_case x
   where x.index_incident_id = %I.id
     and (x.status = '${CaseStatus.ENTERED_IN_ERROR}'
          or (x.status = '${CaseStatus.CLOSED}' and x.close_reason = '${CloseReason.DUPLICATE}')))`;
const notCounted = (alias: string) => NOT_COUNTED.replaceAll('%I', alias);

/** Reached ACTIVE at some point: still in the program, paused, or left it after taking part. */
const ENROLLED_EXITS = [
  LeadExitReason.COMPLETED_GOALS,
  LeadExitReason.MOVED,
  LeadExitReason.DECEASED,
  LeadExitReason.OTHER,
];

/**
 * One row per counted overdose in the range with every generalisation of its quasi-identifiers,
 * and `level`: the first step of GENERALISATION at which its group (over the rows no earlier step
 * published) has at least k distinct people, or null when none has. A person is the vault
 * record, or the incident itself when the report named nobody.
 */
function extractBase(range: ExtractRange, k: number): Sql {
  const steps = GENERALISATION.map((l, n) => {
    const keys = keysOf(l).join(', ');
    const from = n === 0 ? 'base' : `r${n - 1}`;
    return `l${n} as (select ${keys}, count(distinct who) >= ${Math.trunc(k)} as ok from ${from} group by ${keys}),
     r${n} as (select x.* from ${from} x join l${n} using (${keys}) where not l${n}.ok)`;
  }).join(',\n     ');
  const joins = GENERALISATION.map(
    (l, n) =>
      `left join l${n} on ${keysOf(l)
        .map((c) => `l${n}.${c} = b.${c}`)
        .join(' and ')}`,
  ).join('\n         ');
  const level = `case ${GENERALISATION.map((_, n) => `when l${n}.ok then ${n}`).join(' ')} end`;
  return sql(
    `with base as (
       select i.id as incident_id, i.person_id, i.occurred_at, i.fatal, c.id as case_id,
              i.suspected_substances, i.ems_disposition, i.reporting_agency_id,
              coalesce(p.person_key, 'person:' || p.id::text, 'incident:' || i.id::text) as subject,
              coalesce(i.person_id, i.id) as who,
              to_char(i.occurred_at at time zone 'UTC', 'YYYY-MM') as month,
              to_char(i.occurred_at at time zone 'UTC', 'YYYY-"Q"Q') as quarter,
              to_char(i.occurred_at at time zone 'UTC', 'YYYY') as year,
              i.county::text as county,
              coalesce(g.region, substr(i.county, 1, 2)) as region,
              substr(i.county, 1, 2) as state,
              coalesce(i.age_band::text, 'UNKNOWN') as age_band,
              ${WIDE_BAND} as wide_band,
              'ANY' as any_age,
              coalesce(p.sex::text, 'UNKNOWN') as sex
         from overdose_incident i
         left join person p on p.id = i.person_id
         left join overdose_case c on c.index_incident_id = i.id
         left join county_region g on g.county = i.county
        where i.occurred_at >= ?::timestamptz and i.occurred_at < ?::timestamptz
          and (?::text[] is null or i.county = any(?::text[]))
          and not exists ${notCounted('i')}
     ),
     ${steps},
     marked as (
       select b.*, ${level} as level
         from base b
         ${joins}
     )`,
    range.fromInstant,
    range.toInstant,
    range.counties,
    range.counties,
  );
}

/** Published and suppressed row counts, for the cap, the progress bar and the audit. */
export function extractSummarySql(range: ExtractRange, k: number): Sql {
  const base = extractBase(range, k);
  return sql(
    `${base.text}
     select level, count(*)::int as rows from marked group by level order by level`,
    ...base.bindings,
  );
}

const PERIOD_EXPR = (alias: string) =>
  `case ${GENERALISATION.map((l) => `when ${alias}.level = ${l.level} then ${alias}.${PERIOD_COLUMN[l.period]}`).join(' ')} end`;
const AREA_EXPR = (alias: string) =>
  `case ${GENERALISATION.map((l) => `when ${alias}.level = ${l.level} then ${alias}.${AREA_COLUMN[l.area]}`).join(' ')} end`;
const AGE_EXPR = (alias: string) =>
  `case ${GENERALISATION.map((l) => `when ${alias}.level = ${l.level} then ${alias}.${AGE_COLUMN[l.ageBands]}`).join(' ')} end`;

const SUBSTANCE_CASE = `case s::text ${Object.values(SuspectedSubstance)
  .map((v) => `when '${v}' then '${substanceCategories([v])[0]}'`)
  .join(' ')} else 'UNKNOWN' end`;

const HOURS_BAND = (column: string) => `case when ${column} is null then 'NONE'
  when ${column} < interval '24 hours' then 'UNDER_24H'
  when ${column} <= interval '72 hours' then 'H24_TO_72'
  else 'OVER_72H' end`;

/**
 * The published rows with their outcome flags, grouped by quasi-identifiers. The flags are joined
 * as sets (hash joins on the published rows), not probed row by row: an extract of a year has
 * hundreds of thousands of rows. A repeat overdose is the person's next counted overdose, in any
 * county, within 90 days (one window over the range and the 90 days after it). Within a group the order is shuffled by the extract's own salt:
 * incident ids are time-ordered, and an order by id would tell which overdose came first.
 */
export function extractRowsSql(range: ExtractRange, k: number, salt: string): Sql {
  const base = extractBase(range, k);
  return sql(
    `${base.text},
     published as materialized (select * from marked where level is not null),
     timeline as (
       select j.id,
              lead(j.occurred_at) over (partition by j.person_id order by j.occurred_at, j.id)
                as next_at
         from overdose_incident j
        where j.person_id is not null
          and j.occurred_at >= ?::timestamptz
          and j.occurred_at < ?::timestamptz + interval '90 days'
          and not exists ${notCounted('j')}
     ),
     naloxone as (
       -- Given by any source of the event (the EMS co-report's doses count for the event).
       select distinct src.event_id as incident_id
         from naloxone_administration n join overdose_incident src on src.id = n.incident_id
        where src.event_id in (select incident_id from published)
     ),
     contact as (
       select distinct a.case_id from outreach_attempt a
        where a.case_id in (select case_id from published)
          and a.outcome = any(?::attempt_outcome[])
     ),
     progress as (
       select e.case_id, bool_or(e.to_status = 'ENGAGED') as engaged,
              bool_or(e.to_status = 'LINKED') as linked
         from case_event e
        where e.case_id in (select case_id from published)
          and e.to_status in ('ENGAGED', 'LINKED')
        group by e.case_id
     ),
     attempts as (
       select a.case_id, count(*)::int as n, min(a.attempted_at) as first_at,
              min(a.attempted_at) filter (where a.outcome = any(?::attempt_outcome[])) as contact_at,
              max(a.officer_presence)::text as presence
         from outreach_attempt a
        where a.case_id in (select case_id from published)
        group by a.case_id
     ),
     enrolled as (
       select distinct l.person_id from lead_referral l
        where l.person_id in (select person_id from published)
          and (l.status = any(?::lead_status[])
               or (l.status = 'EXITED' and l.exit_reason = any(?::lead_exit_reason[])))
     )
     select m.subject, m.level, ${PERIOD_EXPR('m')} as period, ${AREA_EXPR('m')} as area,
            ${AGE_EXPR('m')} as age_band, m.sex, m.fatal,
            n.incident_id is not null as naloxone_given,
            ct.case_id is not null as contacted,
            coalesce(pr.engaged, false) as engaged,
            coalesce(pr.linked, false) as linked,
            coalesce(t.next_at <= m.occurred_at + interval '90 days', false) as repeat_90,
            en.person_id is not null as lead_enrolled,
            coalesce(at.presence, 'NO_ATTEMPT') as officer_presence,
            ${HOURS_BAND('at.first_at - m.occurred_at')} as hours_to_first_attempt,
            ${HOURS_BAND('at.contact_at - m.occurred_at')} as hours_to_first_contact,
            coalesce(at.n, 0) as attempts,
            coalesce(nullif(array_to_string(array(select distinct ${SUBSTANCE_CASE}
                                                    from unnest(m.suspected_substances) s order by 1), '|'), ''),
                     'UNKNOWN') as substance_categories,
            m.ems_disposition::text as ems_disposition,
            -- A community reversal counts under its own source, whoever reported it.
            (select case when x.source = 'COMMUNITY' then 'COMMUNITY' else
                      case ag.kind when 'LAW_ENFORCEMENT' then 'EMERGENCY_RESPONSE' when 'EMS' then 'EMERGENCY_RESPONSE'
                                   when 'HARM_REDUCTION' then 'COMMUNITY' else 'REFERRAL' end end
               from overdose_incident x join agency ag on ag.id = x.reporting_agency_id
              where x.id = m.incident_id) as case_source
       from published m
       left join attempts at on at.case_id = m.case_id
       left join timeline t on t.id = m.incident_id
       left join naloxone n on n.incident_id = m.incident_id
       left join contact ct on ct.case_id = m.case_id
       left join progress pr on pr.case_id = m.case_id
       left join enrolled en on en.person_id = m.person_id
      order by m.level, period, area, age_band, m.sex, md5(m.incident_id::text || ?)`,
    ...base.bindings,
    range.fromInstant,
    range.toInstant,
    pgArray(CONTACT_OUTCOMES),
    pgArray(CONTACT_OUTCOMES),
    pgArray([LeadStatus.ACTIVE, LeadStatus.INACTIVE]),
    pgArray(ENROLLED_EXITS),
    salt,
  );
}
