import type { EntityManager } from '@mikro-orm/postgresql';
import { CaseStatus } from './case-codes';
import { CaseEvent } from './case-event.entity';
import type { Case } from './case.entity';

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
