import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import {
  CaseStatus,
  CloseReason,
  OPEN_STATUSES,
  ReferralStatus,
  ReferralType,
} from '../case-codes';
import { Case } from '../case.entity';
import { Referral } from '../referral.entity';
import { recordTransition } from './timeline';
import { assertTransition } from './transitions';

/** Close reasons that end every other open follow-up of the person, whoever holds it. */
const ENDS_EVERY_CASE_OF_PERSON: readonly CloseReason[] = [CloseReason.DECEASED];

/** Timeline reason on the person's other cases closed along with one. */
const ALONG_WITH: Partial<Record<CloseReason, string>> = {
  [CloseReason.DECEASED]: 'DEATH_REPORTED',
};

export interface CloseOptions {
  reason: CloseReason;
  /** What the timeline says happened (FATAL, FATAL_OVERDOSE_RECORDED…); the reason if absent. */
  timelineReason?: string;
  /** User or API key; undefined when the hub itself closes. */
  actorId?: string;
  /** Timeline reason on the person's other cases closed along with these (DEATH_REPORTED). */
  otherCasesReason?: string;
}

/**
 * THE close: every close of a case, whatever triggers it (a report, an attempt, an outcome, a
 * revoked consent, a worker, retention), goes through here. For each case: any hold is cleared,
 * a routing request still waiting for an answer is cancelled, the close reason is set and one
 * timeline entry written. Where the reason requires it (a death) the person's other open cases
 * are locked and closed too, each with its own entry. Role and from-state guards of a reason
 * chosen by a user are the caller's (lifecycle.ts closeCase); the move to CLOSED is checked here.
 * Runs inside the caller's transaction; the caller flushes.
 */
export async function closeCases(
  em: EntityManager,
  cases: readonly Case[],
  options: CloseOptions,
): Promise<void> {
  await closeEach(em, cases, options);
  if (ENDS_EVERY_CASE_OF_PERSON.includes(options.reason)) {
    await closeOtherCasesOfPeople(em, cases, options);
  }
}

async function closeEach(
  em: EntityManager,
  cases: readonly Case[],
  options: CloseOptions,
): Promise<void> {
  const open = cases.filter((kase) => OPEN_STATUSES.includes(kase.status));
  if (open.length === 0) return;
  for (const kase of open) assertTransition(kase.status, CaseStatus.CLOSED);
  await cancelRoutingRequests(
    em,
    open.map((kase) => kase.id),
    options.actorId,
  );
  for (const kase of open) {
    kase.closeReason = options.reason;
    kase.holdReason = undefined;
    kase.resumeOn = undefined;
    kase.triageReason = undefined;
    recordTransition(em, kase, CaseStatus.CLOSED, {
      reason: options.timelineReason ?? options.reason,
      actorId: options.actorId,
    });
  }
}

/** Closes one case (see closeCases). */
export function closeCase(em: EntityManager, kase: Case, options: CloseOptions): Promise<void> {
  return closeCases(em, [kase], options);
}

/**
 * The person's other open cases, locked and re-read like the case itself: a worker changing one
 * at this moment either commits first (and this closes the changed case) or waits and gets
 * CONFLICT; never a refusal of the death report because another agency's case moved. Id order
 * keeps two deaths from locking in opposite orders.
 */
async function closeOtherCasesOfPeople(
  em: EntityManager,
  closed: readonly Case[],
  options: CloseOptions,
): Promise<void> {
  const personIds = [...new Set(closed.flatMap((kase) => (kase.person ? [kase.person.id] : [])))];
  if (personIds.length === 0) return;
  const others = await em.find(
    Case,
    {
      person: { $in: personIds },
      id: { $nin: closed.map((kase) => kase.id) },
      status: { $in: [...OPEN_STATUSES] },
    },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
  );
  await closeEach(em, others, {
    reason: options.reason,
    timelineReason: options.otherCasesReason ?? ALONG_WITH[options.reason] ?? options.reason,
    actorId: undefined,
  });
}

/** Routing requests of the cases still waiting for an answer are withdrawn. */
export async function cancelRoutingRequests(
  em: EntityManager,
  caseIds: readonly string[],
  actorId: string | undefined,
): Promise<void> {
  const pending = await em.find(Referral, {
    case: { $in: [...caseIds] },
    type: ReferralType.FOLLOW_UP_OUTREACH,
    status: ReferralStatus.REQUESTED,
  });
  const now = new Date();
  for (const referral of pending) {
    referral.status = ReferralStatus.CANCELLED;
    referral.respondedAt = now;
    referral.respondedById = actorId;
  }
}
