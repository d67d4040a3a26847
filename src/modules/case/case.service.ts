import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { decodeListCursor, toListPage } from '../../common/list-cursor';
import { pageSize, type Page } from '../../common/pagination';
import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import { badInput, notFound } from '../../errors/hub-errors';
import { User } from '../agency/user.entity';
import { OverdoseIncident } from '../incident/incident.entity';
import { CaseStatus, FollowUpBucket, ReferralStatus, ReferralType } from './case-codes';
import type { CaseRelations } from './case-list-relations';
import { queryCases } from './case-query';
import { routeCase } from './case-routing.service';
import { recordTransition } from './case-timeline';
import { actorOf, changeCase } from './case-change';
import { assertTransition } from './case-transitions';
import { Case } from './case.entity';
import type {
  AcceptCaseArgs,
  CaseChangeArgs,
  CaseFilterInput,
  CasesArgs,
  DeclineCaseArgs,
  FollowUpQueueArgs,
} from './case.input';
import type { CaseType } from './case.types';
import { Referral } from './referral.entity';
import type { CaseReferralType } from './referral.types';

export async function getCase(
  em: EntityManager,
  viewer: Viewer,
  id: string,
  relations?: CaseRelations,
): Promise<CaseType> {
  const { rows } = isUuid(id)
    ? await queryCases(em, viewer, { id, limit: 1, count: false, relations })
    : { rows: [] };
  if (rows.length === 0) throw notFound('Case');
  return rows[0];
}

/** Both case lists page in (due time, id) order with cursors of their own. */
const CASES_LIST = 'cases';
const QUEUE_LIST = 'followUpQueue';

export async function listCases(
  em: EntityManager,
  viewer: Viewer,
  args: CasesArgs,
  relations?: CaseRelations,
): Promise<Page<CaseType>> {
  const size = pageSize(args.first);
  const after = decodeListCursor(CASES_LIST, args.after);
  checkRange(args.filter);
  const { rows, totalCount } = await queryCases(em, viewer, {
    filter: args.filter,
    after,
    limit: size + 1,
    relations,
  });
  return toListPage(CASES_LIST, rows, size, totalCount, (c) => ({ at: c.followUpDueAt, id: c.id }));
}

/**
 * The outreach agency's follow-up queue: its cases awaiting a first attempt whose window opens
 * by the end of today (in `timeZone`), overdue first, then due, then opening later today
 * (oldest first: by due time, then id). Each case carries its `followUpBucket`, so one list can
 * show all three and three lists can ask for one bucket each.
 */
export async function listFollowUpQueue(
  em: EntityManager,
  viewer: Viewer,
  args: FollowUpQueueArgs,
  relations?: CaseRelations,
): Promise<Page<CaseType>> {
  const size = pageSize(args.first);
  const after = decodeListCursor(QUEUE_LIST, args.after);
  const timeZone = checkTimeZone(args.timeZone ?? 'UTC');
  const { rows, totalCount } = await queryCases(em, viewer, {
    queue: { buckets: args.buckets ?? Object.values(FollowUpBucket), timeZone },
    after,
    limit: size + 1,
    relations,
  });
  return toListPage(QUEUE_LIST, rows, size, totalCount, (c) => ({ at: c.followUpDueAt, id: c.id }));
}

function checkRange(filter: CaseFilterInput | undefined): void {
  if (filter?.occurredFrom && filter.occurredTo && filter.occurredTo <= filter.occurredFrom) {
    throw badInput({ field: 'filter.occurredTo', message: 'must be after occurredFrom' });
  }
}

/** An IANA zone name both the runtime and PostgreSQL know; offsets and POSIX strings are not. */
function checkTimeZone(timeZone: string): string {
  const named = /^(UTC|[A-Za-z]+(\/[A-Za-z0-9_+-]+){1,2})$/.test(timeZone);
  try {
    if (named) new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw badInput({ field: 'timeZone', message: 'must be an IANA time zone such as UTC' });
  }
  if (!named)
    throw badInput({ field: 'timeZone', message: 'must be an IANA time zone such as UTC' });
  return timeZone;
}

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

async function reportingAgencyOf(em: EntityManager, kase: Case): Promise<string> {
  const incident = await em.findOneOrFail(
    OverdoseIncident,
    { id: kase.indexIncident.id },
    { fields: ['reportingAgency'] },
  );
  return incident.reportingAgency.id;
}

export function toReferralType(referral: Referral): CaseReferralType {
  return {
    id: referral.id,
    toAgencyId: referral.toAgency?.id,
    type: referral.type,
    status: referral.status,
    statusReason: referral.statusReason,
    createdAt: referral.createdAt,
    respondedAt: referral.respondedAt,
  };
}
