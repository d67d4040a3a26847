import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { HubConfig } from '../../config';
import { badInput, forbidden, type FieldProblem } from '../../errors/hub-errors';
import { validateInputAs } from '../../errors/validation-problems';
import { User } from '../agency/user.entity';
import { CaseStatus } from '../case/case-codes';
import type { Case } from '../case/case.entity';
import { attemptLogged } from '../case/workflow/attempts';
import { actorOf, changeCase, type CaseChangeRequest } from '../case/workflow/case-lock';
import { getCase } from '../case/case.service';
import type { CaseType } from '../case/case.types';
import { OverdoseIncident } from '../incident/incident.entity';
import { doNotContactInForce } from '../person/do-not-contact';
import { Person } from '../person/person.entity';
import { OutreachAttempt } from './outreach-attempt.entity';
import {
  AttemptOutcome,
  ContactMethod,
  NON_DISCLOSURE_OUTCOMES,
  OfficerPresence,
} from './outreach-codes';
import { LEFT_BEHIND_FIELDS, OutreachAttemptInput } from './outreach.input';

/** The case has been taken by the agency and is not finished: someone may try to reach the person. */
const ATTEMPT_STATUSES: readonly CaseStatus[] = [
  CaseStatus.ASSIGNED,
  CaseStatus.OUTREACH,
  CaseStatus.ENGAGED,
  CaseStatus.LINKED,
  CaseStatus.FOLLOW_UP,
];

/**
 * Before the person engages every attempt counts against the cap (privacy: do not pursue someone
 * who cannot be reached). Once they engaged and consented, visits are follow-up, not pursuit.
 */
const CAPPED_STATUSES: readonly CaseStatus[] = [CaseStatus.ASSIGNED, CaseStatus.OUTREACH];

const STATE_HINT: Partial<Record<CaseStatus, string>> = {
  [CaseStatus.REFERRED]: 'accept it first',
  [CaseStatus.ON_HOLD]: 'resume it first',
  [CaseStatus.DO_NOT_CONTACT_ON_FILE]: 'the person asked not to be contacted',
};

/**
 * Logs one attempt to reach the survivor. Any outreach worker of the agency the case is routed to
 * may log it (teams share visits; the assigned worker is not always the one at the door). The
 * first attempt moves ASSIGNED → OUTREACH; DECEASED closes the case (and the person's other open
 * cases). CONTACT_SURVIVOR_DECLINED does not close it: declining a visit is not "don't contact
 * me", which the worker records only at the person's explicit wish (recordDoNotContact).
 */
export async function logOutreachAttempt(
  em: EntityManager,
  viewer: Viewer,
  config: HubConfig,
  args: CaseChangeRequest,
  input: OutreachAttemptInput,
): Promise<CaseType> {
  const problems = await inputProblems(input, config);
  if (problems.length > 0) throw badInput(problems);
  // Outreach roles are never given to API keys; an attempt is always some person's.
  const workerId = viewer.userId;
  if (!workerId) throw forbidden('Outreach attempts are logged by a staff member');

  await changeCase(em, viewer, args, async (tem, kase) => {
    assertAttemptAllowed(kase.status);
    await assertMayContact(tem, kase);
    await assertUnderCap(tem, kase, config.outreach.maxAttempts);
    await assertAfterOverdose(tem, kase, input.attemptedAt);

    tem.create(OutreachAttempt, {
      case: kase,
      worker: tem.getReference(User, workerId),
      method: input.method,
      attemptedAt: input.attemptedAt,
      outcome: input.outcome,
      teamPresent: input.teamPresent ?? [],
      officerPresence: input.officerPresence ?? OfficerPresence.NONE,
      naloxoneKitsForPerson: input.naloxoneKitsForPerson ?? 0,
      naloxoneKitsForFamily: input.naloxoneKitsForFamily ?? 0,
      fentanylTestStrips: input.fentanylTestStrips ?? 0,
      overdosePreventionLiterature: input.overdosePreventionLiterature ?? false,
      peerSupportContactCard: input.peerSupportContactCard ?? false,
      syringeServicesInformation: input.syringeServicesInformation ?? false,
      notes: input.notes ?? undefined,
    });
    await attemptLogged(tem, kase, {
      personDied: input.outcome === AttemptOutcome.DECEASED,
      actorId: actorOf(viewer),
    });
  });
  return getCase(em, viewer, args.caseId);
}

/** Everything wrong with the input that the database is not needed to see, named by field. */
async function inputProblems(
  input: OutreachAttemptInput,
  config: HubConfig,
): Promise<FieldProblem[]> {
  const problems = await validateInputAs(OutreachAttemptInput, input, 'input');
  const latest = Date.now() + config.intake.clockSkewMinutes * 60_000;
  if (input.attemptedAt.getTime() > latest) {
    problems.push({ field: 'input.attemptedAt', message: 'is in the future' });
  }
  if (input.method === ContactMethod.VISIT && !input.officerPresence) {
    problems.push({
      field: 'input.officerPresence',
      message: 'is required for a visit (NONE when no officer was there)',
    });
  }
  // Someone else may be listening: nothing is disclosed, so nothing can have been left behind.
  if (NON_DISCLOSURE_OUTCOMES.includes(input.outcome)) {
    for (const field of LEFT_BEHIND_FIELDS) {
      const value = input[field];
      if (value === true || (typeof value === 'number' && value > 0)) {
        problems.push({
          field: `input.${field}`,
          message: `nothing may be left behind on ${input.outcome}`,
        });
      }
    }
  }
  return problems;
}

function assertAttemptAllowed(status: CaseStatus): void {
  if (ATTEMPT_STATUSES.includes(status)) return;
  const hint = STATE_HINT[status];
  throw badInput({
    field: 'caseId',
    message:
      `the case is ${status}; attempts are logged on ${ATTEMPT_STATUSES.join(', ')} cases` +
      (hint ? ` (${hint})` : ''),
  });
}

/** "Don't contact me" binds every agency. The message names no one. */
async function assertMayContact(em: EntityManager, kase: Case): Promise<void> {
  if (!kase.person) return;
  const person = await em.findOne(Person, kase.person.id, {
    fields: ['doNotContact', 'doNotContactReviewOn'],
  });
  if (person && doNotContactInForce(person)) {
    throw badInput({
      field: 'caseId',
      message: 'the person asked not to be contacted; no outreach attempt may be made',
    });
  }
}

async function assertUnderCap(em: EntityManager, kase: Case, max: number): Promise<void> {
  if (!CAPPED_STATUSES.includes(kase.status)) return;
  const made = await em.count(OutreachAttempt, { case: kase.id });
  if (made >= max) {
    throw badInput({
      field: 'caseId',
      message:
        `the case already has ${made} outreach attempts, the most allowed before the person ` +
        `engages (MAX_OUTREACH_ATTEMPTS = ${max}); close it UNABLE_TO_CONTACT`,
    });
  }
}

async function assertAfterOverdose(em: EntityManager, kase: Case, at: Date): Promise<void> {
  const incident = await em.findOneOrFail(
    OverdoseIncident,
    { id: kase.indexIncident.id },
    { fields: ['occurredAt'] },
  );
  if (at.getTime() < incident.occurredAt.getTime()) {
    throw badInput({ field: 'input.attemptedAt', message: 'is before the overdose' });
  }
}
