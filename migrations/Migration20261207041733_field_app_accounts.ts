import { Migration } from '@mikro-orm/migrations';

export class Migration20261207041733_field_app_accounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "sign_in_method" as enum ('PASSWORD', 'PASSKEY', 'OIDC');`);
    this.addSql(
      `create table "push_subscription" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "endpoint" text not null, "p256dh" text not null, "auth" text not null, constraint "push_subscription_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "push_subscription_user_id_index" on "push_subscription" ("user_id");`,
    );
    this.addSql(
      `alter table "push_subscription" add constraint "push_subscription_endpoint_unique" unique ("endpoint");`,
    );

    this.addSql(
      `create table "passkey_credential" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "credential_id" text not null, "public_key" text not null, "counter" bigint not null default 0, "transports" text[] not null, "last_used_at" timestamptz null, constraint "passkey_credential_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "passkey_credential_user_id_index" on "passkey_credential" ("user_id");`,
    );
    this.addSql(
      `alter table "passkey_credential" add constraint "passkey_credential_credential_id_unique" unique ("credential_id");`,
    );

    this.addSql(
      `create table "notification_setting" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "by_push" boolean not null default false, "by_email" boolean not null default false, "language" text not null default 'en', "last_notified_at" timestamptz null, constraint "notification_setting_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "notification_setting" add constraint "notification_setting_user_id_unique" unique ("user_id");`,
    );

    this.addSql(
      `create table "auth_session" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "method" "sign_in_method" not null, "refresh_hash" text not null, "previous_hash" text null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" text null, constraint "auth_session_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "auth_session" add constraint "auth_session_refresh_hash_unique" unique ("refresh_hash");`,
    );
    this.addSql(
      `create index "auth_session_previous_hash_index" on "auth_session" ("previous_hash");`,
    );
    this.addSql(
      `create index "auth_session_user_id_revoked_at_index" on "auth_session" ("user_id", "revoked_at");`,
    );

    this.addSql(
      `create table "user_password" ("id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" uuid not null, "hash" text not null, "failed_attempts" int not null default 0, "locked_until" timestamptz null, "must_change" boolean not null default false, "expires_at" timestamptz null, constraint "user_password_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "user_password" add constraint "user_password_user_id_unique" unique ("user_id");`,
    );

    this.addSql(
      `alter table "push_subscription" add constraint "push_subscription_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "passkey_credential" add constraint "passkey_credential_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "notification_setting" add constraint "notification_setting_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "auth_session" add constraint "auth_session_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "user_password" add constraint "user_password_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "push_subscription" cascade;`);

    this.addSql(`drop table if exists "passkey_credential" cascade;`);

    this.addSql(`drop table if exists "notification_setting" cascade;`);

    this.addSql(`drop table if exists "auth_session" cascade;`);

    this.addSql(`drop table if exists "user_password" cascade;`);

    this.addSql(`drop type "sign_in_method";`);
  }
}
