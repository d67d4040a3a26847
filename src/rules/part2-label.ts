/**
 * The 42 CFR Part 2 label, written once (src/modules/part2/README.md): which Part 2 program a new
 * row of each labelled table belongs to. Rendered as the `before insert` trigger of the
 * part2_labels migration and as a set-based update (the migration's backfill, the synthetic
 * seeder's bulk load, which switches triggers off).
 */
export const PART2_LABELLED_TABLES = [
  'overdose_case',
  'outreach_attempt',
  'outcome',
  'referral',
  'consent',
] as const;
export type Part2LabelledTable = (typeof PART2_LABELLED_TABLES)[number];

/** The trigger's name on each labelled table (the bulk loader recognises it). */
export const PART2_LABEL_TRIGGER = 'part2_label';

/**
 * SQL for the program whose record the row aliased `row` is (null: not a Part 2 record). `row`
 * is trusted SQL written by hub code (`new` in the trigger, a table alias in an update).
 */
export function part2ProgramOfSql(table: Part2LabelledTable, row: string): string {
  switch (table) {
    // The case opened from a Part 2 program's own report, or from a referral it took in (a case
    // with no report: openReferral).
    case 'overdose_case':
      return `select a.id from agency a
               where a.part2_program and a.id = coalesce(
                 (select i.reporting_agency_id from overdose_incident i
                   where i.id = ${row}.index_incident_id),
                 ${row}.intake_agency_id)`;
    // The worker's agency: the staff who made the attempt (and wrote its notes).
    case 'outreach_attempt':
      return `select a.id from app_user u join agency a on a.id = u.agency_id
               where u.id = ${row}.worker_id and a.part2_program`;
    // The recorder's agency; an automatic outcome (from a later report) is the case's agency's.
    case 'outcome':
      return `select a.id from agency a
               where a.part2_program and a.id = coalesce(
                 (select u.agency_id from app_user u where u.id = ${row}.recorded_by_id),
                 (select c.routed_agency_id from overdose_case c where c.id = ${row}.case_id))`;
    // Onward referrals are made by the outreach agency working the case; routing requests
    // (FOLLOW_UP_OUTREACH) and LEAD referrals are the hub's and the referrer's, not the program's.
    case 'referral':
      return `select a.id from overdose_case c join agency a on a.id = c.routed_agency_id
               where c.id = ${row}.case_id and a.part2_program
                 and ${row}.type::text not in ('FOLLOW_UP_OUTREACH', 'LEAD')`;
    // The recorder's agency (a LEAD release a case manager files is the LEAD program's).
    case 'consent':
      return `select a.id from app_user u join agency a on a.id = u.agency_id
               where u.id = ${row}.recorded_by_id and a.part2_program`;
  }
}

/**
 * Labels, set-based, the rows of `table` that carry no label yet and whose creator is a Part 2
 * program now. For rows written without the trigger only (the migration's backfill of earlier
 * rows, a bulk load): a row the trigger left unlabelled stays so unless its creator has become a
 * Part 2 program since — never the other way round.
 */
export function labelUnlabelledSql(table: Part2LabelledTable): string {
  return `update "${table}" t set part2_program_id = (${part2ProgramOfSql(table, 't')})
           where t.part2_program_id is null and (${part2ProgramOfSql(table, 't')}) is not null`;
}
