import { Migration } from '@mikro-orm/migrations';

/** Contact outcomes (src/modules/outreach/outreach-codes.ts CONTACT_OUTCOMES), frozen here. */
const CONTACT = `'{CONTACT_SURVIVOR_ENGAGED,CONTACT_SURVIVOR_DECLINED,CONTACT_SOCIAL_NETWORK_CONSENTED}'::attempt_outcome[]`;

/** The substance → category map of incident-codes.ts, frozen here. */
const SUBSTANCE_CATEGORY = `case s::text when 'FENTANYL' then 'FENTANYL' when 'HEROIN' then 'OPIOID'
  when 'PRESCRIPTION_OPIOID' then 'OPIOID' when 'OTHER_OPIOID' then 'OPIOID' when 'XYLAZINE' then 'SEDATIVE'
  when 'BENZODIAZEPINE' then 'SEDATIVE' when 'COCAINE' then 'STIMULANT' when 'METHAMPHETAMINE' then 'STIMULANT'
  when 'OTHER_STIMULANT' then 'STIMULANT' when 'ALCOHOL' then 'ALCOHOL' else 'UNKNOWN' end`;

/**
 * For each table a unit's numbers depend on: the units a set of its rows (a transition table)
 * concerns. A report also concerns the survivor's overdoses of the 90 days before it (their
 * "repeat within 90 days"); LEAD enrolment every case of the person.
 */
const BY_CASE = (rows: string) =>
  `select c.index_incident_id from overdose_case c where c.id in (select case_id from ${rows})`;
const FACT_UNITS: Record<string, (rows: string) => string> = {
  overdose_incident: (rows) =>
    `select id from ${rows} union all select unnest(stats_fact_person_units(person_id, occurred_at)) from ${rows}`,
  naloxone_administration: (rows) => `select incident_id from ${rows}`,
  overdose_case: (rows) => `select index_incident_id from ${rows}`,
  outreach_attempt: BY_CASE,
  case_event: BY_CASE,
  outcome: BY_CASE,
  lead_referral: (rows) =>
    `select c.index_incident_id from overdose_case c
      where c.id in (select case_id from ${rows}) or c.person_id in (select person_id from ${rows})`,
  person: (rows) =>
    `select id from overdose_incident where person_id in (select id from ${rows})
     union all select index_incident_id from overdose_case where person_id in (select id from ${rows})`,
};

/**
 * The statistics fact table: one row per counted unit (today the report; count-unit.ts) with
 * every dimension and measure the aggregates use, worked out once. `stats_fact_source` is the
 * from-scratch definition (the one place in SQL that says what a unit's numbers are); triggers on
 * every table a unit's numbers depend on refresh the units concerned in the same transaction
 * (amendments, late reports, attempts, case events, outcomes, LEAD, the person's demographics,
 * the survivor's next overdose). A bulk load switches them off with hub.stats_rollup = 'off' and
 * calls refreshStatsRollup(), which rebuilds this table too.
 */
export class Migration20261207050000_stats_fact extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create view stats_fact_source as
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
             coalesce(nullif(array(select distinct n.administered_by::text from naloxone_administration n
                                    where n.incident_id = i.id order by 1), '{}'::text[]), '{NONE}'::text[]) as given_by,
             (select case a.kind when 'LAW_ENFORCEMENT' then 'EMERGENCY_RESPONSE' when 'EMS' then 'EMERGENCY_RESPONSE'
                                 when 'HARM_REDUCTION' then 'COMMUNITY' else 'REFERRAL' end
                from agency a where a.id = i.reporting_agency_id) as case_source,
             i.ems_disposition::text as ems_disposition,
             (select count(*) from naloxone_administration n where n.incident_id = i.id)::int as doses,
             extract(epoch from i.created_at - i.occurred_at) / 3600 as lag_hours,
             c.routed_agency_id is not null as routed,
             coalesce(p.phone is not null or p.street is not null, false) as has_contact,
             coalesce(c.close_reason::text, 'OPEN') as outcome,
             coalesce(fa.presence, 'NO_ATTEMPT') as presence,
             fa.first_attempt_at, fa.first_contact_at,
             coalesce(ev.engaged, false) as engaged, coalesce(ev.linked, false) as linked,
             coalesce(fa.kits, 0) as kits,
             c.person_id is not null as identified,
             exists (select 1 from outcome o where o.case_id = c.id
                        and o.type in ('TREATMENT_ADMITTED', 'MOUD_STARTED', 'DETOX')) as treatment,
             (select min(r.occurred_at) from overdose_incident r
               where r.person_id = c.person_id
                 and r.occurred_at > i.occurred_at and r.occurred_at <= i.occurred_at + interval '90 days')
               - i.occurred_at as next_overdose_after,
             exists (select 1 from lead_referral l
                      where (l.case_id = c.id or l.person_id = c.person_id)
                        and (l.status in ('ACTIVE', 'INACTIVE')
                             or (l.status = 'EXITED' and l.exit_reason not in ('INTAKE_NOT_COMPLETED', 'DECLINED')))) as lead
        from overdose_incident i
        join stats_record_key k on k.unit_id = i.id
        left join overdose_case c on c.index_incident_id = i.id
        left join person p on p.id = coalesce(c.person_id, i.person_id)
        left join lateral (
          select min(a.attempted_at) as first_attempt_at,
                 min(a.attempted_at) filter (where a.outcome = any(${CONTACT})) as first_contact_at,
                 max(a.officer_presence)::text as presence,
                 sum(a.naloxone_kits_for_person + a.naloxone_kits_for_family)::int as kits
            from outreach_attempt a where a.case_id = c.id) fa on true
        left join lateral (
          select bool_or(e.to_status = 'ENGAGED') as engaged, bool_or(e.to_status = 'LINKED') as linked
            from case_event e where e.case_id = c.id and e.to_status in ('ENGAGED', 'LINKED')) ev on true;`);

    this.addSql(`create table stats_fact as select * from stats_fact_source with no data;`);
    this.addSql(`alter table stats_fact add primary key (unit_id),
      add foreign key (unit_id) references overdose_incident (id) on delete cascade;`);
    this.addSql(`create index stats_fact_occurred_at on stats_fact (occurred_at);`);
    this.addSql(`create index stats_fact_county_occurred_at on stats_fact (county, occurred_at);`);
    this.addSql(
      `create index stats_fact_reporting_agency on stats_fact (reporting_agency_id, occurred_at);`,
    );
    this.addSql(
      `create index stats_fact_routed_agency on stats_fact (routed_agency_id, occurred_at);`,
    );
    this.addSql(`insert into stats_fact select * from stats_fact_source;`);

    this
      .addSql(`create or replace function stats_fact_refresh(p_units uuid[]) returns void language sql as $$
      delete from stats_fact where unit_id = any(p_units);
      insert into stats_fact select * from stats_fact_source where unit_id = any(p_units);
    $$;`);
    // The units whose "next overdose within 90 days" a report of this person at this time may change.
    this
      .addSql(`create or replace function stats_fact_person_units(p_person uuid, p_at timestamptz) returns uuid[]
      language sql stable as $$
      select coalesce(array_agg(id), '{}') from overdose_incident
       where p_person is not null and person_id = p_person
         and occurred_at >= p_at - interval '90 days' and occurred_at <= p_at $$;`);

    // Statement-level triggers with transition tables: one refresh per statement, however many
    // rows it wrote (a batch intake, a bulk update), instead of one per row.
    for (const [table, units] of Object.entries(FACT_UNITS)) {
      for (const event of ['insert', 'update', 'delete'] as const) {
        if (table === 'person' && event !== 'update') continue;
        const sets = [
          ...(event !== 'delete' ? [units('new_rows')] : []),
          ...(event !== 'insert' ? [units('old_rows')] : []),
        ];
        const referencing = [
          ...(event !== 'delete' ? ['new table as new_rows'] : []),
          ...(event !== 'insert' ? ['old table as old_rows'] : []),
        ].join(' ');
        this
          .addSql(`create or replace function stats_fact_${table}_${event}() returns trigger language plpgsql as $$
          begin
            if not stats_rollup_on() then return null; end if;
            perform stats_fact_refresh(array(
              select distinct u from (${sets.join(' union all ')}) x(u) where u is not null));
            return null;
          end $$;`);
        this.addSql(`create trigger stats_unit_fact_${table}_${event} after ${event} on ${table}
          referencing ${referencing} for each statement execute function stats_fact_${table}_${event}();`);
      }
    }
  }

  override async down(): Promise<void> {
    for (const table of Object.keys(FACT_UNITS)) {
      for (const event of ['insert', 'update', 'delete']) {
        this.addSql(`drop trigger if exists stats_unit_fact_${table}_${event} on ${table};`);
        this.addSql(`drop function if exists stats_fact_${table}_${event}();`);
      }
    }
    this.addSql(`drop function if exists stats_fact_person_units(uuid, timestamptz);`);
    this.addSql(`drop function if exists stats_fact_refresh(uuid[]);`);
    this.addSql(`drop table if exists stats_fact;`);
    this.addSql(`drop view if exists stats_fact_source;`);
  }
}
