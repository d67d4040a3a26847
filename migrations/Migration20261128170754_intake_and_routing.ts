import { Migration } from '@mikro-orm/migrations';

export class Migration20261128170754_intake_and_routing extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "agreement_purpose" as enum ('FOLLOW_UP_OUTREACH', 'LEAD');`);
    this.addSql(
      `create type "lawful_basis" as enum ('CONSENT', 'PUBLIC_HEALTH_AUTHORITY', 'STATE_MANDATE', 'BAA_DUA');`,
    );
    this.addSql(`create type "sex" as enum ('FEMALE', 'MALE', 'UNKNOWN', 'OTHER');`);
    this.addSql(
      `create type "race_ethnicity" as enum ('AMERICAN_INDIAN_OR_ALASKA_NATIVE', 'ASIAN', 'BLACK_OR_AFRICAN_AMERICAN', 'HISPANIC_OR_LATINO', 'MIDDLE_EASTERN_OR_NORTH_AFRICAN', 'NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER', 'WHITE', 'UNKNOWN');`,
    );
    this.addSql(
      `create type "suspected_substance" as enum ('FENTANYL', 'HEROIN', 'PRESCRIPTION_OPIOID', 'OTHER_OPIOID', 'XYLAZINE', 'COCAINE', 'METHAMPHETAMINE', 'OTHER_STIMULANT', 'BENZODIAZEPINE', 'ALCOHOL', 'UNKNOWN');`,
    );
    this.addSql(
      `create type "ems_disposition" as enum ('TRANSPORTED', 'REFUSED_TRANSPORT', 'TREATED_AND_RELEASED', 'RELEASED_TO_LAW_ENFORCEMENT', 'NO_TRANSPORT', 'DEAD_AT_SCENE');`,
    );
    this.addSql(`create type "naloxone_route" as enum ('IN', 'IM', 'IV', 'OTHER');`);
    this.addSql(
      `create type "administered_by" as enum ('EMS', 'POLICE', 'FIRE', 'BYSTANDER', 'FAMILY', 'SELF');`,
    );
    this.addSql(`create type "naloxone_response" as enum ('IMPROVED', 'UNCHANGED', 'WORSE');`);
    this.addSql(
      `create type "case_status" as enum ('REPORTED', 'TRIAGE', 'REFERRED', 'REFERRAL_DECLINED', 'ASSIGNED', 'OUTREACH', 'ON_HOLD', 'ENGAGED', 'LINKED', 'FOLLOW_UP', 'CLOSED', 'ENTERED_IN_ERROR');`,
    );
    this.addSql(
      `create type "close_reason" as enum ('NOT_ELIGIBLE', 'DUPLICATE', 'UNABLE_TO_CONTACT', 'DECLINED', 'HARM_REDUCTION_ONLY', 'LINKED_TO_CARE', 'COULD_NOT_GET_HELP', 'DECEASED', 'CONSENT_REVOKED');`,
    );
    this.addSql(
      `create type "triage_reason" as enum ('NO_COVERING_AGENCY', 'ALL_COVERING_AGENCIES_DECLINED');`,
    );
    this.addSql(`create type "referral_type" as enum ('FOLLOW_UP_OUTREACH');`);
    this.addSql(
      `create type "referral_status" as enum ('REQUESTED', 'ACCEPTED', 'REJECTED', 'COMPLETED', 'FAILED', 'CANCELLED');`,
    );
    this.addSql(
      `create type "outcome_type" as enum ('TREATMENT_ADMITTED', 'MOUD_STARTED', 'DETOX', 'PEER_SUPPORT_ENGAGED', 'SYRINGE_SERVICES_ENGAGED', 'REPEAT_OVERDOSE', 'FATAL_OVERDOSE', 'DECLINED', 'LOST_TO_FOLLOW_UP');`,
    );
    this.addSql(
      `create table "data_sharing_agreement" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "source_agency_id" uuid not null, "recipient_agency_id" uuid not null, "purpose" "agreement_purpose" not null, "lawful_basis" "lawful_basis" not null, "counties" text[] not null, "effective_from" timestamptz not null, "effective_to" timestamptz null, "ended_at" timestamptz null, "ended_reason" text null, "version" int not null default 1, constraint "data_sharing_agreement_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "data_sharing_agreement_recipient_agency_id_index" on "data_sharing_agreement" ("recipient_agency_id");`,
    );
    this.addSql(
      `create index "data_sharing_agreement_source_agency_id_recipient__30f1f_index" on "data_sharing_agreement" ("source_agency_id", "recipient_agency_id");`,
    );

    this.addSql(
      `create table "person" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "person_key" text null, "first_name" text null, "last_name" text null, "date_of_birth" text null, "phone" text null, "street" text null, "city" text null, "state" char(2) null, "zip" text null, "sex" "sex" null, "race_ethnicity" "race_ethnicity"[] not null, "do_not_contact" boolean not null default false, "do_not_contact_since" timestamptz null, constraint "person_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "person" add constraint "person_person_key_unique" unique ("person_key");`,
    );

    this.addSql(
      `create table "overdose_incident" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "reporting_agency_id" uuid not null, "external_id" text not null, "occurred_at" timestamptz not null, "county" char(5) not null, "street" text null, "city" text null, "state" char(2) null, "zip" text null, "latitude" double precision null, "longitude" double precision null, "fatal" boolean not null, "suspected_substances" "suspected_substance"[] not null, "ems_disposition" "ems_disposition" null, "officer_warm_handoff" boolean not null default false, "person_id" uuid null, "reported_by_id" uuid not null, "version" int not null default 1, constraint "overdose_incident_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "overdose_incident_person_id_index" on "overdose_incident" ("person_id");`,
    );
    this.addSql(
      `create index "overdose_incident_reporting_agency_id_occurred_at_index" on "overdose_incident" ("reporting_agency_id", "occurred_at");`,
    );
    this.addSql(
      `alter table "overdose_incident" add constraint "overdose_incident_reporting_agency_id_external_id_unique" unique ("reporting_agency_id", "external_id");`,
    );

    this.addSql(
      `create table "naloxone_administration" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "incident_id" uuid not null, "administered_at" timestamptz null, "dose_mg" numeric(6,2) null, "route" "naloxone_route" not null, "administered_by" "administered_by" not null, "response" "naloxone_response" null, constraint "naloxone_administration_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "naloxone_administration_incident_id_index" on "naloxone_administration" ("incident_id");`,
    );

    this.addSql(
      `create table "reported_identity" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "incident_id" uuid not null, "first_name" text null, "last_name" text null, "date_of_birth" text null, constraint "reported_identity_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "reported_identity" add constraint "reported_identity_incident_id_unique" unique ("incident_id");`,
    );

    this.addSql(
      `create table "overdose_case" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "person_id" uuid null, "index_incident_id" uuid not null, "county" char(5) not null, "status" "case_status" not null, "close_reason" "close_reason" null, "triage_reason" "triage_reason" null, "routed_agency_id" uuid null, "assigned_worker_id" uuid null, "follow_up_opens_at" timestamptz not null, "follow_up_due_at" timestamptz not null, "closed_at" timestamptz null, "version" int not null default 1, constraint "overdose_case_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "overdose_case_person_id_index" on "overdose_case" ("person_id");`);
    this.addSql(
      `alter table "overdose_case" add constraint "overdose_case_index_incident_id_unique" unique ("index_incident_id");`,
    );
    this.addSql(
      `create index "overdose_case_assigned_worker_id_index" on "overdose_case" ("assigned_worker_id");`,
    );
    this.addSql(
      `create index "overdose_case_status_follow_up_due_at_index" on "overdose_case" ("status", "follow_up_due_at");`,
    );
    this.addSql(
      `create index "overdose_case_routed_agency_id_status_index" on "overdose_case" ("routed_agency_id", "status");`,
    );

    this.addSql(
      `create table "referral" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "case_id" uuid not null, "to_agency_id" uuid not null, "type" "referral_type" not null, "status" "referral_status" not null default 'REQUESTED', "status_reason" text null, "responded_at" timestamptz null, "responded_by_id" uuid null, constraint "referral_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "referral_case_id_index" on "referral" ("case_id");`);
    this.addSql(`create index "referral_to_agency_id_index" on "referral" ("to_agency_id");`);

    this.addSql(
      `create table "outcome" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "case_id" uuid not null, "type" "outcome_type" not null, "occurred_at" timestamptz not null, "source_incident_id" uuid null, "recorded_by_id" uuid null, "automatic" boolean not null default false, constraint "outcome_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "outcome_case_id_index" on "outcome" ("case_id");`);

    this.addSql(
      `create table "case_event" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "case_id" uuid not null, "from_status" "case_status" null, "to_status" "case_status" not null, "reason" text null, "actor_id" uuid null, constraint "case_event_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "case_event_case_id_index" on "case_event" ("case_id");`);

    this.addSql(
      `create table "case_link" ("case_id" uuid not null, "prior_case_id" uuid not null, constraint "case_link_pkey" primary key ("case_id", "prior_case_id"));`,
    );

    this.addSql(
      `alter table "data_sharing_agreement" add constraint "data_sharing_agreement_source_agency_id_foreign" foreign key ("source_agency_id") references "agency" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "data_sharing_agreement" add constraint "data_sharing_agreement_recipient_agency_id_foreign" foreign key ("recipient_agency_id") references "agency" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "overdose_incident" add constraint "overdose_incident_reporting_agency_id_foreign" foreign key ("reporting_agency_id") references "agency" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "overdose_incident" add constraint "overdose_incident_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "naloxone_administration" add constraint "naloxone_administration_incident_id_foreign" foreign key ("incident_id") references "overdose_incident" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "reported_identity" add constraint "reported_identity_incident_id_foreign" foreign key ("incident_id") references "overdose_incident" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "overdose_case" add constraint "overdose_case_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "overdose_case" add constraint "overdose_case_index_incident_id_foreign" foreign key ("index_incident_id") references "overdose_incident" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "overdose_case" add constraint "overdose_case_routed_agency_id_foreign" foreign key ("routed_agency_id") references "agency" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "overdose_case" add constraint "overdose_case_assigned_worker_id_foreign" foreign key ("assigned_worker_id") references "app_user" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "referral" add constraint "referral_case_id_foreign" foreign key ("case_id") references "overdose_case" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "referral" add constraint "referral_to_agency_id_foreign" foreign key ("to_agency_id") references "agency" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "outcome" add constraint "outcome_case_id_foreign" foreign key ("case_id") references "overdose_case" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "outcome" add constraint "outcome_source_incident_id_foreign" foreign key ("source_incident_id") references "overdose_incident" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "case_event" add constraint "case_event_case_id_foreign" foreign key ("case_id") references "overdose_case" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "case_link" add constraint "case_link_case_id_foreign" foreign key ("case_id") references "overdose_case" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "case_link" add constraint "case_link_prior_case_id_foreign" foreign key ("prior_case_id") references "overdose_case" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "overdose_incident" drop constraint "overdose_incident_person_id_foreign";`,
    );

    this.addSql(`alter table "overdose_case" drop constraint "overdose_case_person_id_foreign";`);

    this.addSql(
      `alter table "naloxone_administration" drop constraint "naloxone_administration_incident_id_foreign";`,
    );

    this.addSql(
      `alter table "reported_identity" drop constraint "reported_identity_incident_id_foreign";`,
    );

    this.addSql(
      `alter table "overdose_case" drop constraint "overdose_case_index_incident_id_foreign";`,
    );

    this.addSql(`alter table "outcome" drop constraint "outcome_source_incident_id_foreign";`);

    this.addSql(`alter table "referral" drop constraint "referral_case_id_foreign";`);

    this.addSql(`alter table "outcome" drop constraint "outcome_case_id_foreign";`);

    this.addSql(`alter table "case_event" drop constraint "case_event_case_id_foreign";`);

    this.addSql(`alter table "case_link" drop constraint "case_link_case_id_foreign";`);

    this.addSql(`alter table "case_link" drop constraint "case_link_prior_case_id_foreign";`);

    this.addSql(`drop table if exists "data_sharing_agreement" cascade;`);

    this.addSql(`drop table if exists "person" cascade;`);

    this.addSql(`drop table if exists "overdose_incident" cascade;`);

    this.addSql(`drop table if exists "naloxone_administration" cascade;`);

    this.addSql(`drop table if exists "reported_identity" cascade;`);

    this.addSql(`drop table if exists "overdose_case" cascade;`);

    this.addSql(`drop table if exists "referral" cascade;`);

    this.addSql(`drop table if exists "outcome" cascade;`);

    this.addSql(`drop table if exists "case_event" cascade;`);

    this.addSql(`drop table if exists "case_link" cascade;`);

    this.addSql(`drop type "agreement_purpose";`);
    this.addSql(`drop type "lawful_basis";`);
    this.addSql(`drop type "sex";`);
    this.addSql(`drop type "race_ethnicity";`);
    this.addSql(`drop type "suspected_substance";`);
    this.addSql(`drop type "ems_disposition";`);
    this.addSql(`drop type "naloxone_route";`);
    this.addSql(`drop type "administered_by";`);
    this.addSql(`drop type "naloxone_response";`);
    this.addSql(`drop type "case_status";`);
    this.addSql(`drop type "close_reason";`);
    this.addSql(`drop type "triage_reason";`);
    this.addSql(`drop type "referral_type";`);
    this.addSql(`drop type "referral_status";`);
    this.addSql(`drop type "outcome_type";`);
  }
}
