import type { EntityManager } from '@mikro-orm/postgresql';
import { CaseStatus } from '../case-codes';
import { CaseEvent } from '../case-event.entity';
import type { Case } from '../case.entity';

/**
 * Moves a case to a new status and writes the timeline entry in the same unit of work, so a
 * status never changes without its history. Guards (who may, from which state) are the caller's.
 */
export function recordTransition(
  em: EntityManager,
  kase: Case,
  toStatus: CaseStatus,
  options: { reason?: string; actorId?: string } = {},
): void {
  const fromStatus = kase.status;
  kase.status = toStatus;
  if (toStatus === CaseStatus.CLOSED || toStatus === CaseStatus.ENTERED_IN_ERROR) {
    kase.closedAt = new Date();
  }
  em.create(CaseEvent, {
    case: kase,
    fromStatus,
    toStatus,
    reason: options.reason,
    actorId: options.actorId,
  });
}

/**
 * A timeline entry that changes no status (do-not-contact cleared, merged…): the case's version
 * moves with it, so a client that read the case before sees CONFLICT, not a silent change.
 */
export function recordNote(
  em: EntityManager,
  kase: Case,
  reason: string,
  actorId: string | undefined,
): void {
  touch(kase);
  em.create(CaseEvent, {
    case: kase,
    fromStatus: kase.status,
    toStatus: kase.status,
    reason,
    actorId,
  });
}

/** Any change of a case is a new version, even one that leaves its own columns alone. */
export function touch(kase: Case): void {
  kase.updatedAt = new Date();
}
