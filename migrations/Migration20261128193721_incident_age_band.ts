import { Migration } from '@mikro-orm/migrations';

export class Migration20261128193721_incident_age_band extends Migration {
  // Incidents filed before this migration keep a null band (UNKNOWN in extracts): the date of
  // birth is encrypted, so SQL cannot backfill it.
  override async up(): Promise<void> {
    this.addSql(
      `create type "age_band" as enum ('UNDER_15', 'AGE_15_24', 'AGE_25_34', 'AGE_35_44', 'AGE_45_54', 'AGE_55_64', 'AGE_65_PLUS');`,
    );
    this.addSql(`alter table "overdose_incident" add column "age_band" "age_band" null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "overdose_incident" drop column "age_band";`);

    this.addSql(`drop type "age_band";`);
  }
}
