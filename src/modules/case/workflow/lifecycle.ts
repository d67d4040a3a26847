import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../auth/viewer';
import { Role } from '../../../common/role';
import { badInput, forbidden, type FieldProblem } from '../../../errors/hub-errors';
import { liftDoNotContact, setDoNotContact } from '../../person/do-not-contact';
import { Person } from '../../person/person.entity';
import { reportingAgencyOf } from './acceptance';
import { routeCase } from './routing';
import { CaseStatus, CloseReason, ReferralStatus, ReferralType } from '../case-codes';
import type { CloseCaseArgs, EnteredInErrorArgs, PutCaseOnHoldArgs } from '../case-lifecycle.input';
import type { Case } from '../case.entity';
import { getCase } from '../case.service';
import type { CaseType } from '../case.types';
import { Referral } from '../referral.entity';
import { actorOf, changeCase, type CaseChangeRequest } from './case-lock';
import { cancelRoutingRequests, closeCase as close } from './close';
import { recordNote, recordTransition } from './timeline';
import { assertCloseReason, assertTransition } from './transitions';

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

/**
 * OUTREACH → ENGAGED: the person was reached and agreed to be contacted for follow-up. What
 * proves it (a contact outcome, a consent in force) is outreach's to say: `guard` lists what is
 * missing, read under the case's lock.
 */
export async function markCaseEngaged(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeRequest,
  guard: (tem: EntityManager, kase: Case) => Promise<FieldProblem[]>,
): Promise<CaseType> {
  return change(em, viewer, args, async (tem, kase) => {
    assertTransition(kase.status, CaseStatus.ENGAGED);
    const problems = await guard(tem, kase);
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
    // DECLINED_SERVICES is "not today": no contact block; the next overdose is routed as usual.
    await close(tem, kase, { reason: args.reason, actorId: actorOf(viewer) });
  });
}

/** A review date further out than this is a typing error; the wish can be recorded again. */
const MAX_REVIEW_DAYS = 5 * 366;

/** Statuses in which the agency works the case with the person (a wish was heard). */
const WISH_HEARD_IN: readonly CaseStatus[] = [
  CaseStatus.ASSIGNED,
  CaseStatus.OUTREACH,
  CaseStatus.ON_HOLD,
  CaseStatus.ENGAGED,
  CaseStatus.LINKED,
  CaseStatus.FOLLOW_UP,
];

/**
 * The person said "don't contact me": only this sets do-not-contact (declining services does
 * not). It holds for every agency until `reviewOn` (if given), when it lapses and comes up for
 * review; a new overdose meanwhile opens a case DO_NOT_CONTACT_ON_FILE. Kept on the timeline.
 */
export async function recordDoNotContact(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeRequest & { reviewOn?: Date | null },
): Promise<CaseType> {
  const now = new Date();
  const reviewOn = args.reviewOn ?? undefined;
  if (reviewOn && reviewOn.getTime() <= now.getTime()) {
    throw badInput({ field: 'reviewOn', message: 'must be in the future' });
  }
  if (reviewOn && reviewOn.getTime() > now.getTime() + MAX_REVIEW_DAYS * DAY) {
    throw badInput({ field: 'reviewOn', message: 'is more than five years ahead' });
  }
  return change(em, viewer, args, async (tem, kase) => {
    if (!WISH_HEARD_IN.includes(kase.status)) {
      throw badInput({
        field: 'caseId',
        message: `the case is ${kase.status}; the wish is recorded on a case your agency works (${WISH_HEARD_IN.join(', ')})`,
      });
    }
    if (!kase.person) throw badInput({ field: 'caseId', message: 'the case names no person' });
    const person = await tem.findOneOrFail(Person, kase.person.id);
    setDoNotContact(person, reviewOn, now);
    recordNote(tem, kase, 'DO_NOT_CONTACT_RECORDED', actorOf(viewer));
  });
}

/**
 * The person later asks for help: lift "don't contact me" so outreach may happen again (and new
 * reports are routed). Recorded on the timeline of the case it was done from; a case held
 * DO_NOT_CONTACT_ON_FILE goes back to triage and is routed.
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
    liftDoNotContact(person);
    if (kase.status === CaseStatus.DO_NOT_CONTACT_ON_FILE) {
      recordTransition(tem, kase, CaseStatus.TRIAGE, {
        reason: 'DO_NOT_CONTACT_CLEARED',
        actorId: actorOf(viewer),
      });
      kase.routedAgency = undefined;
      await routeCase(tem, kase, await reportingAgencyOf(tem, kase), actorOf(viewer));
    } else {
      recordNote(tem, kase, 'DO_NOT_CONTACT_CLEARED', actorOf(viewer));
    }
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
    // Entered in error is no close (the case should not exist), but routing ends all the same.
    await cancelRoutingRequests(tem, [kase.id], actorOf(viewer));
    kase.holdReason = undefined;
    kase.resumeOn = undefined;
    recordTransition(tem, kase, CaseStatus.ENTERED_IN_ERROR, { reason, actorId: actorOf(viewer) });
  });
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
