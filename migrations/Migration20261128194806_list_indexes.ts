import { Migration } from '@mikro-orm/migrations';

export class Migration20261128194806_list_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "overdose_case_follow_up_due_at_id_index" on "overdose_case" ("follow_up_due_at", "id");`,
    );
    this.addSql(
      `create index "overdose_case_routed_agency_id_follow_up_due_at_id_index" on "overdose_case" ("routed_agency_id", "follow_up_due_at", "id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "overdose_case_follow_up_due_at_id_index";`);
    this.addSql(`drop index "overdose_case_routed_agency_id_follow_up_due_at_id_index";`);
  }
}
