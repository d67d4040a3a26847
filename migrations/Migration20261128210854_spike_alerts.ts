import { Migration } from '@mikro-orm/migrations';

export class Migration20261128210854_spike_alerts extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "spike_alert" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "county" char(5) not null, "window_start" timestamptz not null, "window_end" timestamptz not null, "count" int not null, "threshold" int not null, "threshold_source" varchar(16) not null, "raised_at" timestamptz not null, "ended_at" timestamptz null, constraint "spike_alert_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "spike_alert_county_raised_at_index" on "spike_alert" ("county", "raised_at");`,
    );
    this.addSql(
      `create unique index "spike_alert_one_open_per_county" on "spike_alert" ("county") where "ended_at" is null;`,
    );

    this.addSql(
      `create index "overdose_incident_county_occurred_at_index" on "overdose_incident" ("county", "occurred_at");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "spike_alert" cascade;`);

    this.addSql(`drop index "overdose_incident_county_occurred_at_index";`);
  }
}
