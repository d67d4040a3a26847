import { pgArray, sql, type Sql } from '../common/sql';
import { CaseStatus, CloseReason } from '../modules/case/case-codes';
import { LeadExitReason, LeadStatus } from '../modules/lead/lead-codes';
import { CONTACT_OUTCOMES } from '../modules/outreach/outreach-codes';
import type { ExtractRange } from './research-filter';

/** The row as PostgreSQL hands it over; `subject` is re-keyed in Node and never leaves. */
export interface ExtractSqlRow {
  subject: string;
  month: string;
  county: string;
  age_band: string;
  sex: string;
  fatal: boolean;
  naloxone_given: boolean;
  contacted: boolean;
  engaged: boolean;
  linked: boolean;
  repeat_90: boolean;
  lead_enrolled: boolean;
}

/** Reports that are not an overdose of their own: a duplicate report, or one entered in error. */
const NOT_COUNTED = `(
  select 1 from overdose_case x
   where x.index_incident_id = %I.id
     and (x.status = '${CaseStatus.ENTERED_IN_ERROR}'
          or (x.status = '${CaseStatus.CLOSED}' and x.close_reason = '${CloseReason.DUPLICATE}')))`;
const notCounted = (alias: string) => NOT_COUNTED.replace('%I', alias);

/** Reached ACTIVE at some point: still in the program, paused, or left it after taking part. */
const ENROLLED_EXITS = [
  LeadExitReason.COMPLETED_GOALS,
  LeadExitReason.MOVED,
  LeadExitReason.DECEASED,
  LeadExitReason.OTHER,
];

/**
 * One row per counted overdose in the range, with its quasi-identifiers (month, county, age band,
 * sex: the k-anonymity key) and `published`: whether at least k distinct people share that key.
 * A person is the vault record, or the incident itself when the report named nobody.
 */
function extractBase(range: ExtractRange, k: number): Sql {
  return sql(
    `with base as (
       select i.id as incident_id, i.person_id, i.occurred_at, i.fatal, c.id as case_id,
              coalesce(p.person_key, 'person:' || p.id::text, 'incident:' || i.id::text) as subject,
              coalesce(i.person_id, i.id) as who,
              to_char(i.occurred_at at time zone 'UTC', 'YYYY-MM') as month,
              i.county::text as county,
              coalesce(i.age_band::text, 'UNKNOWN') as age_band,
              coalesce(p.sex::text, 'UNKNOWN') as sex
         from overdose_incident i
         left join person p on p.id = i.person_id
         left join overdose_case c on c.index_incident_id = i.id
        where i.occurred_at >= ?::timestamptz and i.occurred_at < ?::timestamptz
          and (?::text[] is null or i.county = any(?::text[]))
          and not exists ${notCounted('i')}
     ),
     classes as (
       select month, county, age_band, sex, count(distinct who) >= ? as published
         from base
        group by month, county, age_band, sex
     ),
     marked as (
       select b.*, k.published
         from base b join classes k using (month, county, age_band, sex)
     )`,
    range.fromInstant,
    range.toInstant,
    range.counties,
    range.counties,
    k,
  );
}

/** Published and suppressed row counts, for the cap, the progress bar and the audit. */
export function extractSummarySql(range: ExtractRange, k: number): Sql {
  const base = extractBase(range, k);
  return sql(
    `${base.text}
     select count(*) filter (where published) as published,
            count(*) filter (where not published) as suppressed
       from marked`,
    ...base.bindings,
  );
}

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
     published as materialized (select * from marked where published),
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
       select distinct n.incident_id from naloxone_administration n
        where n.incident_id in (select incident_id from published)
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
     enrolled as (
       select distinct l.person_id from lead_referral l
        where l.person_id in (select person_id from published)
          and (l.status = any(?::lead_status[])
               or (l.status = 'EXITED' and l.exit_reason = any(?::lead_exit_reason[])))
     )
     select m.subject, m.month, m.county, m.age_band, m.sex, m.fatal,
            n.incident_id is not null as naloxone_given,
            ct.case_id is not null as contacted,
            coalesce(pr.engaged, false) as engaged,
            coalesce(pr.linked, false) as linked,
            coalesce(t.next_at <= m.occurred_at + interval '90 days', false) as repeat_90,
            en.person_id is not null as lead_enrolled
       from published m
       left join timeline t on t.id = m.incident_id
       left join naloxone n on n.incident_id = m.incident_id
       left join contact ct on ct.case_id = m.case_id
       left join progress pr on pr.case_id = m.case_id
       left join enrolled en on en.person_id = m.person_id
      order by m.month, m.county, m.age_band, m.sex, md5(m.incident_id::text || ?)`,
    ...base.bindings,
    range.fromInstant,
    range.toInstant,
    pgArray(CONTACT_OUTCOMES),
    pgArray([LeadStatus.ACTIVE, LeadStatus.INACTIVE]),
    pgArray(ENROLLED_EXITS),
    salt,
  );
}
