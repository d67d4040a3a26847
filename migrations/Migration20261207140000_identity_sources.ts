import { Migration } from '@mikro-orm/migrations';

/**
 * Identity follows its sources (issue 13 point 3): every identity and contact value is stored
 * with the agency that recorded it, and the merged values on `person` go.
 *
 * - What a reporter entered stays on its report's `reported_identity` row (its reporter is the
 *   incident's reporting agency), which now also holds phone, home address, sex and race.
 * - What an outreach agency recorded goes to a new `contact_record` row of that agency.
 *
 * Moving today's merged values, where their source is not written down (the choices):
 * - Name and date of birth: every report already has its own as entered; the merged copy is
 *   dropped.
 * - Phone and home address: the vault took them from the newest report that had them, or from an
 *   outreach worker's correction (`Mutation.updatePersonContact`). When an allowed audit row of
 *   that mutation names a case of the person, they belong to the agency of the latest such row
 *   (its contact record); otherwise to the person's newest report that named the person.
 * - Sex and race/ethnicity: copied to the newest report as well (they stay on `person` too, for
 *   equity statistics; they are never served from there).
 * - Contact preferences (method, safe-contact times, the household warning when it was turned
 *   off): from the agency of the latest allowed audit row of
 *   `Mutation.updateContactPreferences` on a case of the person; without one, the agency the
 *   person's most recently updated routed case is routed to (the only agency that could record
 *   them); with neither, they are dropped rather than guessed.
 * The choice errs towards the narrower audience: a value whose recorder is unknown is given to
 * one agency, never shared more widely than before under an agreement it did not have.
 *
 * (The other half of the point-6 migration, DECLINED → DECLINED_SERVICES and clearing the
 * do-not-contact flags only a decline set, is Migration20261207050000_declined_services.)
 */
/** "A phone or street on file" for the person `p`, from the sources (quotes doubled for a literal). */
const HAS_CONTACT = `exists (select 1 from reported_identity hc_r
    join overdose_incident hc_i on hc_i.id = hc_r.incident_id
   where hc_i.person_id = p.id and (hc_r.phone is not null or hc_r.street is not null))
  or exists (select 1 from contact_record hc_c
   where hc_c.person_id = p.id and (hc_c.phone is not null or hc_c.street is not null))`;

/** The statistics units a change of the person's sources concerns: all of the person's. */
const PERSON_UNITS = (people: string) =>
  `select id from overdose_incident where person_id in (${people})
   union all select index_incident_id from overdose_case where person_id in (${people})`;
const FACT_UNITS: Record<string, (rows: string) => string> = {
  reported_identity: (rows) =>
    PERSON_UNITS(
      `select i.person_id from overdose_incident i where i.id in (select incident_id from ${rows})`,
    ),
  contact_record: (rows) => PERSON_UNITS(`select person_id from ${rows}`),
};

export class Migration20261207140000_identity_sources extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "reported_identity"
      add column "phone" text null, add column "street" text null, add column "city" text null,
      add column "state" character(2) null, add column "zip" text null,
      add column "sex" "sex" null,
      add column "race_ethnicity" "race_ethnicity"[] not null default '{}';`);
    this.addSql(`alter table "reported_identity" alter column "race_ethnicity" drop default;`);
    this.addSql(
      `create table "contact_record" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "person_id" uuid not null, "agency_id" uuid not null, "recorded_by_id" uuid null, "phone" text null, "street" text null, "city" text null, "state" character(2) null, "zip" text null, "phone_set" boolean not null default false, "address_set" boolean not null default false, "preferred_contact_method" "contact_method" null, "safe_contact_times" text null, "do_not_disclose_to_household" boolean null, constraint "contact_record_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "contact_record_person_id_index" on "contact_record" ("person_id");`);
    this.addSql(
      `alter table "contact_record" add constraint "contact_record_person_id_agency_id_unique" unique ("person_id", "agency_id");`,
    );
    this.addSql(
      `alter table "contact_record" add constraint "contact_record_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade;`,
    );

    // The person's newest named report, and the agencies the audit trail shows recording values.
    this.addSql(`create temporary table "_newest_report" as
      select distinct on (i.person_id) i.person_id, r.id as reported_identity_id
        from reported_identity r join overdose_incident i on i.id = r.incident_id
       where i.person_id is not null
       order by i.person_id, i.occurred_at desc, i.created_at desc, r.id desc;`);
    this.addSql(`create temporary table "_recorded_by" as
      select distinct on (c.person_id, a.action) c.person_id, a.action, a.agency_id
        from audit_event a
        join overdose_case c on c.id = any(a.entity_ids)
       where a.action in ('Mutation.updatePersonContact', 'Mutation.updateContactPreferences')
         and a.outcome = 'ALLOWED' and a.agency_id is not null and c.person_id is not null
       order by c.person_id, a.action, a.occurred_at desc;`);

    // Phone and address corrected by an outreach agency: that agency's contact record.
    this.addSql(`insert into contact_record (id, created_at, updated_at, person_id, agency_id,
                   phone, street, city, state, zip, phone_set, address_set)
      select gen_random_uuid(), now(), now(), p.id, rb.agency_id,
             p.phone, p.street, p.city, p.state, p.zip, true, true
        from person p join _recorded_by rb
          on rb.person_id = p.id and rb.action = 'Mutation.updatePersonContact';`);
    // Otherwise the newest report's.
    this.addSql(`update reported_identity r
        set phone = p.phone, street = p.street, city = p.city, state = p.state, zip = p.zip
       from _newest_report n join person p on p.id = n.person_id
      where r.id = n.reported_identity_id
        and not exists (select 1 from _recorded_by rb
                         where rb.person_id = p.id and rb.action = 'Mutation.updatePersonContact');`);
    this.addSql(`update reported_identity r
        set sex = p.sex, race_ethnicity = p.race_ethnicity
       from _newest_report n join person p on p.id = n.person_id
      where r.id = n.reported_identity_id;`);

    // Contact preferences: the recording agency (audit), else the routed agency of the newest case.
    this.addSql(`create temporary table "_preferences_by" as
      select p.id as person_id,
             coalesce(rb.agency_id, (select c.routed_agency_id from overdose_case c
                                      where c.person_id = p.id and c.routed_agency_id is not null
                                      order by c.updated_at desc, c.id desc limit 1)) as agency_id
        from person p
        left join _recorded_by rb
          on rb.person_id = p.id and rb.action = 'Mutation.updateContactPreferences'
       where p.preferred_contact_method is not null or p.safe_contact_times is not null
          or not p.do_not_disclose_to_household;`);
    this.addSql(`insert into contact_record (id, created_at, updated_at, person_id, agency_id,
                   preferred_contact_method, safe_contact_times,
                   do_not_disclose_to_household)
      select gen_random_uuid(), now(), now(), p.id, pb.agency_id,
             p.preferred_contact_method, p.safe_contact_times, p.do_not_disclose_to_household
        from person p join _preferences_by pb on pb.person_id = p.id
       where pb.agency_id is not null
      on conflict (person_id, agency_id) do update
        set preferred_contact_method = excluded.preferred_contact_method,
            safe_contact_times = excluded.safe_contact_times,
            do_not_disclose_to_household = excluded.do_not_disclose_to_household;`);

    this.addSql(`drop table "_newest_report", "_recorded_by", "_preferences_by";`);

    // Statistics read "has contact" (a phone or street on file) from the merged columns: it now
    // reads the sources. The view is edited in place (the rest of its definition is the stats
    // migrations'), and the edit fails loudly if that expression is not found. The moved values
    // give the same answer for every existing unit, so stats_fact needs no rebuild.
    this.addSql(`do $$
      declare
        old_def text := pg_get_viewdef('stats_fact_source'::regclass);
        new_def text;
      begin
        new_def := regexp_replace(old_def,
          'COALESCE[(]+p[.]phone IS NOT NULL[)]* OR [(]*p[.]street IS NOT NULL[)]+, false[)]',
          '(${HAS_CONTACT})');
        if new_def = old_def then
          raise exception 'stats_fact_source: has_contact expression not found';
        end if;
        execute 'create or replace view stats_fact_source as ' || new_def;
      end $$;`);
    for (const [table, units] of Object.entries(FACT_UNITS)) {
      for (const event of ['insert', 'update', 'delete'] as const) {
        const sets = [
          ...(event !== 'delete' ? [units('new_rows')] : []),
          ...(event !== 'insert' ? [units('old_rows')] : []),
        ];
        const referencing = [
          ...(event !== 'delete' ? ['new table as new_rows'] : []),
          ...(event !== 'insert' ? ['old table as old_rows'] : []),
        ].join(' ');
        this.addSql(`create or replace function stats_fact_${table}_${event}() returns trigger
          language plpgsql as $$
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
    this.addSql(`alter table "person"
      drop column "first_name", drop column "last_name", drop column "date_of_birth",
      drop column "phone", drop column "street", drop column "city", drop column "state",
      drop column "zip", drop column "preferred_contact_method",
      drop column "safe_contact_times", drop column "do_not_disclose_to_household";`);
  }

  override async down(): Promise<void> {
    for (const table of Object.keys(FACT_UNITS)) {
      for (const event of ['insert', 'update', 'delete']) {
        this.addSql(`drop trigger if exists stats_unit_fact_${table}_${event} on ${table};`);
        this.addSql(`drop function if exists stats_fact_${table}_${event}();`);
      }
    }
    // The merged copy cannot be rebuilt faithfully (which source won was never recorded); the
    // columns come back empty and the per-source values stay where they are.
    this.addSql(`alter table "person"
      add column "first_name" text null, add column "last_name" text null,
      add column "date_of_birth" text null, add column "phone" text null,
      add column "street" text null, add column "city" text null,
      add column "state" character(2) null, add column "zip" text null,
      add column "preferred_contact_method" "contact_method" null,
      add column "safe_contact_times" text null,
      add column "do_not_disclose_to_household" boolean not null default true;`);
    this.addSql(`drop table if exists "contact_record" cascade;`);
    this.addSql(`alter table "reported_identity"
      drop column "phone", drop column "street", drop column "city", drop column "state",
      drop column "zip", drop column "sex", drop column "race_ethnicity";`);
  }
}
