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
 * The published rows with their outcome flags, grouped by quasi-identifiers. Within a group the
 * order is shuffled by the extract's own salt: incident ids are time-ordered, and an order by id
 * would tell which overdose came first in a month.
 */
export function extractRowsSql(
  range: ExtractRange,
  k: number,
  salt: string,
  limit: number | null,
): Sql {
  const base = extractBase(range, k);
  return sql(
    `${base.text}
     select m.subject, m.month, m.county, m.age_band, m.sex, m.fatal,
            exists (select 1 from naloxone_administration n where n.incident_id = m.incident_id)
              as naloxone_given,
            exists (select 1 from outreach_attempt a
                     where a.case_id = m.case_id and a.outcome = any(?::attempt_outcome[]))
              as contacted,
            exists (select 1 from case_event e where e.case_id = m.case_id and e.to_status = 'ENGAGED')
              as engaged,
            exists (select 1 from case_event e where e.case_id = m.case_id and e.to_status = 'LINKED')
              as linked,
            exists (select 1 from overdose_incident j
                     where j.person_id = m.person_id and j.id <> m.incident_id
                       and j.occurred_at > m.occurred_at
                       and j.occurred_at <= m.occurred_at + interval '90 days'
                       and not exists ${notCounted('j')})
              as repeat_90,
            exists (select 1 from lead_referral l
                     where l.person_id = m.person_id
                       and (l.status = any(?::lead_status[])
                            or (l.status = 'EXITED' and l.exit_reason = any(?::lead_exit_reason[]))))
              as lead_enrolled
       from marked m
      where m.published
      order by m.month, m.county, m.age_band, m.sex, md5(m.incident_id::text || ?)
      ${limit === null ? '' : 'limit ?'}`,
    ...base.bindings,
    pgArray(CONTACT_OUTCOMES),
    pgArray([LeadStatus.ACTIVE, LeadStatus.INACTIVE]),
    pgArray(ENROLLED_EXITS),
    salt,
    ...(limit === null ? [] : [limit]),
  );
}
