import { Migration } from '@mikro-orm/migrations';

/** Contact outcomes (src/modules/outreach/outreach-codes.ts CONTACT_OUTCOMES), frozen here. */
const CONTACT = `'{CONTACT_SURVIVOR_ENGAGED,CONTACT_SURVIVOR_DECLINED,CONTACT_SOCIAL_NETWORK_CONSENTED}'::attempt_outcome[]`;

export class Migration20261128193745_stats extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "stats_age_band" ("identity_id" uuid not null, "age_band" text not null, constraint "stats_age_band_pkey" primary key ("identity_id"));`,
    );
    this.addSql(
      `alter table "stats_age_band" add constraint "stats_age_band_identity_id_foreign" foreign key ("identity_id") references "reported_identity" ("id") on update cascade on delete cascade;`,
    );

    // Aggregates scan incidents by time: a BRIN index is tiny and fast for month ranges on a
    // table filled in roughly time order. The others serve the per-case lookups of the stats.
    this.addSql(
      `create index "stats_incident_occurred_at_brin" on "overdose_incident" using brin ("occurred_at");`,
    );
    this.addSql(
      `create index "stats_incident_person_occurred_at" on "overdose_incident" ("person_id", "occurred_at") where "person_id" is not null;`,
    );
    this.addSql(
      `create index "stats_case_event_case_to_status" on "case_event" ("case_id", "to_status");`,
    );
    this.addSql(
      `create index "stats_lead_referral_case_status" on "lead_referral" ("case_id", "status");`,
    );

    // The dashboard grid (month × county × reporting agency), kept current by triggers in the
    // same transaction as every write, rebuilt by refreshStatsRollup(). A session may set
    // hub.stats_rollup = 'off' (a bulk load) and rebuild afterwards.
    this.addSql(
      `create table "stats_rollup" ("month" date not null, "county" char(5) not null, "agency_id" uuid not null, "incidents" int not null default 0, "fatal" int not null default 0, "naloxone_doses" int not null default 0, "contacted" int not null default 0, constraint "stats_rollup_pkey" primary key ("month", "county", "agency_id"));`,
    );
    this
      .addSql(`create or replace function stats_rollup_on() returns boolean language sql stable as $$
      select coalesce(current_setting('hub.stats_rollup', true), '') <> 'off' $$;`);
    this
      .addSql(`create or replace function stats_rollup_add(p_occurred timestamptz, p_county char(5), p_agency uuid,
        d_incidents int, d_fatal int, d_doses int, d_contacted int) returns void language sql as $$
      insert into stats_rollup as r (month, county, agency_id, incidents, fatal, naloxone_doses, contacted)
      values (date_trunc('month', p_occurred at time zone 'UTC')::date, p_county, p_agency,
              d_incidents, d_fatal, d_doses, d_contacted)
      on conflict (month, county, agency_id) do update
        set incidents = r.incidents + excluded.incidents, fatal = r.fatal + excluded.fatal,
            naloxone_doses = r.naloxone_doses + excluded.naloxone_doses,
            contacted = r.contacted + excluded.contacted $$;`);
    // Whether an incident counts at all: not when its case was entered in error.
    this
      .addSql(`create or replace function stats_incident_counts(p_incident uuid) returns boolean language sql stable as $$
      select not exists (select 1 from overdose_case c
                          where c.index_incident_id = p_incident and c.status = 'ENTERED_IN_ERROR') $$;`);
    // One incident's whole contribution, signed: used when it moves cell or stops counting.
    this
      .addSql(`create or replace function stats_rollup_incident_delta(p_incident uuid, p_occurred timestamptz,
        p_county char(5), p_agency uuid, p_fatal boolean, p_sign int) returns void language sql as $$
      select stats_rollup_add(p_occurred, p_county, p_agency, p_sign, p_sign * p_fatal::int,
        p_sign * (select count(*)::int from naloxone_administration n where n.incident_id = p_incident),
        p_sign * (select count(*)::int from overdose_case c where c.index_incident_id = p_incident
                    and exists (select 1 from outreach_attempt a
                                 where a.case_id = c.id and a.outcome = any(${CONTACT})))) $$;`);

    this
      .addSql(`create or replace function stats_rollup_incident_trigger() returns trigger language plpgsql as $$
      begin
        if not stats_rollup_on() then return null; end if;
        if tg_op = 'INSERT' then
          perform stats_rollup_add(new.occurred_at, new.county, new.reporting_agency_id, 1, new.fatal::int, 0, 0);
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
    this.addSql(`create trigger stats_rollup_incident_insert after insert on overdose_incident
      for each row execute function stats_rollup_incident_trigger();`);
    this
      .addSql(`create trigger stats_rollup_incident_update after update of occurred_at, county, reporting_agency_id, fatal
      on overdose_incident for each row
      when (old.occurred_at is distinct from new.occurred_at or old.county is distinct from new.county
            or old.reporting_agency_id is distinct from new.reporting_agency_id or old.fatal is distinct from new.fatal)
      execute function stats_rollup_incident_trigger();`);
    // Before the delete, while its doses (removed by the cascade) can still be counted.
    this.addSql(`create trigger stats_rollup_incident_delete before delete on overdose_incident
      for each row execute function stats_rollup_incident_trigger();`);

    this
      .addSql(`create or replace function stats_rollup_naloxone_trigger() returns trigger language plpgsql as $$
      declare
        n naloxone_administration;
        i overdose_incident;
      begin
        if not stats_rollup_on() then return null; end if;
        n := coalesce(new, old);
        select * into i from overdose_incident where id = n.incident_id;
        -- Gone already: the incident's own delete took its doses off.
        if not found or not stats_incident_counts(i.id) then return null; end if;
        perform stats_rollup_add(i.occurred_at, i.county, i.reporting_agency_id, 0, 0,
                                 case when tg_op = 'INSERT' then 1 else -1 end, 0);
        return null;
      end $$;`);
    this
      .addSql(`create trigger stats_rollup_naloxone after insert or delete on naloxone_administration
      for each row execute function stats_rollup_naloxone_trigger();`);

    // A case counts as contacted from its first contact attempt on.
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
        perform stats_rollup_add(i.occurred_at, i.county, i.reporting_agency_id, 0, 0, 0,
                                 case when now_ then 1 else -1 end);
        return null;
      end $$;`);
    this
      .addSql(`create trigger stats_rollup_attempt after insert or delete or update of outcome on outreach_attempt
      for each row execute function stats_rollup_attempt_trigger();`);

    // A case entered in error takes its incident out of the grid (and back in if undone).
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
    this.addSql(`create trigger stats_rollup_case after update of status on overdose_case
      for each row when ((old.status = 'ENTERED_IN_ERROR') <> (new.status = 'ENTERED_IN_ERROR'))
      execute function stats_rollup_case_trigger();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists stats_rollup_case on overdose_case;`);
    this.addSql(`drop trigger if exists stats_rollup_attempt on outreach_attempt;`);
    this.addSql(`drop trigger if exists stats_rollup_naloxone on naloxone_administration;`);
    this.addSql(`drop trigger if exists stats_rollup_incident_insert on overdose_incident;`);
    this.addSql(`drop trigger if exists stats_rollup_incident_update on overdose_incident;`);
    this.addSql(`drop trigger if exists stats_rollup_incident_delete on overdose_incident;`);
    this.addSql(`drop function if exists stats_rollup_case_trigger();`);
    this.addSql(`drop function if exists stats_rollup_attempt_trigger();`);
    this.addSql(`drop function if exists stats_rollup_naloxone_trigger();`);
    this.addSql(`drop function if exists stats_rollup_incident_trigger();`);
    this.addSql(
      `drop function if exists stats_rollup_incident_delta(uuid, timestamptz, char, uuid, boolean, int);`,
    );
    this.addSql(`drop function if exists stats_incident_counts(uuid);`);
    this.addSql(
      `drop function if exists stats_rollup_add(timestamptz, char, uuid, int, int, int, int);`,
    );
    this.addSql(`drop function if exists stats_rollup_on();`);
    this.addSql(`drop table if exists "stats_rollup" cascade;`);
    this.addSql(`drop index if exists "stats_lead_referral_case_status";`);
    this.addSql(`drop index if exists "stats_case_event_case_to_status";`);
    this.addSql(`drop index if exists "stats_incident_person_occurred_at";`);
    this.addSql(`drop index if exists "stats_incident_occurred_at_brin";`);
    this.addSql(`drop table if exists "stats_age_band" cascade;`);
  }
}
