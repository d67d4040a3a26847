import { Migration } from '@mikro-orm/migrations';

export class Migration20261128194253_audit_event extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create type "audit_actor_kind" as enum ('USER', 'API_KEY', 'SYSTEM', 'ANONYMOUS');`,
    );
    this.addSql(`create type "audit_outcome" as enum ('ALLOWED', 'DENIED');`);
    this.addSql(
      `create table "audit_event" ("id" uuid not null, "occurred_at" timestamptz not null default now(), "actor_kind" "audit_actor_kind" not null, "actor_user_id" uuid null, "actor_api_key_id" uuid null, "agency_id" uuid null, "role" text null, "action" text not null, "entity_type" text null, "entity_ids" uuid[] not null, "person_ids" uuid[] not null, "fields" text[] not null, "purpose" text null, "request_id" text null, "outcome" "audit_outcome" not null, "error_code" text null, "details" jsonb null, constraint "audit_event_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "audit_event_entity_ids_idx" on "audit_event" using gin ("entity_ids");`,
    );
    this.addSql(
      `create index "audit_event_person_ids_idx" on "audit_event" using gin ("person_ids");`,
    );
    this.addSql(
      `create index "audit_event_agency_time_idx" on "audit_event" ("agency_id", "occurred_at");`,
    );
    this.addSql(`create index "audit_event_time_idx" on "audit_event" ("occurred_at", "id");`);

    // Append-only (domain.md §7.7): the table refuses every change and removal, whoever asks,
    // including TRUNCATE (a statement-level trigger; row triggers do not see it). Deployments
    // should also grant the application role only INSERT and SELECT on it (README).
    this.addSql(`create function "audit_event_append_only"() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_event is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
      end;
    $$;`);
    this
      .addSql(`create trigger "audit_event_no_update_delete" before update or delete on "audit_event"
      for each row execute function "audit_event_append_only"();`);
    this.addSql(`create trigger "audit_event_no_truncate" before truncate on "audit_event"
      for each statement execute function "audit_event_append_only"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_event" cascade;`);
    this.addSql(`drop function if exists "audit_event_append_only"();`);

    this.addSql(`drop type "audit_actor_kind";`);
    this.addSql(`drop type "audit_outcome";`);
  }
}
