import type { EntityManager } from '@mikro-orm/postgresql';
import { CaseStatus, CloseReason } from '../case-codes';
import type { Case } from '../case.entity';
import { closeCase } from './close';
import { recordTransition, touch } from './timeline';

/**
 * What an outreach attempt (logged by outreach, under the case's lock) does to the case: the
 * first one starts outreach (ASSIGNED → OUTREACH); any other moves its version; learning that
 * the person died closes the case DECEASED through the one close, with the person's other cases.
 */
export async function attemptLogged(
  em: EntityManager,
  kase: Case,
  options: { personDied: boolean; actorId: string | undefined },
): Promise<void> {
  if (kase.status === CaseStatus.ASSIGNED) {
    recordTransition(em, kase, CaseStatus.OUTREACH, {
      reason: 'FIRST_ATTEMPT',
      actorId: options.actorId,
    });
  } else {
    touch(kase);
  }
  if (options.personDied) {
    await closeCase(em, kase, {
      reason: CloseReason.DECEASED,
      timelineReason: 'DECEASED',
      actorId: options.actorId,
    });
  }
}
