import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 14 point 2, more doors in: community reversals (a report's source, naloxone given by a
 * peer), naloxone kits left behind and the answer to "may a peer contact you?" on a report, and
 * cases opened from a referral without an overdose (no index report; the source, the agency that
 * took it in and when; the name and date of birth it gave kept in that agency's contact record).
 */
export class Migration20261207171000_more_doors extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "administered_by" add value if not exists 'PEER';`);
    this.addSql(`create type "overdose_source" as enum ('EMERGENCY_RESPONSE', 'COMMUNITY');`);
    this.addSql(`create type "peer_contact_answer" as enum ('YES', 'NO', 'NOT_ASKED');`);
    this.addSql(
      `create type "referral_source" as enum ('ED', 'HELPLINE_211', 'SELF', 'FAMILY', 'COMMUNITY', 'OTHER_AGENCY');`,
    );
    this.addSql(`alter table "overdose_incident"
      add column "source" "overdose_source" not null default 'EMERGENCY_RESPONSE',
      add column "naloxone_kits_left_behind" int null,
      add column "consent_to_peer_contact" "peer_contact_answer" null;`);

    this.addSql(`alter table "overdose_case"
      alter column "index_incident_id" drop not null,
      add column "referral_source" "referral_source" null,
      add column "intake_agency_id" uuid null,
      add column "referred_at" timestamptz null,
      add column "peer_contact_declined_at" timestamptz null;`);
    this.addSql(
      `alter table "overdose_case" add constraint "overdose_case_intake_agency_id_foreign" foreign key ("intake_agency_id") references "agency" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`alter table "contact_record"
      add column "first_name" text null,
      add column "last_name" text null,
      add column "date_of_birth" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from overdose_case where index_incident_id is null;`);
    this.addSql(`alter table "contact_record"
      drop column "first_name", drop column "last_name", drop column "date_of_birth";`);
    this.addSql(
      `alter table "overdose_case" drop constraint "overdose_case_intake_agency_id_foreign";`,
    );
    this.addSql(`alter table "overdose_case"
      drop column "referral_source", drop column "intake_agency_id", drop column "referred_at",
      drop column "peer_contact_declined_at",
      alter column "index_incident_id" set not null;`);
    this.addSql(`alter table "overdose_incident"
      drop column "source", drop column "naloxone_kits_left_behind",
      drop column "consent_to_peer_contact";`);
    this.addSql(`drop type "referral_source";`);
    this.addSql(`drop type "peer_contact_answer";`);
    this.addSql(`drop type "overdose_source";`);
    // PostgreSQL cannot drop an enum value; PEER stays in administered_by.
  }
}
