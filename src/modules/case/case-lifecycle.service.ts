import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { badInput, forbidden, type FieldProblem } from '../../errors/hub-errors';
import { hasConsentInForce } from '../outreach/consent-query';
import { CONTACT_OUTCOMES, ConsentScope } from '../outreach/outreach-codes';
import { OutreachAttempt } from '../outreach/outreach-attempt.entity';
import { Person } from '../person/person.entity';
import { actorOf, changeCase, type CaseChangeRequest } from './case-change';
import { CaseStatus, CloseReason, OPEN_STATUSES, ReferralStatus, ReferralType } from './case-codes';
import { CaseEvent } from './case-event.entity';
import type { CloseCaseArgs, EnteredInErrorArgs, PutCaseOnHoldArgs } from './case-lifecycle.input';
import { recordTransition } from './case-timeline';
import { assertCloseReason, assertTransition } from './case-transitions';
import { Case } from './case.entity';
import { getCase } from './case.service';
import type { CaseType } from './case.types';
import { Referral } from './referral.entity';

const DAY = 86_400_000;
/** A hold longer than this is a typing error; the case can be held again when it ends. */
const MAX_HOLD_DAYS = 366;

/** Onward referrals that still count as linkage (a rejected or cancelled one links no one). */
const LIVE_REFERRAL: readonly ReferralStatus[] = [
  ReferralStatus.REQUESTED,
  ReferralStatus.ACCEPTED,
  ReferralStatus.COMPLETED,
];

/**
 * Close reasons that record what the person said or received: only the worker who met them
 * knows. An agency admin may close for administrative reasons; the hub operator, as triage
 * coordinator, only a case that should not be followed up at all.
 */
const CLOSE_REASONS_BY_ROLE: Partial<Record<Role, readonly CloseReason[]>> = {
  [Role.OUTREACH_WORKER]: Object.values(CloseReason).filter(
    (r) => r !== CloseReason.CONSENT_REVOKED,
  ),
  [Role.AGENCY_ADMIN]: [
    CloseReason.NOT_ELIGIBLE,
    CloseReason.DUPLICATE,
    CloseReason.UNABLE_TO_CONTACT,
    CloseReason.DECEASED,
  ],
  [Role.HUB_ADMIN]: [CloseReason.NOT_ELIGIBLE, CloseReason.DUPLICATE],
};

/** OUTREACH → ON_HOLD: "maybe next week"; hospitalised or incarcerated. */
export async function putCaseOnHold(
  em: EntityManager,
  viewer: Viewer,
  args: PutCaseOnHoldArgs,
): Promise<CaseType> {
  const now = Date.now();
  const resumeOn = args.resumeOn ?? undefined;
  if (resumeOn && resumeOn.getTime() < now) {
    throw badInput({ field: 'resumeOn', message: 'is in the past' });
  }
  if (resumeOn && resumeOn.getTime() > now + MAX_HOLD_DAYS * DAY) {
    throw badInput({ field: 'resumeOn', message: 'is more than a year ahead' });
  }
  return change(em, viewer, args, async (tem, kase) => {
    assertTransition(kase.status, CaseStatus.ON_HOLD);
    kase.holdReason = args.reason;
    kase.resumeOn = resumeOn;
    recordTransition(tem, kase, CaseStatus.ON_HOLD, {
      reason: args.reason,
      actorId: actorOf(viewer),
    });
  });
}

/** ON_HOLD → OUTREACH, clearing the hold. */
export async function resumeCase(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeRequest,
): Promise<CaseType> {
  return change(em, viewer, args, async (tem, kase) => {
    // ASSIGNED → OUTREACH is a legal move too, but it is the first attempt's, not a resumption.
    if (kase.status !== CaseStatus.ON_HOLD) {
      assertTransition(kase.status, CaseStatus.OUTREACH);
      throw badInput({
        field: 'caseId',
        message: `the case is ${kase.status}; only an ON_HOLD case can be resumed`,
      });
    }
    kase.holdReason = undefined;
    kase.resumeOn = undefined;
    recordTransition(tem, kase, CaseStatus.OUTREACH, {
      reason: 'RESUMED',
      actorId: actorOf(viewer),
    });
  });
}

/** OUTREACH → ENGAGED: the person was reached and agreed to be contacted for follow-up. */
export async function markCaseEngaged(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeRequest,
): Promise<CaseType> {
  return change(em, viewer, args, async (tem, kase) => {
    assertTransition(kase.status, CaseStatus.ENGAGED);
    const problems: FieldProblem[] = [];
    const contacts = await tem.count(OutreachAttempt, {
      case: kase.id,
      outcome: { $in: [...CONTACT_OUTCOMES] },
    });
    if (contacts === 0) {
      problems.push({
        field: 'caseId',
        message: `no outreach attempt with a contact outcome (${CONTACT_OUTCOMES.join(', ')}) is logged`,
      });
    }
    const consented =
      kase.person !== undefined &&
      kase.routedAgency !== undefined &&
      (await hasConsentInForce(
        tem,
        kase.person.id,
        ConsentScope.CONTACT_FOR_FOLLOW_UP,
        kase.routedAgency.id,
      ));
    if (!consented) {
      problems.push({
        field: 'caseId',
        message: `no consent ${ConsentScope.CONTACT_FOR_FOLLOW_UP} granted to your agency is in force`,
      });
    }
    if (problems.length > 0) throw badInput(problems);
    recordTransition(tem, kase, CaseStatus.ENGAGED, {
      reason: 'CONTACT_AND_CONSENT',
      actorId: actorOf(viewer),
    });
  });
}

/** ENGAGED → LINKED: at least one onward referral (treatment, detox, …, LEAD) is live. */
export async function markCaseLinked(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeRequest,
): Promise<CaseType> {
  return change(em, viewer, args, async (tem, kase) => {
    assertTransition(kase.status, CaseStatus.LINKED);
    const referrals = await tem.count(Referral, {
      case: kase.id,
      type: { $ne: ReferralType.FOLLOW_UP_OUTREACH },
      status: { $in: [...LIVE_REFERRAL] },
    });
    if (referrals === 0) {
      throw badInput({
        field: 'caseId',
        message:
          'no onward referral (treatment, detox, syringe services, peer support, housing or ' +
          'LEAD) is requested, accepted or completed on the case',
      });
    }
    recordTransition(tem, kase, CaseStatus.LINKED, {
      reason: 'REFERRED_ONWARD',
      actorId: actorOf(viewer),
    });
  });
}

/** LINKED → FOLLOW_UP: longitudinal support agreed. */
export async function startCaseFollowUp(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeRequest,
): Promise<CaseType> {
  return change(em, viewer, args, async (tem, kase) => {
    assertTransition(kase.status, CaseStatus.FOLLOW_UP);
    recordTransition(tem, kase, CaseStatus.FOLLOW_UP, {
      reason: 'FOLLOW_UP_AGREED',
      actorId: actorOf(viewer),
    });
  });
}

/** Any open state → CLOSED, with a reason that fits the state and the caller's role. */
export async function closeCase(
  em: EntityManager,
  viewer: Viewer,
  args: CloseCaseArgs,
): Promise<CaseType> {
  if (args.reason === CloseReason.CONSENT_REVOKED) {
    throw badInput({
      field: 'reason',
      message: 'a case is closed CONSENT_REVOKED by revoking the consent, not directly',
    });
  }
  if (!CLOSE_REASONS_BY_ROLE[viewer.role]?.includes(args.reason)) {
    throw forbidden(`Your role cannot close a case as ${args.reason}`);
  }
  return change(em, viewer, args, async (tem, kase) => {
    assertTransition(kase.status, CaseStatus.CLOSED);
    assertCloseReason(kase.status, args.reason);
    await closeWithin(tem, kase, args.reason, args.reason, actorOf(viewer));
    if (args.reason === CloseReason.DECLINED && kase.person) {
      await markDoNotContact(tem, kase.person.id);
    }
    if (args.reason === CloseReason.DECEASED) await closeOtherCasesOfDeceased(tem, kase);
  });
}

/**
 * The person later asks for help: lift "don't contact me" so outreach may happen again (and new
 * reports are routed). Recorded on the timeline of the case it was done from.
 */
export async function clearDoNotContact(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeRequest,
): Promise<CaseType> {
  return change(em, viewer, args, async (tem, kase) => {
    if (kase.status === CaseStatus.ENTERED_IN_ERROR) {
      throw badInput({ field: 'caseId', message: 'the case was entered in error' });
    }
    const person = kase.person ? await tem.findOne(Person, kase.person.id) : null;
    if (!person?.doNotContact) {
      throw badInput({ field: 'caseId', message: 'the person is not marked do-not-contact' });
    }
    person.doNotContact = false;
    person.doNotContactSince = undefined;
    touch(kase);
    tem.create(CaseEvent, {
      case: kase,
      fromStatus: kase.status,
      toStatus: kase.status,
      reason: 'DO_NOT_CONTACT_CLEARED',
      actorId: actorOf(viewer),
    });
  });
}

/** Any state → ENTERED_IN_ERROR: an administrator voids a case that should not exist. */
export async function markCaseEnteredInError(
  em: EntityManager,
  viewer: Viewer,
  args: EnteredInErrorArgs,
): Promise<CaseType> {
  const reason = args.reason.trim();
  if (reason.length < 3 || reason.length > 500) {
    throw badInput({ field: 'reason', message: 'must be 3 to 500 characters' });
  }
  return change(em, viewer, args, async (tem, kase) => {
    assertTransition(kase.status, CaseStatus.ENTERED_IN_ERROR);
    await cancelPendingRouting(tem, kase, actorOf(viewer));
    kase.holdReason = undefined;
    kase.resumeOn = undefined;
    recordTransition(tem, kase, CaseStatus.ENTERED_IN_ERROR, { reason, actorId: actorOf(viewer) });
  });
}

/**
 * Closes a case inside a running change: clears any hold, withdraws a routing request still
 * waiting for an answer, and writes the timeline entry. Guards are the caller's.
 */
export async function closeWithin(
  em: EntityManager,
  kase: Case,
  closeReason: CloseReason,
  timelineReason: string,
  actorId: string | undefined,
): Promise<void> {
  await cancelPendingRouting(em, kase, actorId);
  kase.closeReason = closeReason;
  kase.holdReason = undefined;
  kase.resumeOn = undefined;
  recordTransition(em, kase, CaseStatus.CLOSED, { reason: timelineReason, actorId });
}

/**
 * A death ends every other open follow-up of the person, as intake does for a fatal report, so
 * no one visits a grieving household. The hub acts; the other agencies see it on their timeline.
 */
export async function closeOtherCasesOfDeceased(em: EntityManager, kase: Case): Promise<void> {
  if (!kase.person) return;
  // Locked and re-read like the case itself: a worker changing one of them at this moment either
  // commits first (and this closes the changed case) or waits and gets CONFLICT; never a refusal
  // of the death report because another agency's case moved. Id order keeps two deaths from
  // locking in opposite orders.
  const others = await em.find(
    Case,
    { person: kase.person.id, id: { $ne: kase.id }, status: { $in: [...OPEN_STATUSES] } },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
  );
  for (const other of others) {
    await closeWithin(em, other, CloseReason.DECEASED, 'DEATH_REPORTED', undefined);
  }
}

/** "Don't contact me" holds for every agency, and new reports of the person close at intake. */
async function markDoNotContact(em: EntityManager, personId: string): Promise<void> {
  const person = await em.findOneOrFail(Person, personId);
  if (person.doNotContact) return;
  person.doNotContact = true;
  person.doNotContactSince = new Date();
}

async function cancelPendingRouting(
  em: EntityManager,
  kase: Case,
  actorId: string | undefined,
): Promise<void> {
  const pending = await em.find(Referral, {
    case: kase.id,
    type: ReferralType.FOLLOW_UP_OUTREACH,
    status: ReferralStatus.REQUESTED,
  });
  for (const referral of pending) {
    referral.status = ReferralStatus.CANCELLED;
    referral.respondedAt = new Date();
    referral.respondedById = actorId;
  }
}

/** Any change of a case is a new version, even one that leaves its own columns alone. */
export function touch(kase: Case): void {
  kase.updatedAt = new Date();
}

/** Runs the change, then answers with the case as the caller now sees it. */
async function change(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeRequest,
  fn: (tem: EntityManager, kase: Case) => Promise<void>,
): Promise<CaseType> {
  await changeCase(em, viewer, { caseId: args.caseId, version: args.version }, fn);
  return getCase(em, viewer, args.caseId);
}
