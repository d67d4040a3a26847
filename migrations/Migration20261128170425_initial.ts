import { Migration } from '@mikro-orm/migrations';

export class Migration20261128170425_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create type "agency_kind" as enum ('LAW_ENFORCEMENT', 'EMS', 'HARM_REDUCTION', 'LEAD_PROGRAM', 'TREATMENT', 'PUBLIC_HEALTH', 'RESEARCH');`,
    );
    this.addSql(
      `create type "hub_role" as enum ('POLICE_OFFICER', 'EMS_PROVIDER', 'OUTREACH_WORKER', 'LEAD_CASE_MANAGER', 'AGENCY_ADMIN', 'ANALYST', 'RESEARCHER', 'HUB_ADMIN');`,
    );
    this.addSql(
      `create table "agency" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" text not null, "kind" "agency_kind" not null, "service_counties" text[] not null, "part2_program" boolean not null default false, "active" boolean not null default true, constraint "agency_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "agency" add constraint "agency_name_unique" unique ("name");`);
    this.addSql(
      `create index "agency_service_counties_index" on "agency" using gin ("service_counties");`,
    );

    this.addSql(
      `create table "app_user" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "agency_id" uuid not null, "role" "hub_role" not null, "display_name" text not null, "email" text not null, "external_subject" text null, "active" boolean not null default true, constraint "app_user_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "app_user_agency_id_index" on "app_user" ("agency_id");`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);
    this.addSql(
      `alter table "app_user" add constraint "app_user_external_subject_unique" unique ("external_subject");`,
    );

    this.addSql(
      `create table "api_key" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "agency_id" uuid not null, "role" "hub_role" not null, "label" text not null, "prefix" text not null, "secret_hash" text not null, "created_by_id" uuid null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "api_key_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "api_key_agency_id_index" on "api_key" ("agency_id");`);
    this.addSql(`alter table "api_key" add constraint "api_key_prefix_unique" unique ("prefix");`);

    this.addSql(
      `alter table "app_user" add constraint "app_user_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "api_key" add constraint "api_key_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "api_key" add constraint "api_key_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "app_user" drop constraint "app_user_agency_id_foreign";`);

    this.addSql(`alter table "api_key" drop constraint "api_key_agency_id_foreign";`);

    this.addSql(`alter table "api_key" drop constraint "api_key_created_by_id_foreign";`);

    this.addSql(`drop table if exists "agency" cascade;`);

    this.addSql(`drop table if exists "app_user" cascade;`);

    this.addSql(`drop table if exists "api_key" cascade;`);

    this.addSql(`drop type "agency_kind";`);
    this.addSql(`drop type "hub_role";`);
  }
}
