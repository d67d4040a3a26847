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
import { caseOrigin } from '../case/workflow/case-origin';
import { peerContactBlock } from '../case/workflow/peer-contact';
import { doNotContactInForce } from '../person/do-not-contact';
import { Person } from '../person/person.entity';
import { OutreachAttempt } from './outreach-attempt.entity';
import { Agency } from '../agency/agency.entity';
import { hasConsentInForce } from './consent-query';
import {
  AttemptOutcome,
  ConsentScope,
  ContactMethod,
  NOT_REACHED_OUTCOMES,
  OfficerPresence,
} from './outreach-codes';
import { DISCLOSING_FIELDS, OutreachAttemptInput } from './outreach.input';

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
    await assertNothingDisclosed(tem, kase, viewer.agencyId, input);
    await assertOfficerPolicy(tem, viewer.agencyId, input);

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
  return problems;
}

/** What was recorded as left behind that would disclose the overdose to whoever finds it. */
const disclosingItems = (input: OutreachAttemptInput): string[] =>
  DISCLOSING_FIELDS.filter((field) => {
    const value = input[field];
    return value === true || (typeof value === 'number' && value > 0);
  });

/**
 * Issue 14 point 4: when the survivor was not reached, only the generic contact card may be
 * left, unless the person consented earlier to drop-offs (DROP_OFF_SUPPLIES naming the agency).
 */
async function assertNothingDisclosed(
  em: EntityManager,
  kase: Case,
  agencyId: string,
  input: OutreachAttemptInput,
): Promise<void> {
  if (!NOT_REACHED_OUTCOMES.includes(input.outcome)) return;
  const items = disclosingItems(input);
  if (items.length === 0) return;
  const dropOff =
    kase.person !== undefined &&
    kase.person !== null &&
    (await hasConsentInForce(em, kase.person.id, ConsentScope.DROP_OFF_SUPPLIES, agencyId));
  if (dropOff) return;
  throw badInput(
    items.map((field) => ({
      field: `input.${field}`,
      message:
        `the survivor was not reached (${input.outcome}): only the generic contact card may be ` +
        'left, unless the person consented to drop-offs (DROP_OFF_SUPPLIES)',
    })),
  );
}

/** An agency may refuse visits with a uniformed officer present (its visit policy). */
async function assertOfficerPolicy(
  em: EntityManager,
  agencyId: string,
  input: OutreachAttemptInput,
): Promise<void> {
  if (input.officerPresence !== OfficerPresence.UNIFORMED) return;
  const agency = await em.findOne(Agency, agencyId, { fields: ['refuseUniformedOfficers'] });
  if (agency?.refuseUniformedOfficers) {
    throw badInput({
      field: 'input.officerPresence',
      message: 'your agency does not accept visits with a uniformed officer present',
    });
  }
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
  const declined = peerContactBlock(kase);
  if (declined) throw badInput({ field: 'caseId', message: declined });
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
  const origin = await caseOrigin(em, kase);
  if (at.getTime() < origin.at.getTime()) {
    throw badInput({
      field: 'input.attemptedAt',
      message: kase.indexIncident ? 'is before the overdose' : 'is before the referral',
    });
  }
}
