import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 14 point 6: staff of a treatment agency get a role of their own, TREATMENT_PROVIDER:
 * they see a person only through an onward referral their agency receives, under a
 * SHARE_WITH_TREATMENT_PROVIDER consent naming it (DESIGN.md).
 */
export class Migration20261207055500_treatment_provider extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "hub_role" add value if not exists 'TREATMENT_PROVIDER';`);
  }

  override async down(): Promise<void> {
    // PostgreSQL cannot drop one value of an enum type; an unused value is harmless.
    this.addSql(`select 1;`);
  }
}
