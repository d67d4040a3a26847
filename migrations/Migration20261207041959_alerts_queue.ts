import { Migration } from '@mikro-orm/migrations';

export class Migration20261207041959_alerts_queue extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "alert_contact" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "agency_id" uuid not null, "channel" varchar(16) not null, "label" text not null, "target" text not null, "push_keys" jsonb null, "secret" text null, "active" boolean not null default true, "created_by_id" uuid null, constraint "alert_contact_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "alert_contact_agency_id_active_index" on "alert_contact" ("agency_id", "active");`,
    );

    this.addSql(
      `create table "hub_job" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "queue" text not null, "key" text not null, "kind" text not null, "payload" jsonb not null, "run_at" timestamptz not null, "locked_until" timestamptz null, "attempts" int not null default 0, "last_error" text null, "rerun" boolean not null default false, "every_seconds" int null, constraint "hub_job_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "hub_job_queue_run_at_index" on "hub_job" ("queue", "run_at");`);
    this.addSql(
      `alter table "hub_job" add constraint "hub_job_queue_key_unique" unique ("queue", "key");`,
    );

    this.addSql(
      `create table "alert_delivery" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "alert_id" uuid not null, "contact_id" uuid not null, "agency_id" uuid not null, "channel" varchar(16) not null, "status" varchar(16) not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "last_attempt_at" timestamptz null, "sent_at" timestamptz null, "message" jsonb not null, constraint "alert_delivery_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "alert_delivery_agency_id_created_at_index" on "alert_delivery" ("agency_id", "created_at");`,
    );
    this.addSql(
      `alter table "alert_delivery" add constraint "alert_delivery_alert_id_contact_id_unique" unique ("alert_id", "contact_id");`,
    );

    this.addSql(
      `create table "spike_setting" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "agency_id" uuid not null, "exceedance_probability" double precision not null, "min_count" int not null, "pool_neighbours" boolean not null default true, "substances" text[] not null, "updated_by_id" uuid null, constraint "spike_setting_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "spike_setting" add constraint "spike_setting_agency_id_unique" unique ("agency_id");`,
    );

    this.addSql(
      `alter table "alert_contact" add constraint "alert_contact_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "alert_delivery" add constraint "alert_delivery_alert_id_foreign" foreign key ("alert_id") references "spike_alert" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "alert_delivery" add constraint "alert_delivery_contact_id_foreign" foreign key ("contact_id") references "alert_contact" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "alert_delivery" add constraint "alert_delivery_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "spike_setting" add constraint "spike_setting_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade;`,
    );

    this.addSql(`drop index "spike_alert_one_open_per_county";`);

    this.addSql(
      `alter table "spike_alert" add column "scope" varchar(16) not null default 'COUNTY', add column "counties" text[] not null default '{}', add column "substance" text null, add column "window_hours" int not null default 24, add column "expected" double precision null, add column "baseline_count" int null, add column "exceedance" double precision null;`,
    );
    // Alerts from before were of one county alone, all substances, over 24 hours.
    this.addSql(`update "spike_alert" set "counties" = array["county"::text];`);
    this.addSql(`alter table "spike_alert" alter column "counties" drop default;`);
    this.addSql(
      `create unique index "spike_alert_one_open_per_signal" on "spike_alert" ("county", "scope", coalesce("substance", ''), "window_hours") where "ended_at" is null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "alert_delivery" drop constraint "alert_delivery_contact_id_foreign";`,
    );

    this.addSql(`drop table if exists "alert_contact" cascade;`);

    this.addSql(`drop table if exists "hub_job" cascade;`);

    this.addSql(`drop table if exists "alert_delivery" cascade;`);

    this.addSql(`drop table if exists "spike_setting" cascade;`);

    this.addSql(`drop index "spike_alert_one_open_per_signal";`);
    this.addSql(
      `alter table "spike_alert" drop column "scope", drop column "counties", drop column "substance", drop column "window_hours", drop column "expected", drop column "baseline_count", drop column "exceedance";`,
    );

    this.addSql(
      `create unique index "spike_alert_one_open_per_county" on "spike_alert" ("county") where "ended_at" is null;`,
    );
  }
}
