import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../auth/viewer';
import { Role } from '../../../common/role';
import { isUuid } from '../../../common/uuid';
import { badInput } from '../../../errors/hub-errors';
import { User } from '../../agency/user.entity';
import { CaseStatus, ReferralStatus, ReferralType } from '../case-codes';
import type { Case } from '../case.entity';
import type { AcceptCaseArgs, CaseChangeArgs, DeclineCaseArgs } from '../case.input';
import { getCase, toReferralType } from '../case.service';
import type { CaseType } from '../case.types';
import { Referral } from '../referral.entity';
import type { CaseReferralType } from '../referral.types';
import { actorOf, changeCase } from './case-lock';
import { routeCase } from './routing';
import { caseOrigin } from './case-origin';
import { recordTransition } from './timeline';
import { assertTransition } from './transitions';

/** REFERRED → ASSIGNED: a worker claims the case, or the agency admin gives it to a worker. */
export async function acceptCase(
  em: EntityManager,
  viewer: Viewer,
  args: AcceptCaseArgs,
): Promise<CaseType> {
  await changeCase(em, viewer, args, async (tem, kase) => {
    assertTransition(kase.status, CaseStatus.ASSIGNED);
    const workerId = await chooseWorker(tem, viewer, args.workerId);
    const referral = await openReferral(tem, kase, viewer.agencyId);
    kase.assignedWorker = tem.getReference(User, workerId, { wrapped: true });
    recordTransition(tem, kase, CaseStatus.ASSIGNED, {
      reason: 'ACCEPTED',
      actorId: actorOf(viewer),
    });
    respond(referral, viewer, ReferralStatus.ACCEPTED);
  });
  return getCase(em, viewer, args.caseId);
}

/**
 * REFERRED → REFERRAL_DECLINED → TRIAGE → routed to the next covering agency (never one that
 * already had it), or left in TRIAGE with the reason. Answers with the declined referral: the
 * case itself leaves the declining agency's scope.
 */
export async function declineCase(
  em: EntityManager,
  viewer: Viewer,
  args: DeclineCaseArgs,
): Promise<CaseReferralType> {
  const reason = args.reason.trim();
  if (reason.length === 0) throw badInput({ field: 'reason', message: 'must not be blank' });
  return changeCase(em, viewer, args, async (tem, kase) => {
    assertTransition(kase.status, CaseStatus.REFERRAL_DECLINED);
    const referral = await openReferral(tem, kase, viewer.agencyId);
    respond(referral, viewer, ReferralStatus.REJECTED);
    referral.statusReason = reason;
    recordTransition(tem, kase, CaseStatus.REFERRAL_DECLINED, {
      reason: 'DECLINED',
      actorId: actorOf(viewer),
    });
    await reroute(tem, kase, actorOf(viewer));
    return toReferralType(referral);
  });
}

/** The hub operator runs routing again for a case waiting in TRIAGE (a new agency or agreement). */
export async function retriageCase(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeArgs,
): Promise<CaseType> {
  await changeCase(em, viewer, args, async (tem, kase) => {
    assertTransition(kase.status, CaseStatus.REFERRED);
    await routeCase(tem, kase, await reportingAgencyOf(tem, kase), actorOf(viewer));
  });
  return getCase(em, viewer, args.caseId);
}

async function chooseWorker(
  em: EntityManager,
  viewer: Viewer,
  workerId: string | undefined,
): Promise<string> {
  if (viewer.role === Role.OUTREACH_WORKER && viewer.userId) {
    if (workerId && workerId !== viewer.userId) {
      throw badInput({
        field: 'workerId',
        message: 'an outreach worker can only claim a case for themselves',
      });
    }
    return viewer.userId;
  }
  if (!workerId) {
    throw badInput({ field: 'workerId', message: 'is required to assign the case to a worker' });
  }
  // One answer for every failure, so the check cannot probe other agencies' staff.
  const worker = isUuid(workerId)
    ? await em.findOne(User, {
        id: workerId,
        agency: viewer.agencyId,
        role: Role.OUTREACH_WORKER,
        active: true,
      })
    : null;
  if (!worker) {
    throw badInput({
      field: 'workerId',
      message: 'must be an active outreach worker of your agency',
    });
  }
  return worker.id;
}

/** The pending referral of the case to the caller's agency; routing guarantees there is one. */
function openReferral(em: EntityManager, kase: Case, agencyId: string): Promise<Referral> {
  return em.findOneOrFail(Referral, {
    case: kase.id,
    toAgency: agencyId,
    type: ReferralType.FOLLOW_UP_OUTREACH,
    status: ReferralStatus.REQUESTED,
  });
}

function respond(referral: Referral, viewer: Viewer, status: ReferralStatus): void {
  referral.status = status;
  referral.respondedAt = new Date();
  referral.respondedById = actorOf(viewer);
}

async function reroute(em: EntityManager, kase: Case, actorId: string | undefined): Promise<void> {
  recordTransition(em, kase, CaseStatus.TRIAGE, { reason: 'REROUTE', actorId });
  kase.routedAgency = undefined;
  kase.assignedWorker = undefined;
  await routeCase(em, kase, await reportingAgencyOf(em, kase), actorId);
}

/** The reporting agency (for a referral case: the agency that took the referral in). */
export async function reportingAgencyOf(em: EntityManager, kase: Case): Promise<string> {
  return (await caseOrigin(em, kase)).agencyId;
}
