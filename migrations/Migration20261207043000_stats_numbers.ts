import { Migration } from '@mikro-orm/migrations';

/** Contact outcomes (src/modules/outreach/outreach-codes.ts CONTACT_OUTCOMES), frozen here. */
const CONTACT = `'{CONTACT_SURVIVOR_ENGAGED,CONTACT_SURVIVOR_DECLINED,CONTACT_SOCIAL_NETWORK_CONSENTED}'::attempt_outcome[]`;

/** A record key: 20 random bits from the strong generator behind gen_random_uuid(). */
const NEW_KEY = `(('x' || substr(md5(gen_random_uuid()::text), 1, 5))::bit(20))::int`;

/**
 * Issue 15, numbers programs can report: permanent record keys for cell-key perturbation (one per
 * counted unit, today the report), per-agency calendars, county populations for rates, and the
 * dashboard rollup extended with the sums of its records' keys so that its shared cells can be
 * perturbed like every other aggregate.
 */
export class Migration20261207043000_stats_numbers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "stats_record_key" (
      "unit_id" uuid not null primary key, "key" int not null);`);
    this.addSql(`insert into "stats_record_key" ("unit_id", "key")
      select id, ${NEW_KEY} from overdose_incident;`);
    this
      .addSql(`create or replace function stats_record_key_assign() returns trigger language plpgsql as $$
      begin
        insert into stats_record_key (unit_id, key) values (new.id, ${NEW_KEY}) on conflict do nothing;
        return null;
      end $$;`);
    this.addSql(`create trigger stats_record_key_insert after insert on overdose_incident
      for each row execute function stats_record_key_assign();`);
    this
      .addSql(`create or replace function stats_record_key_forget() returns trigger language plpgsql as $$
      begin
        delete from stats_record_key where unit_id = old.id;
        return null;
      end $$;`);
    this.addSql(`create trigger stats_record_key_delete after delete on overdose_incident
      for each row execute function stats_record_key_forget();`);

    this.addSql(`create table "stats_calendar" (
      "agency_id" uuid not null primary key,
      "time_zone" text null, "fiscal_year_start_month" smallint null);`);

    this.addSql(`create table "county_population" (
      "county" char(5) not null, "year" int not null, "population" int not null,
      "county_name" text not null, "state_name" text not null,
      constraint "county_population_pkey" primary key ("county", "year"));`);

    // Regions for the research extract's generalisation (county → region → state); a county
    // without one generalises straight to its state.
    this.addSql(`create table "county_region" (
      "county" char(5) not null primary key, "region" text not null);`);

    // The rollup's key sums: the same additive bookkeeping as its counts.
    this.addSql(`alter table "stats_rollup"
      add column "incidents_key" bigint not null default 0, add column "fatal_key" bigint not null default 0,
      add column "naloxone_doses_key" bigint not null default 0, add column "contacted_key" bigint not null default 0;`);
    this
      .addSql(`update stats_rollup r set incidents_key = s.ik, fatal_key = s.fk, naloxone_doses_key = s.dk, contacted_key = s.ck
      from (select date_trunc('month', i.occurred_at at time zone 'UTC')::date as month, i.county, i.reporting_agency_id as agency_id,
                   sum(k.key) as ik, coalesce(sum(k.key) filter (where i.fatal), 0) as fk,
                   coalesce(sum(k.key * (select count(*) from naloxone_administration n where n.incident_id = i.id)), 0) as dk,
                   coalesce(sum(k.key) filter (where exists (select 1 from overdose_case c join outreach_attempt a on a.case_id = c.id
                      where c.index_incident_id = i.id and a.outcome = any(${CONTACT}))), 0) as ck
              from overdose_incident i join stats_record_key k on k.unit_id = i.id
              left join overdose_case c on c.index_incident_id = i.id
             where c.status is distinct from 'ENTERED_IN_ERROR'
             group by 1, 2, 3) s
     where r.month = s.month and r.county = s.county and r.agency_id = s.agency_id;`);
    this
      .addSql(`create or replace function stats_unit_key(p_unit uuid) returns int language sql stable as $$
      select coalesce((select key from stats_record_key where unit_id = p_unit), 0) $$;`);
    this
      .addSql(`create or replace function stats_rollup_add_keyed(p_occurred timestamptz, p_county char(5), p_agency uuid,
        d_incidents int, d_fatal int, d_doses int, d_contacted int, p_key int) returns void language sql as $$
      insert into stats_rollup as r (month, county, agency_id, incidents, fatal, naloxone_doses, contacted,
                                     incidents_key, fatal_key, naloxone_doses_key, contacted_key)
      values (date_trunc('month', p_occurred at time zone 'UTC')::date, p_county, p_agency,
              d_incidents, d_fatal, d_doses, d_contacted,
              d_incidents::bigint * p_key, d_fatal::bigint * p_key, d_doses::bigint * p_key, d_contacted::bigint * p_key)
      on conflict (month, county, agency_id) do update
        set incidents = r.incidents + excluded.incidents, fatal = r.fatal + excluded.fatal,
            naloxone_doses = r.naloxone_doses + excluded.naloxone_doses,
            contacted = r.contacted + excluded.contacted,
            incidents_key = r.incidents_key + excluded.incidents_key, fatal_key = r.fatal_key + excluded.fatal_key,
            naloxone_doses_key = r.naloxone_doses_key + excluded.naloxone_doses_key,
            contacted_key = r.contacted_key + excluded.contacted_key $$;`);
    this
      .addSql(`create or replace function stats_rollup_incident_delta(p_incident uuid, p_occurred timestamptz,
        p_county char(5), p_agency uuid, p_fatal boolean, p_sign int) returns void language sql as $$
      select stats_rollup_add_keyed(p_occurred, p_county, p_agency, p_sign, p_sign * p_fatal::int,
        p_sign * (select count(*)::int from naloxone_administration n where n.incident_id = p_incident),
        p_sign * (select count(*)::int from overdose_case c where c.index_incident_id = p_incident
                    and exists (select 1 from outreach_attempt a
                                 where a.case_id = c.id and a.outcome = any(${CONTACT}))),
        stats_unit_key(p_incident)) $$;`);
    // The key row is written by stats_record_key_insert, which fires first (triggers of one event
    // fire in name order), also while a bulk load has switched the rollup off.
    this
      .addSql(`create or replace function stats_rollup_incident_trigger() returns trigger language plpgsql as $$
      declare
        k int;
      begin
        if not stats_rollup_on() then return null; end if;
        if tg_op = 'INSERT' then
          k := stats_unit_key(new.id);
          perform stats_rollup_add_keyed(new.occurred_at, new.county, new.reporting_agency_id, 1, new.fatal::int, 0, 0, k);
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
    this
      .addSql(`create or replace function stats_rollup_naloxone_trigger() returns trigger language plpgsql as $$
      declare
        n naloxone_administration;
        i overdose_incident;
      begin
        if not stats_rollup_on() then return null; end if;
        n := coalesce(new, old);
        select * into i from overdose_incident where id = n.incident_id;
        if not found or not stats_incident_counts(i.id) then return null; end if;
        perform stats_rollup_add_keyed(i.occurred_at, i.county, i.reporting_agency_id, 0, 0,
                                 case when tg_op = 'INSERT' then 1 else -1 end, 0, stats_unit_key(i.id));
        return null;
      end $$;`);
    this
      .addSql(`create or replace function stats_rollup_attempt_trigger() returns trigger language plpgsql as $$
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
         where c.id = a.case_id and c.status <> 'ENTERED_IN_ERROR';
        if not found then return null; end if;
        perform stats_rollup_add_keyed(i.occurred_at, i.county, i.reporting_agency_id, 0, 0, 0,
                                 case when now_ then 1 else -1 end, stats_unit_key(i.id));
        return null;
      end $$;`);
  }

  // Down leaves the rollup triggers on the keyed functions; apply the stats migration's bodies
  // again (Migration20261128193745_stats) when going further back than this.
  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists stats_record_key_delete on overdose_incident;`);
    this.addSql(`drop function if exists stats_record_key_forget();`);
    this.addSql(`drop trigger if exists stats_record_key_insert on overdose_incident;`);
    this.addSql(`drop function if exists stats_record_key_assign();`);
    this.addSql(`alter table "stats_rollup" drop column "incidents_key", drop column "fatal_key",
      drop column "naloxone_doses_key", drop column "contacted_key";`);
    this.addSql(`drop table if exists "county_region";`);
    this.addSql(`drop table if exists "county_population";`);
    this.addSql(`drop table if exists "stats_calendar";`);
    this.addSql(`drop table if exists "stats_record_key";`);
  }
}
