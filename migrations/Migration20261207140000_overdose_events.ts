import { Migration } from '@mikro-orm/migrations';

/** Contact outcomes (src/modules/outreach/outreach-codes.ts CONTACT_OUTCOMES), frozen here. */
const CONTACT = `'{CONTACT_SURVIVOR_ENGAGED,CONTACT_SURVIVOR_DECLINED,CONTACT_SOCIAL_NETWORK_CONSENTED}'::attempt_outcome[]`;

/** The substance → category map of incident-codes.ts, frozen here. */
const SUBSTANCE_CATEGORY = `case s::text when 'FENTANYL' then 'FENTANYL' when 'HEROIN' then 'OPIOID'
  when 'PRESCRIPTION_OPIOID' then 'OPIOID' when 'OTHER_OPIOID' then 'OPIOID' when 'XYLAZINE' then 'SEDATIVE'
  when 'BENZODIAZEPINE' then 'SEDATIVE' when 'COCAINE' then 'STIMULANT' when 'METHAMPHETAMINE' then 'STIMULANT'
  when 'OTHER_STIMULANT' then 'STIMULANT' when 'ALCOHOL' then 'ALCOHOL' else 'UNKNOWN' end`;

/** "Has contact" while phone and street are columns of the person (before identity_sources). */
const LEGACY_HAS_CONTACT = 'coalesce(p.phone is not null or p.street is not null, false)';

/**
 * "Has contact" once identity follows its sources (migration identity_sources, which drops the
 * person's phone and street): the same expression that migration puts in the view.
 */
const SOURCED_HAS_CONTACT = `(exists (select 1 from reported_identity hc_r
    join overdose_incident hc_i on hc_i.id = hc_r.incident_id
   where hc_i.person_id = p.id and (hc_r.phone is not null or hc_r.street is not null))
  or exists (select 1 from contact_record hc_c
   where hc_c.person_id = p.id and (hc_c.phone is not null or hc_c.street is not null)))`;

/**
 * The view for whichever person table this database has: this migration and identity_sources
 * were written side by side, and either may have run first.
 */
const FACT_SOURCE_VIEW_FOR_SCHEMA = (withSources: boolean, create = 'create or replace view') =>
  `do $do$ begin
    if exists (select 1 from information_schema.columns
                where table_schema = current_schema() and table_name = 'person' and column_name = 'phone') then
      execute $v$${FACT_SOURCE_VIEW(withSources).replace('create or replace view', create)}$v$;
    else
      execute $v$${FACT_SOURCE_VIEW(withSources, SOURCED_HAS_CONTACT).replace('create or replace view', create)}$v$;
    end if;
  end $do$;`;

/** Every report of the event whose index report is `i` (its sources). */
const SOURCES = `select s.id from overdose_incident s where s.event_id = i.id`;

/**
 * The statistics unit as of migration stats_fact, changed from the report to the event: one row
 * per overdose event, taken from its index report (`i.id = i.event_id`), with the naloxone doses
 * of all its sources, the agencies of all its sources (`source_agency_ids`, appended: feedback to
 * every reporter of the event), and "next overdose" meaning the person's next event, not a
 * co-report of this one.
 */
const FACT_SOURCE_VIEW = (
  withSources: boolean,
  hasContact = LEGACY_HAS_CONTACT,
) => `create or replace view stats_fact_source as
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
                                    where n.incident_id in (${withSources ? SOURCES : 'select i.id'}) order by 1), '{}'::text[]), '{NONE}'::text[]) as given_by,
             (select case a.kind when 'LAW_ENFORCEMENT' then 'EMERGENCY_RESPONSE' when 'EMS' then 'EMERGENCY_RESPONSE'
                                 when 'HARM_REDUCTION' then 'COMMUNITY' else 'REFERRAL' end
                from agency a where a.id = i.reporting_agency_id) as case_source,
             i.ems_disposition::text as ems_disposition,
             (select count(*) from naloxone_administration n where n.incident_id in (${withSources ? SOURCES : 'select i.id'}))::int as doses,
             extract(epoch from i.created_at - i.occurred_at) / 3600 as lag_hours,
             c.routed_agency_id is not null as routed,
             ${hasContact} as has_contact,
             coalesce(c.close_reason::text, 'OPEN') as outcome,
             coalesce(fa.presence, 'NO_ATTEMPT') as presence,
             fa.first_attempt_at, fa.first_contact_at,
             coalesce(ev.engaged, false) as engaged, coalesce(ev.linked, false) as linked,
             coalesce(fa.kits, 0) as kits,
             c.person_id is not null as identified,
             exists (select 1 from outcome o where o.case_id = c.id
                        and o.type in ('TREATMENT_ADMITTED', 'MOUD_STARTED', 'DETOX')) as treatment,
             (select min(r.occurred_at) from overdose_incident r
               where r.person_id = c.person_id ${withSources ? 'and r.id = r.event_id' : ''}
                 and r.occurred_at > i.occurred_at and r.occurred_at <= i.occurred_at + interval '90 days')
               - i.occurred_at as next_overdose_after,
             exists (select 1 from lead_referral l
                      where (l.case_id = c.id or l.person_id = c.person_id)
                        and (l.status in ('ACTIVE', 'INACTIVE')
                             or (l.status = 'EXITED' and l.exit_reason not in ('INTAKE_NOT_COMPLETED', 'DECLINED')))) as lead${
                               withSources
                                 ? `,
             array(select distinct s.reporting_agency_id from overdose_incident s
                    where s.event_id = i.id order by 1) as source_agency_ids`
                                 : ''
                             }
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
            from case_event e where e.case_id = c.id and e.to_status in ('ENGAGED', 'LINKED')) ev on true
        ${withSources ? 'where i.id = i.event_id' : ''};`;

/**
 * The fact units a set of changed reports / doses concerns, now that a unit is an event: the
 * event a report belongs (or belonged) to as well as the report itself.
 */
const FACT_UNITS: Record<string, [(rows: string) => string, (rows: string) => string]> = {
  overdose_incident: [
    (rows) =>
      `select id from ${rows} union all select event_id from ${rows} union all select unnest(stats_fact_person_units(person_id, occurred_at)) from ${rows}`,
    (rows) =>
      `select id from ${rows} union all select unnest(stats_fact_person_units(person_id, occurred_at)) from ${rows}`,
  ],
  naloxone_administration: [
    (rows) =>
      `select incident_id from ${rows} union all select s.event_id from overdose_incident s where s.id in (select incident_id from ${rows})`,
    (rows) => `select incident_id from ${rows}`,
  ],
};

function factTriggerFunctions(withEvents: boolean): string[] {
  return Object.entries(FACT_UNITS).flatMap(([table, [now, before]]) => {
    const units = withEvents ? now : before;
    return (['insert', 'update', 'delete'] as const).map((event) => {
      const sets = [
        ...(event !== 'delete' ? [units('new_rows')] : []),
        ...(event !== 'insert' ? [units('old_rows')] : []),
      ];
      return `create or replace function stats_fact_${table}_${event}() returns trigger language plpgsql as $$
          begin
            if not stats_rollup_on() then return null; end if;
            perform stats_fact_refresh(array(
              select distinct u from (${sets.join(' union all ')}) x(u) where u is not null));
            return null;
          end $$;`;
    });
  });
}

/** Migration stats_numbers' attempt trigger, with a condition on the case's index report. */
const ATTEMPT_TRIGGER = (
  indexOnly: string,
) => `create or replace function stats_rollup_attempt_trigger() returns trigger language plpgsql as $$
      declare
        a outreach_attempt;
        others boolean;
        was boolean;
        now_ boolean;
        i overdose_incident;
      begin
        if not stats_rollup_on() then return null; end if;
        a := coalesce(new, old);
        select exists (select 1 from outreach_attempt o where o.case_id = a.case_id and o.id <> a.id
                          and o.outcome = any(${CONTACT})) into others;
        was := others or (tg_op <> 'INSERT' and old.outcome = any(${CONTACT}));
        now_ := others or (tg_op <> 'DELETE' and new.outcome = any(${CONTACT}));
        if was = now_ then return null; end if;
        select inc.* into i from overdose_case c join overdose_incident inc on inc.id = c.index_incident_id
         where c.id = a.case_id and c.status <> 'ENTERED_IN_ERROR' ${indexOnly};
        if not found then return null; end if;
        perform stats_rollup_add_keyed(i.occurred_at, i.county, i.reporting_agency_id, 0, 0, 0,
                                 case when now_ then 1 else -1 end, stats_unit_key(i.id));
        return null;
      end $$;`;

/**
 * One overdose, one event (issue 13). Each existing report becomes an event of its own (its id
 * the report's), so nothing is counted differently until co-reports are merged (`npm run cli --
 * merge-coreports`). A report inserted without an event (seeders, tests, old code paths) opens
 * its own, by trigger. Statistics count events: the fact view and the rollup grid count only a
 * report that is its event's index (`id = event_id`); doses stay with the report that gave them.
 */
export class Migration20261207140000_overdose_events extends Migration {
  override async up(): Promise<void> {
    // A maintenance step, not a request: on a million reports it runs for minutes.
    this.addSql(`set local statement_timeout = 0;`);
    this.addSql(
      `create table "overdose_event" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "occurred_at" timestamptz not null, "county" char(5) not null, "latitude" text null, "longitude" text null, "person_id" uuid null, "merged_into_id" uuid null, "version" int not null default 1, constraint "overdose_event_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "overdose_event_merged_into_id_index" on "overdose_event" ("merged_into_id");`,
    );
    this.addSql(
      `create index "overdose_event_county_occurred_at_index" on "overdose_event" ("county", "occurred_at");`,
    );
    this.addSql(
      `create index "overdose_event_person_id_occurred_at_index" on "overdose_event" ("person_id", "occurred_at");`,
    );

    this.addSql(
      `create table "event_merge" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "surviving_event_id" uuid not null, "absorbed_event_id" uuid not null, "moved_incident_ids" text[] not null, "absorbed_case_id" uuid not null, "absorbed_case_status" "case_status" not null, "absorbed_case_hold_reason" "hold_reason" null, "absorbed_case_resume_on" timestamptz null, "cancelled_referral_ids" text[] not null, "withdrawn_outcomes" jsonb not null, "merged_by_id" uuid null, "undone_at" timestamptz null, "undone_by_id" uuid null, constraint "event_merge_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "event_merge_surviving_event_id_index" on "event_merge" ("surviving_event_id");`,
    );
    this.addSql(
      `create index "event_merge_absorbed_event_id_index" on "event_merge" ("absorbed_event_id");`,
    );

    this.addSql(
      `alter table "overdose_event" add constraint "overdose_event_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete set null deferrable initially deferred;`,
    );
    this.addSql(
      `alter table "overdose_event" add constraint "overdose_event_merged_into_id_foreign" foreign key ("merged_into_id") references "overdose_event" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "event_merge" add constraint "event_merge_surviving_event_id_foreign" foreign key ("surviving_event_id") references "overdose_event" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "event_merge" add constraint "event_merge_absorbed_event_id_foreign" foreign key ("absorbed_event_id") references "overdose_event" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "event_merge" add constraint "event_merge_absorbed_case_id_foreign" foreign key ("absorbed_case_id") references "overdose_case" ("id") on update cascade;`,
    );

    // Today's reports: one event each, the event's id the report's.
    this
      .addSql(`insert into "overdose_event" (id, created_at, updated_at, occurred_at, county, latitude, longitude, person_id, version)
      select id, created_at, created_at, occurred_at, county, latitude, longitude, person_id, 1 from overdose_incident;`);
    this.addSql(`alter table "overdose_incident" add column "event_id" uuid null;`);
    // The fact triggers would refresh every unit row by row: the table is rebuilt below instead.
    this.addSql(`alter table "overdose_incident" disable trigger user;`);
    this.addSql(`update "overdose_incident" set event_id = id;`);
    this.addSql(`alter table "overdose_incident" enable trigger user;`);
    this.addSql(`alter table "overdose_incident" alter column "event_id" set not null;`);
    this.addSql(
      `alter table "overdose_incident" add constraint "overdose_incident_event_id_foreign" foreign key ("event_id") references "overdose_event" ("id") on update cascade;`,
    );
    this.addSql(
      `create index "overdose_incident_event_id_index" on "overdose_incident" ("event_id");`,
    );
    // The planner needs the new column's statistics at once: without them it takes every
    // event for a big one and the statistics triggers scan the doses table per report.
    this.addSql(`analyze overdose_incident;`);
    this.addSql(`analyze overdose_event;`);

    // A report that opens its event (event_id its own id, or none given) writes the event from
    // its own columns: one way for the intake, seeders and imports alike.
    this
      .addSql(`create or replace function overdose_incident_own_event() returns trigger language plpgsql as $$
      begin
        new.event_id := new.id;
        insert into overdose_event (id, created_at, updated_at, occurred_at, county, latitude, longitude, person_id, version)
        values (new.id, new.created_at, new.created_at, new.occurred_at, new.county, new.latitude, new.longitude, new.person_id, 1)
        on conflict (id) do nothing;
        return new;
      end $$;`);
    this.addSql(`create trigger overdose_incident_own_event before insert on overdose_incident
      for each row when (new.event_id is null or new.event_id = new.id) execute function overdose_incident_own_event();`);

    // Statistics count events (stats_fact: one row per event; feedback to every source agency).
    this.addSql(FACT_SOURCE_VIEW_FOR_SCHEMA(true));
    this.addSql(`alter table stats_fact add column source_agency_ids uuid[];`);
    for (const sql of factTriggerFunctions(true)) this.addSql(sql);
    // Every report is its own event at this point: the units' numbers are as they were, and
    // their sources are their own reporter (no rebuild of a million rows through the view).
    this.addSql(`update stats_fact set source_agency_ids = array[reporting_agency_id];`);
    this.addSql(
      `create index stats_fact_source_agencies on stats_fact using gin (source_agency_ids);`,
    );

    // The rollup grid: a report counts as an overdose (and fatal, and contacted) only as its
    // event's index; its doses count wherever it is (keyed functions of migration stats_numbers).
    this
      .addSql(`create or replace function stats_rollup_report_delta(p_incident uuid, p_occurred timestamptz,
        p_county char(5), p_agency uuid, p_fatal boolean, p_index boolean, p_sign int) returns void language sql as $$
      select stats_rollup_add_keyed(p_occurred, p_county, p_agency, p_sign * p_index::int, p_sign * (p_fatal and p_index)::int,
        p_sign * (select count(*)::int from naloxone_administration n where n.incident_id = p_incident),
        p_sign * p_index::int * (select count(*)::int from overdose_case c where c.index_incident_id = p_incident
                    and exists (select 1 from outreach_attempt a
                                 where a.case_id = c.id and a.outcome = any(${CONTACT}))),
        stats_unit_key(p_incident)) $$;`);
    this
      .addSql(`create or replace function stats_rollup_incident_trigger() returns trigger language plpgsql as $$
      begin
        if not stats_rollup_on() then return null; end if;
        if tg_op = 'INSERT' then
          perform stats_rollup_add_keyed(new.occurred_at, new.county, new.reporting_agency_id,
            (new.event_id = new.id)::int, (new.fatal and new.event_id = new.id)::int, 0, 0, stats_unit_key(new.id));
        elsif not stats_incident_counts(coalesce(new.id, old.id)) then
          null;
        elsif tg_op = 'UPDATE' then
          perform stats_rollup_report_delta(old.id, old.occurred_at, old.county, old.reporting_agency_id, old.fatal, old.event_id = old.id, -1);
          perform stats_rollup_report_delta(new.id, new.occurred_at, new.county, new.reporting_agency_id, new.fatal, new.event_id = new.id, 1);
        else
          perform stats_rollup_report_delta(old.id, old.occurred_at, old.county, old.reporting_agency_id, old.fatal, old.event_id = old.id, -1);
        end if;
        return null;
      end $$;`);
    this.addSql(`drop trigger if exists stats_rollup_incident_update on overdose_incident;`);
    this
      .addSql(`create trigger stats_rollup_incident_update after update of occurred_at, county, reporting_agency_id, fatal, event_id
      on overdose_incident for each row
      when (old.occurred_at is distinct from new.occurred_at or old.county is distinct from new.county
            or old.reporting_agency_id is distinct from new.reporting_agency_id or old.fatal is distinct from new.fatal
            or (old.event_id = old.id) is distinct from (new.event_id = new.id))
      execute function stats_rollup_incident_trigger();`);
    this.addSql(ATTEMPT_TRIGGER('and inc.event_id = inc.id'));
    this
      .addSql(`create or replace function stats_rollup_case_trigger() returns trigger language plpgsql as $$
      declare
        i overdose_incident;
      begin
        if not stats_rollup_on() then return null; end if;
        select * into i from overdose_incident where id = new.index_incident_id;
        perform stats_rollup_report_delta(i.id, i.occurred_at, i.county, i.reporting_agency_id, i.fatal,
          i.event_id = i.id, case when new.status = 'ENTERED_IN_ERROR' then -1 else 1 end);
        return null;
      end $$;`);
  }

  override async down(): Promise<void> {
    this
      .addSql(`create or replace function stats_rollup_case_trigger() returns trigger language plpgsql as $$
      declare
        i overdose_incident;
      begin
        if not stats_rollup_on() then return null; end if;
        select * into i from overdose_incident where id = new.index_incident_id;
        perform stats_rollup_incident_delta(i.id, i.occurred_at, i.county, i.reporting_agency_id, i.fatal,
          case when new.status = 'ENTERED_IN_ERROR' then -1 else 1 end);
        return null;
      end $$;`);
    this
      .addSql(`create or replace function stats_rollup_incident_trigger() returns trigger language plpgsql as $$
      begin
        if not stats_rollup_on() then return null; end if;
        if tg_op = 'INSERT' then
          perform stats_rollup_add_keyed(new.occurred_at, new.county, new.reporting_agency_id, 1, new.fatal::int, 0, 0,
            stats_unit_key(new.id));
        elsif not stats_incident_counts(coalesce(new.id, old.id)) then
          null;
        elsif tg_op = 'UPDATE' then
          perform stats_rollup_incident_delta(old.id, old.occurred_at, old.county, old.reporting_agency_id, old.fatal, -1);
          perform stats_rollup_incident_delta(new.id, new.occurred_at, new.county, new.reporting_agency_id, new.fatal, 1);
        else
          perform stats_rollup_incident_delta(old.id, old.occurred_at, old.county, old.reporting_agency_id, old.fatal, -1);
        end if;
        return null;
      end $$;`);
    this.addSql(`drop trigger if exists stats_rollup_incident_update on overdose_incident;`);
    this
      .addSql(`create trigger stats_rollup_incident_update after update of occurred_at, county, reporting_agency_id, fatal
      on overdose_incident for each row
      when (old.occurred_at is distinct from new.occurred_at or old.county is distinct from new.county
            or old.reporting_agency_id is distinct from new.reporting_agency_id or old.fatal is distinct from new.fatal)
      execute function stats_rollup_incident_trigger();`);
    this.addSql(ATTEMPT_TRIGGER(''));
    this.addSql(`drop index if exists stats_fact_source_agencies;`);
    for (const sql of factTriggerFunctions(false)) this.addSql(sql);
    // The view loses its last column: it is dropped and made again as before.
    this.addSql(`drop view stats_fact_source;`);
    this.addSql(FACT_SOURCE_VIEW_FOR_SCHEMA(false, 'create view'));
    this.addSql(`alter table stats_fact drop column source_agency_ids;`);
    this.addSql(`delete from stats_fact;`);
    this.addSql(`insert into stats_fact select * from stats_fact_source;`);
    this.addSql(`drop trigger if exists overdose_incident_own_event on overdose_incident;`);
    this.addSql(`drop function if exists overdose_incident_own_event();`);
    this.addSql(
      `alter table "overdose_incident" drop constraint "overdose_incident_event_id_foreign";`,
    );
    this.addSql(`drop index "overdose_incident_event_id_index";`);
    this.addSql(`alter table "overdose_incident" drop column "event_id";`);
    this.addSql(`drop table if exists "event_merge" cascade;`);
    this.addSql(`drop table if exists "overdose_event" cascade;`);
    this.addSql(
      `drop function if exists stats_rollup_report_delta(uuid, timestamptz, char, uuid, boolean, boolean, int);`,
    );
  }
}
