import { Migration } from '@mikro-orm/migrations';
import {
  labelUnlabelledSql,
  PART2_LABEL_TRIGGER,
  PART2_LABELLED_TABLES,
  part2ProgramOfSql,
} from '../src/rules/part2-label';

/**
 * Issue 14 point 9 (42 CFR Part 2): the records a Part 2 program's staff create carry the
 * program's id (`part2_program_id`), stamped by the database when the row is inserted, so every
 * writer is covered (the workflow, later intake doors) and a later change of the agency's
 * `part2_program` flag never relabels history. Rows written before this migration are labelled
 * once, from the flags as they stand. src/modules/part2/README.md says which records and why.
 * A Part 2 consent (`PART2_DISCLOSURE`) names the agency the records may go to.
 */
export class Migration20261207172000_part2_labels extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "consent_scope" add value if not exists 'PART2_DISCLOSURE';`);
    for (const table of PART2_LABELLED_TABLES) {
      this.addSql(`alter table "${table}" add column "part2_program_id" uuid null;`);
      this.addSql(labelUnlabelledSql(table));
      this.addSql(`create function part2_label_${table}() returns trigger language plpgsql as $$
        begin
          if new.part2_program_id is null then
            new.part2_program_id := (${part2ProgramOfSql(table, 'new')});
          end if;
          return new;
        end $$;`);
      this.addSql(`create trigger ${PART2_LABEL_TRIGGER} before insert on "${table}"
        for each row execute function part2_label_${table}();`);
    }
  }

  override async down(): Promise<void> {
    // PostgreSQL cannot drop an enum value; PART2_DISCLOSURE stays in the type.
    for (const table of PART2_LABELLED_TABLES) {
      this.addSql(`drop trigger if exists ${PART2_LABEL_TRIGGER} on "${table}";`);
      this.addSql(`drop function if exists part2_label_${table}();`);
      this.addSql(`alter table "${table}" drop column "part2_program_id";`);
    }
  }
}
