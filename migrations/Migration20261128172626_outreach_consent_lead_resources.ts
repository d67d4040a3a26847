import { Migration } from '@mikro-orm/migrations';

export class Migration20261128172626_outreach_consent_lead_resources extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "contact_method" as enum ('PHONE', 'TEXT', 'VISIT');`);
    this.addSql(
      `create type "resource_service" as enum ('MOUD', 'DETOX', 'OUTPATIENT', 'INTENSIVE_OUTPATIENT', 'RESIDENTIAL', 'SYRINGE_SERVICES', 'NALOXONE_DISTRIBUTION', 'PEER_SUPPORT', 'HOUSING', 'MENTAL_HEALTH');`,
    );
    this.addSql(`create type "moud_type" as enum ('METHADONE', 'BUPRENORPHINE', 'NALTREXONE');`);
    this.addSql(
      `create type "payment_accepted" as enum ('MEDICAID', 'MEDICARE', 'PRIVATE_INSURANCE', 'NO_PAYMENT', 'SLIDING_SCALE', 'SELF_PAY', 'MILITARY', 'IHS_TRIBAL', 'PAYMENT_ASSISTANCE');`,
    );
    this.addSql(
      `create type "hold_reason" as enum ('HOSPITALIZED', 'INCARCERATED', 'ASKED_FOR_LATER_CONTACT', 'OTHER');`,
    );
    this.addSql(
      `create type "attempt_outcome" as enum ('NO_ANSWER', 'WRONG_OR_DISCONNECTED_NUMBER', 'NOT_AT_ADDRESS', 'THIRD_PARTY_ANSWERED', 'CONTACT_SOCIAL_NETWORK_CONSENTED', 'CONTACT_SURVIVOR_DECLINED', 'CONTACT_SURVIVOR_ENGAGED', 'UNSAFE_OR_ABORTED', 'HOSPITALIZED', 'INCARCERATED', 'DECEASED', 'MOVED');`,
    );
    this.addSql(
      `create type "team_member" as enum ('PEER_SUPPORT_SPECIALIST', 'HARM_REDUCTION_WORKER', 'CLINICIAN', 'SOCIAL_WORKER', 'COMMUNITY_PARAMEDIC', 'OTHER');`,
    );
    this.addSql(
      `create type "officer_presence" as enum ('NONE', 'WARM_HANDOFF_ONLY', 'PLAIN_CLOTHES', 'UNIFORMED');`,
    );
    this.addSql(
      `create type "lead_door" as enum ('ARREST_DIVERSION', 'SOCIAL_CONTACT', 'COMMUNITY');`,
    );
    this.addSql(
      `create type "lead_status" as enum ('REFERRED', 'INTAKE_PENDING', 'ACTIVE', 'INACTIVE', 'EXITED');`,
    );
    this.addSql(
      `create type "lead_exit_reason" as enum ('INTAKE_NOT_COMPLETED', 'COMPLETED_GOALS', 'DECLINED', 'MOVED', 'DECEASED', 'OTHER');`,
    );
    this.addSql(
      `create type "consent_scope" as enum ('CONTACT_FOR_FOLLOW_UP', 'SHARE_WITH_LEAD', 'SHARE_WITH_TREATMENT_PROVIDER', 'CONTACT_FAMILY');`,
    );
    this.addSql(`create type "consent_method" as enum ('VERBAL', 'WRITTEN');`);
    this.addSql(
      `create table "treatment_resource" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "agency_id" uuid null, "name" text not null, "description" text null, "services" "resource_service"[] not null, "moud" "moud_type"[] not null, "payment_accepted" "payment_accepted"[] not null, "typical_cost" text null, "hours" jsonb not null, "time_zone" text not null, "street" text null, "city" text null, "state" char(2) null, "zip" text null, "county" char(5) not null, "phone" text null, "accepting_new_clients" boolean not null default true, "languages" text[] not null, "last_verified_at" timestamptz null, "active" boolean not null default true, "version" int not null default 1, constraint "treatment_resource_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "treatment_resource_agency_id_index" on "treatment_resource" ("agency_id");`,
    );
    this.addSql(
      `create index "treatment_resource_county_active_index" on "treatment_resource" ("county", "active");`,
    );

    this.addSql(
      `create table "outreach_attempt" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "case_id" uuid not null, "worker_id" uuid not null, "method" "contact_method" not null, "attempted_at" timestamptz not null, "outcome" "attempt_outcome" not null, "team_present" "team_member"[] not null, "officer_presence" "officer_presence" not null default 'NONE', "naloxone_kits_for_person" smallint not null default 0, "naloxone_kits_for_family" smallint not null default 0, "fentanyl_test_strips" smallint not null default 0, "overdose_prevention_literature" boolean not null default false, "peer_support_contact_card" boolean not null default false, "syringe_services_information" boolean not null default false, "notes" text null, constraint "outreach_attempt_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "outreach_attempt_case_id_attempted_at_index" on "outreach_attempt" ("case_id", "attempted_at");`,
    );

    this.addSql(
      `create table "lead_referral" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "person_id" uuid null, "case_id" uuid null, "source_incident_id" uuid null, "program_id" uuid not null, "referring_agency_id" uuid not null, "referred_by_id" uuid not null, "door" "lead_door" not null, "status" "lead_status" not null default 'REFERRED', "exit_reason" "lead_exit_reason" null, "intake_deadline" timestamptz not null, "case_manager_id" uuid null, "exited_at" timestamptz null, "version" int not null default 1, constraint "lead_referral_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "lead_referral_person_id_index" on "lead_referral" ("person_id");`);
    this.addSql(`create index "lead_referral_case_id_index" on "lead_referral" ("case_id");`);
    this.addSql(
      `create index "lead_referral_program_id_status_index" on "lead_referral" ("program_id", "status");`,
    );

    this.addSql(
      `create table "consent" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "person_id" uuid not null, "case_id" uuid not null, "scope" "consent_scope" not null, "granted_to_id" uuid not null, "covers_police" boolean not null default false, "purpose" text not null, "method" "consent_method" not null, "granted_at" timestamptz not null, "expires_at" timestamptz null, "revoked_at" timestamptz null, "revocation_reason" text null, "recorded_by_id" uuid not null, constraint "consent_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "consent_case_id_index" on "consent" ("case_id");`);
    this.addSql(
      `create index "consent_person_id_scope_index" on "consent" ("person_id", "scope");`,
    );

    this.addSql(
      `alter table "treatment_resource" add constraint "treatment_resource_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "outreach_attempt" add constraint "outreach_attempt_case_id_foreign" foreign key ("case_id") references "overdose_case" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "outreach_attempt" add constraint "outreach_attempt_worker_id_foreign" foreign key ("worker_id") references "app_user" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "lead_referral" add constraint "lead_referral_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "lead_referral" add constraint "lead_referral_case_id_foreign" foreign key ("case_id") references "overdose_case" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "lead_referral" add constraint "lead_referral_source_incident_id_foreign" foreign key ("source_incident_id") references "overdose_incident" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "lead_referral" add constraint "lead_referral_program_id_foreign" foreign key ("program_id") references "agency" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "lead_referral" add constraint "lead_referral_referring_agency_id_foreign" foreign key ("referring_agency_id") references "agency" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "lead_referral" add constraint "lead_referral_case_manager_id_foreign" foreign key ("case_manager_id") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "consent" add constraint "consent_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "consent" add constraint "consent_case_id_foreign" foreign key ("case_id") references "overdose_case" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "consent" add constraint "consent_granted_to_id_foreign" foreign key ("granted_to_id") references "agency" ("id") on update cascade;`,
    );

    this.addSql(`alter table "referral" drop constraint "referral_to_agency_id_foreign";`);

    this.addSql(
      `alter table "person" add column "preferred_contact_method" "contact_method" null, add column "safe_contact_times" text null, add column "do_not_disclose_to_household" boolean not null default true;`,
    );

    this.addSql(
      `alter table "overdose_case" add column "hold_reason" "hold_reason" null, add column "resume_on" timestamptz null;`,
    );

    this.addSql(
      `alter type "referral_type" add value if not exists 'TREATMENT_MOUD' after 'FOLLOW_UP_OUTREACH';`,
    );

    this.addSql(
      `alter type "referral_type" add value if not exists 'DETOX' after 'TREATMENT_MOUD';`,
    );

    this.addSql(
      `alter type "referral_type" add value if not exists 'SYRINGE_SERVICES' after 'DETOX';`,
    );

    this.addSql(
      `alter type "referral_type" add value if not exists 'PEER_SUPPORT' after 'SYRINGE_SERVICES';`,
    );

    this.addSql(
      `alter type "referral_type" add value if not exists 'HOUSING' after 'PEER_SUPPORT';`,
    );

    this.addSql(`alter type "referral_type" add value if not exists 'LEAD' after 'HOUSING';`);

    this.addSql(`alter table "referral" add column "to_resource_id" uuid null;`);
    this.addSql(`alter table "referral" alter column "to_agency_id" drop default;`);
    this.addSql(
      `alter table "referral" alter column "to_agency_id" type uuid using ("to_agency_id"::text::uuid);`,
    );
    this.addSql(`alter table "referral" alter column "to_agency_id" drop not null;`);
    this.addSql(
      `alter table "referral" add constraint "referral_to_resource_id_foreign" foreign key ("to_resource_id") references "treatment_resource" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "referral" add constraint "referral_to_agency_id_foreign" foreign key ("to_agency_id") references "agency" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`create index "referral_to_resource_id_index" on "referral" ("to_resource_id");`);

    this.addSql(`alter table "outcome" add column "moud_type" "moud_type" null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "referral" drop constraint "referral_to_resource_id_foreign";`);

    this.addSql(`drop table if exists "treatment_resource" cascade;`);

    this.addSql(`drop table if exists "outreach_attempt" cascade;`);

    this.addSql(`drop table if exists "lead_referral" cascade;`);

    this.addSql(`drop table if exists "consent" cascade;`);

    this.addSql(`alter table "referral" drop constraint "referral_to_agency_id_foreign";`);

    this.addSql(`alter table "outcome" drop column "moud_type";`);

    this.addSql(`alter table "overdose_case" drop column "hold_reason", drop column "resume_on";`);

    this.addSql(
      `alter table "person" drop column "preferred_contact_method", drop column "safe_contact_times", drop column "do_not_disclose_to_household";`,
    );

    this.addSql(`drop index "referral_to_resource_id_index";`);
    this.addSql(`alter table "referral" drop column "to_resource_id";`);

    this.addSql(`alter table "referral" alter column "to_agency_id" drop default;`);
    this.addSql(
      `alter table "referral" alter column "to_agency_id" type uuid using ("to_agency_id"::text::uuid);`,
    );
    this.addSql(`alter table "referral" alter column "to_agency_id" set not null;`);
    this.addSql(
      `alter table "referral" add constraint "referral_to_agency_id_foreign" foreign key ("to_agency_id") references "agency" ("id") on update cascade on delete no action;`,
    );

    this.addSql(`drop type "contact_method";`);
    this.addSql(`drop type "resource_service";`);
    this.addSql(`drop type "moud_type";`);
    this.addSql(`drop type "payment_accepted";`);
    this.addSql(`drop type "hold_reason";`);
    this.addSql(`drop type "attempt_outcome";`);
    this.addSql(`drop type "team_member";`);
    this.addSql(`drop type "officer_presence";`);
    this.addSql(`drop type "lead_door";`);
    this.addSql(`drop type "lead_status";`);
    this.addSql(`drop type "lead_exit_reason";`);
    this.addSql(`drop type "consent_scope";`);
    this.addSql(`drop type "consent_method";`);
  }
}
