import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 14 point 5: a police LEAD referral carries what the officer knows of the person
 * (encrypted like identity), may be made without any overdose (county of its own), and records
 * when intake completed — the one signal its referrer gets back. A LEAD release filed for such a
 * referral has no case: `consent.case_id` becomes optional.
 */
export class Migration20261207054500_lead_channel extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "lead_referral"
         add column "county" character(5) null,
         add column "subject_first_name" text null,
         add column "subject_last_name" text null,
         add column "subject_date_of_birth" text null,
         add column "where_to_find" text null,
         add column "contact" text null,
         add column "intake_completed_at" timestamptz null;`,
    );
    // Existing referrals: the county of their overdose (their case's or the officer's incident).
    this.addSql(
      `update "lead_referral" l set county = i.county
         from overdose_incident i
        where i.id = coalesce(l.source_incident_id,
                              (select c.index_incident_id from overdose_case c where c.id = l.case_id));`,
    );
    this.addSql(`alter table "consent" alter column "case_id" drop not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "lead_referral"
         drop column "county", drop column "subject_first_name", drop column "subject_last_name",
         drop column "subject_date_of_birth", drop column "where_to_find", drop column "contact",
         drop column "intake_completed_at";`,
    );
    this.addSql(`delete from "consent" where "case_id" is null;`);
    this.addSql(`alter table "consent" alter column "case_id" set not null;`);
  }
}
