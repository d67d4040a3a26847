import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 14 point 9 (42 CFR Part 2): the records a Part 2 program's staff create carry the
 * program's id (`part2_program_id`), stamped by the database when the row is inserted, so every
 * writer is covered (the workflow, bulk loaders, later intake doors) and a later change of the
 * agency's `part2_program` flag never relabels history. src/modules/part2/README.md says which
 * records and why. A Part 2 consent (`PART2_DISCLOSURE`) names the agency the records may go to.
 */
const LABELLED = ['overdose_case', 'outreach_attempt', 'outcome', 'referral', 'consent'] as const;

/** The program whose record the new row is, per table (null: not a Part 2 record). */
const PROGRAM_OF: Record<(typeof LABELLED)[number], string> = {
  // The case opened from a Part 2 program's own report.
  overdose_case: `select a.id from overdose_incident i join agency a on a.id = i.reporting_agency_id
                   where i.id = new.index_incident_id and a.part2_program`,
  // The worker's agency: the staff who made the attempt (and wrote its notes).
  outreach_attempt: `select a.id from app_user u join agency a on a.id = u.agency_id
                      where u.id = new.worker_id and a.part2_program`,
  // The recorder's agency; an automatic outcome (from a later report) belongs to the case's agency.
  outcome: `select a.id from agency a
             where a.part2_program and a.id = coalesce(
               (select u.agency_id from app_user u where u.id = new.recorded_by_id),
               (select c.routed_agency_id from overdose_case c where c.id = new.case_id))`,
  // Onward referrals are made by the outreach agency working the case; routing requests
  // (FOLLOW_UP_OUTREACH) and LEAD referrals are the hub's and the referrer's, not the program's.
  referral: `select a.id from overdose_case c join agency a on a.id = c.routed_agency_id
              where c.id = new.case_id and a.part2_program
                and new.type not in ('FOLLOW_UP_OUTREACH', 'LEAD')`,
  // The recorder's agency (a LEAD release a case manager files is the LEAD program's).
  consent: `select a.id from app_user u join agency a on a.id = u.agency_id
             where u.id = new.recorded_by_id and a.part2_program`,
};

export class Migration20261207172000_part2_labels extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "consent_scope" add value if not exists 'PART2_DISCLOSURE';`);
    for (const table of LABELLED) {
      this.addSql(`alter table "${table}" add column "part2_program_id" uuid null;`);
      this.addSql(`create function part2_label_${table}() returns trigger language plpgsql as $$
        begin
          if new.part2_program_id is null then
            new.part2_program_id := (${PROGRAM_OF[table]});
          end if;
          return new;
        end $$;`);
      this.addSql(`create trigger part2_label before insert on "${table}"
        for each row execute function part2_label_${table}();`);
    }
  }

  override async down(): Promise<void> {
    // PostgreSQL cannot drop an enum value; PART2_DISCLOSURE stays in the type.
    for (const table of LABELLED) {
      this.addSql(`drop trigger if exists part2_label on "${table}";`);
      this.addSql(`drop function if exists part2_label_${table}();`);
      this.addSql(`alter table "${table}" drop column "part2_program_id";`);
    }
  }
}
