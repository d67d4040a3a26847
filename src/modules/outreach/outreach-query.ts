import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../common/sql';
import type { AttemptOutcome, ContactMethod, OfficerPresence, TeamMember } from './outreach-codes';
import type { OutreachAttemptType } from './outreach.types';

interface AttemptRow {
  id: string;
  case_id: string;
  worker_id: string;
  method: ContactMethod;
  attempted_at: Date | string;
  outcome: AttemptOutcome;
  team_present: TeamMember[] | string;
  officer_presence: OfficerPresence;
  naloxone_kits_for_person: number;
  naloxone_kits_for_family: number;
  fentanyl_test_strips: number;
  overdose_prevention_literature: boolean;
  peer_support_contact_card: boolean;
  syringe_services_information: boolean;
  notes: string | null;
  created_at: Date | string;
  part2_program_id: string | null;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

/** PostgreSQL enum arrays may come back as the text literal `{A,B}`. */
const toList = <T extends string>(value: T[] | string): T[] =>
  Array.isArray(value)
    ? value
    : (value
        .replace(/^\{|\}$/g, '')
        .split(',')
        .filter(Boolean) as T[]);

/**
 * The attempts of several cases in one statement, oldest first. Notes are read from the
 * database only when the caller may see them, so they never reach memory for anyone else.
 */
export async function loadAttempts(
  em: EntityManager,
  caseIds: readonly string[],
  withNotes: boolean,
): Promise<Map<string, OutreachAttemptType[]>> {
  const rows = await em.getConnection().execute<AttemptRow[]>(
    `select a.id, a.case_id, a.worker_id, a.method, a.attempted_at, a.outcome, a.team_present,
            a.officer_presence, a.naloxone_kits_for_person, a.naloxone_kits_for_family,
            a.fentanyl_test_strips, a.overdose_prevention_literature, a.peer_support_contact_card,
            a.syringe_services_information, ${withNotes ? 'a.notes' : 'null as notes'}, a.created_at,
            a.part2_program_id
       from outreach_attempt a
      where a.case_id = any(?::uuid[])
      order by a.case_id, a.attempted_at, a.created_at, a.id`,
    [pgArray(caseIds)],
    'all',
    em.getTransactionContext(),
  );
  const byCase = new Map<string, OutreachAttemptType[]>();
  for (const row of rows) {
    const attempts = byCase.get(row.case_id) ?? [];
    attempts.push({
      id: row.id,
      caseId: row.case_id,
      workerId: row.worker_id,
      method: row.method,
      attemptedAt: toDate(row.attempted_at),
      outcome: row.outcome,
      teamPresent: toList(row.team_present),
      officerPresence: row.officer_presence,
      naloxoneKitsForPerson: row.naloxone_kits_for_person,
      naloxoneKitsForFamily: row.naloxone_kits_for_family,
      fentanylTestStrips: row.fentanyl_test_strips,
      overdosePreventionLiterature: row.overdose_prevention_literature,
      peerSupportContactCard: row.peer_support_contact_card,
      syringeServicesInformation: row.syringe_services_information,
      notes: row.notes ?? undefined,
      createdAt: toDate(row.created_at),
      part2ProgramId: row.part2_program_id ?? undefined,
    });
    byCase.set(row.case_id, attempts);
  }
  return byCase;
}
