import type { ClientBase } from 'pg';

/** Contact outcomes, as the view stats_fact_source has them frozen (migration overdose_events). */
const CONTACT = `'{CONTACT_SURVIVOR_ENGAGED,CONTACT_SURVIVOR_DECLINED,CONTACT_SOCIAL_NETWORK_CONSENTED}'::attempt_outcome[]`;

/** The view's substance → category map (incident-codes.ts, frozen in the migration). */
const SUBSTANCE_CATEGORY = `case s::text when 'FENTANYL' then 'FENTANYL' when 'HEROIN' then 'OPIOID'
  when 'PRESCRIPTION_OPIOID' then 'OPIOID' when 'OTHER_OPIOID' then 'OPIOID' when 'XYLAZINE' then 'SEDATIVE'
  when 'BENZODIAZEPINE' then 'SEDATIVE' when 'COCAINE' then 'STIMULANT' when 'METHAMPHETAMINE' then 'STIMULANT'
  when 'OTHER_STIMULANT' then 'STIMULANT' when 'ALCOHOL' then 'ALCOHOL' else 'UNKNOWN' end`;

/**
 * The rows of the view `stats_fact_source` (one per overdose event; migrations overdose_events and
 * identity_sources), computed set-based for a bulk rebuild of `stats_fact`, in the view's column
 * order. The view works out each unit's numbers with a dozen correlated lookups (doses, attempts,
 * timeline, outcomes, LEAD, the person's next overdose, contact details): right for the triggers,
 * which refresh a few units, but ~15 million index probes for a million units (over three
 * minutes on this machine). Here each lookup is one aggregate over its whole table joined by
 * hash, and "the person's next overdose within 90 days" one window over the person's reports.
 * An event with co-reports (sources other than its index report) takes its doses and agencies
 * through the view's own subqueries: the seeder makes none, a database may have a few.
 *
 * The view stays the definition: BulkLoad checks a sample of the rebuilt rows against it and
 * falls back to the view when they differ (factRowsMatchView), and test/synthetic-seed.test.ts
 * compares every row.
 */
export const FACT_ROWS_SQL = `
  with co_reported as (
    select distinct event_id as id from overdose_incident where id <> event_id
  ),
  dose_counts as (
    select incident_id, count(*)::int as doses from naloxone_administration group by incident_id
  ),
  -- array_agg(distinct … order by …) sorts once per group in PostgreSQL 15; a window over the
  -- distinct pairs sorts once in all, and its aggregate reads the rows in the window's order.
  givers as (
    select distinct on (incident_id) incident_id, array_agg(given) over w as given_by
      from (select distinct incident_id, administered_by::text as given
              from naloxone_administration) n
    window w as (partition by incident_id order by given
                 rows between unbounded preceding and unbounded following)
  ),
  attempts as (
    select a.case_id, min(a.attempted_at) as first_attempt_at,
           min(a.attempted_at) filter (where a.outcome = any(${CONTACT})) as first_contact_at,
           max(a.officer_presence)::text as presence,
           sum(a.naloxone_kits_for_person + a.naloxone_kits_for_family)::int as kits
      from outreach_attempt a group by a.case_id
  ),
  progress as (
    select e.case_id, bool_or(e.to_status = 'ENGAGED') as engaged,
           bool_or(e.to_status = 'LINKED') as linked
      from case_event e where e.to_status in ('ENGAGED', 'LINKED') group by e.case_id
  ),
  treated as (
    select distinct case_id from outcome
     where type in ('TREATMENT_ADMITTED', 'MOUD_STARTED', 'DETOX')
  ),
  lead_open as (
    select case_id, person_id from lead_referral
     where status in ('ACTIVE', 'INACTIVE')
        or (status = 'EXITED' and exit_reason not in ('INTAKE_NOT_COMPLETED', 'DECLINED'))
  ),
  lead_cases as (select distinct case_id from lead_open where case_id is not null),
  lead_people as (select distinct person_id from lead_open where person_id is not null),
  contactable as (
    select hc_i.person_id from reported_identity hc_r
      join overdose_incident hc_i on hc_i.id = hc_r.incident_id
     where hc_r.phone is not null or hc_r.street is not null
    union
    select hc_c.person_id from contact_record hc_c
     where hc_c.phone is not null or hc_c.street is not null
  ),
  units as (
    select i.id, i.occurred_at, c.person_id as case_person_id
      from overdose_incident i left join overdose_case c on c.index_incident_id = i.id
     where i.id = i.event_id
  ),
  -- The earliest index report of the case's person after the unit and at most 90 days later:
  -- the person's reports and the units in one time line per person, the frame (t, t + 90 days].
  next_overdose as (
    select unit_id, next_at from (
      select x.unit_id, min(x.at) filter (where x.unit_id is null) over w as next_at
        from (select r.person_id, r.occurred_at as at, null::uuid as unit_id
                from overdose_incident r where r.id = r.event_id and r.person_id is not null
              union all
              select u.case_person_id, u.occurred_at, u.id from units u
               where u.case_person_id is not null) x
      window w as (partition by x.person_id order by x.at
                   range between current row and '90 days' following exclude group)
    ) y where unit_id is not null
  )
  select i.id as unit_id, i.occurred_at, i.county, i.reporting_agency_id, c.routed_agency_id,
         k.key as record_key, i.fatal,
         c.status is distinct from 'ENTERED_IN_ERROR' as counted,
         (c.id is not null and not i.fatal and c.status <> 'ENTERED_IN_ERROR') as is_case,
         i.age_band::text as age_band, p.sex::text as sex,
         case when p.race_ethnicity is null or cardinality(array_remove(p.race_ethnicity, 'UNKNOWN')) = 0 then 'UNKNOWN'
              when 'HISPANIC_OR_LATINO' = any(p.race_ethnicity) then 'HISPANIC_OR_LATINO'
              when cardinality(array_remove(p.race_ethnicity, 'UNKNOWN')) > 1 then 'MULTIPLE'
              else (array_remove(p.race_ethnicity, 'UNKNOWN'))[1]::text end as race,
         coalesce(nullif(array(select distinct ${SUBSTANCE_CATEGORY} from unnest(i.suspected_substances) s order by 1),
                         '{}'::text[]), '{UNKNOWN}'::text[]) as substances,
         case when co.id is null then coalesce(g.given_by, '{NONE}'::text[])
              else coalesce(nullif(array(select distinct n.administered_by::text from naloxone_administration n
                                          where n.incident_id in (select s.id from overdose_incident s where s.event_id = i.id)
                                          order by 1), '{}'::text[]), '{NONE}'::text[]) end as given_by,
         case when a.id is null then null
              when a.kind in ('LAW_ENFORCEMENT', 'EMS') then 'EMERGENCY_RESPONSE'
              when a.kind = 'HARM_REDUCTION' then 'COMMUNITY' else 'REFERRAL' end as case_source,
         i.ems_disposition::text as ems_disposition,
         case when co.id is null then coalesce(d.doses, 0)
              else (select count(*) from naloxone_administration n
                     where n.incident_id in (select s.id from overdose_incident s where s.event_id = i.id))::int
         end as doses,
         extract(epoch from i.created_at - i.occurred_at) / 3600 as lag_hours,
         c.routed_agency_id is not null as routed,
         hc.person_id is not null as has_contact,
         coalesce(c.close_reason::text, 'OPEN') as outcome,
         coalesce(fa.presence, 'NO_ATTEMPT') as presence,
         fa.first_attempt_at, fa.first_contact_at,
         coalesce(ev.engaged, false) as engaged, coalesce(ev.linked, false) as linked,
         coalesce(fa.kits, 0) as kits,
         c.person_id is not null as identified,
         t.case_id is not null as treatment,
         nx.next_at - i.occurred_at as next_overdose_after,
         (lc.case_id is not null or lp.person_id is not null) as lead,
         case when co.id is null then array[i.reporting_agency_id]
              else array(select distinct s.reporting_agency_id from overdose_incident s
                          where s.event_id = i.id order by 1) end as source_agency_ids
    from overdose_incident i
    join stats_record_key k on k.unit_id = i.id
    left join overdose_case c on c.index_incident_id = i.id
    left join person p on p.id = coalesce(c.person_id, i.person_id)
    left join agency a on a.id = i.reporting_agency_id
    left join co_reported co on co.id = i.id
    left join dose_counts d on d.incident_id = i.id
    left join givers g on g.incident_id = i.id
    left join attempts fa on fa.case_id = c.id
    left join progress ev on ev.case_id = c.id
    left join treated t on t.case_id = c.id
    left join lead_cases lc on lc.case_id = c.id
    left join lead_people lp on lp.person_id = c.person_id
    left join contactable hc on hc.person_id = p.id
    left join next_overdose nx on nx.unit_id = i.id
   where i.id = i.event_id`;

/** Units compared with the view after the rebuild (each through the view's own lookups). */
const SAMPLE = 2_000;

/**
 * Whether a random sample of the rebuilt fact rows equals what the view computes for the same
 * units: a view changed by a later migration, and not here, shows as a difference.
 */
export async function factRowsMatchView(client: ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ differ: number }>(
    `with sample as (select unit_id from stats_fact order by random() limit ${SAMPLE})
     select count(*)::int as differ from (
       (select * from stats_fact_source where unit_id in (select unit_id from sample)
        except all
        select * from stats_fact where unit_id in (select unit_id from sample))
       union all
       (select * from stats_fact where unit_id in (select unit_id from sample)
        except all
        select * from stats_fact_source where unit_id in (select unit_id from sample))
     ) d`,
  );
  return rows[0].differ === 0;
}
