import { Migration } from '@mikro-orm/migrations';

/** Issue 14 point 6: family contacts recorded under a CONTACT_FAMILY consent (encrypted). */
export class Migration20261207060000_family_contact extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "family_contact" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "case_id" uuid not null, "name" text not null, "relationship" text not null, "phone" text null, "recorded_by_id" uuid not null, constraint "family_contact_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "family_contact_case_id_index" on "family_contact" ("case_id");`);
    this.addSql(
      `alter table "family_contact" add constraint "family_contact_case_id_foreign" foreign key ("case_id") references "overdose_case" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "family_contact" cascade;`);
  }
}
