import { Migration } from '@mikro-orm/migrations';

/**
 * Family support after a death (issue 13 point 4): agencies opt in, and each fatal report opens a
 * family-support case for every opted-in agency serving its county.
 */
export class Migration20261207141000_family_support extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "agency" add column "offers_family_support" boolean not null default false;`,
    );
    this.addSql(
      `create table "family_support_case" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "agency_id" uuid not null, "incident_id" uuid not null, "person_id" uuid null, "county" character(5) not null, constraint "family_support_case_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "family_support_case_agency_id_index" on "family_support_case" ("agency_id");`,
    );
    this.addSql(
      `alter table "family_support_case" add constraint "family_support_case_incident_id_agency_id_unique" unique ("incident_id", "agency_id");`,
    );
    this.addSql(
      `alter table "family_support_case" add constraint "family_support_case_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "family_support_case" add constraint "family_support_case_incident_id_foreign" foreign key ("incident_id") references "overdose_incident" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "family_support_case" add constraint "family_support_case_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "family_support_case" cascade;`);
    this.addSql(`alter table "agency" drop column "offers_family_support";`);
  }
}
