import { Migration } from '@mikro-orm/migrations';

export class Migration20261207041113_feeds extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "import_run" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "agency_id" uuid not null, "reported_by_id" uuid not null, "kind" text not null, "source" text not null, "backfill" boolean not null default false, "status" text not null default 'RUNNING', "total" int null, "done" int not null default 0, "summary" jsonb null, "report" jsonb not null, "report_rows" int not null default 0, "finished_at" timestamptz null, constraint "import_run_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "import_run_agency_id_created_at_index" on "import_run" ("agency_id", "created_at");`,
    );

    this.addSql(
      `alter table "import_run" add constraint "import_run_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "agency" add column "case_definition" text not null default 'OPIOID_OVERDOSE';`,
    );

    this.addSql(
      `alter table "overdose_incident" add column "case_definition" text null, add column "case_definition_version" int null, add column "historical" boolean not null default false;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "import_run" cascade;`);

    this.addSql(`alter table "agency" drop column "case_definition";`);

    this.addSql(
      `alter table "overdose_incident" drop column "case_definition", drop column "case_definition_version", drop column "historical";`,
    );
  }
}
