import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 14 point 4: a consent to drop-offs lets supplies be left when the survivor is not
 * reached; an agency's visit policy may refuse attempts with a uniformed officer present.
 */
export class Migration20261207144500_visit_guardrails extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "consent_scope" add value if not exists 'DROP_OFF_SUPPLIES';`);
    this.addSql(
      `alter table "agency" add column "refuse_uniformed_officers" boolean not null default false;`,
    );
  }

  override async down(): Promise<void> {
    // PostgreSQL cannot drop an enum value; DROP_OFF_SUPPLIES stays in the type.
    this.addSql(`alter table "agency" drop column "refuse_uniformed_officers";`);
  }
}
