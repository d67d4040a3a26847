import type { EntityManager } from '@mikro-orm/postgresql';
import { OPEN_STATUSES } from '../case-codes';
import { Case } from '../case.entity';
import { recordNote } from './timeline';

/**
 * The person re-engaged after saying NO to peer contact at the scene — they referred themselves,
 * or a consent to follow-up contact was recorded — so contact is no longer blocked on any of
 * their open cases (each gets a timeline note). The caller flushes, inside its transaction.
 */
export async function liftPeerContactDecline(
  em: EntityManager,
  personId: string,
  reason: 'SELF_REFERRAL' | 'CONSENT_RECORDED',
  actorId: string | undefined,
): Promise<void> {
  const declined = await em.find(Case, {
    person: personId,
    status: { $in: [...OPEN_STATUSES] },
    peerContactDeclinedAt: { $ne: null },
  });
  for (const kase of declined) {
    kase.peerContactDeclinedAt = undefined;
    recordNote(em, kase, `PEER_CONTACT_RESUMED_${reason}`, actorId);
  }
}

/** Why no attempt may be made on the case now, or undefined. */
export function peerContactBlock(kase: Case): string | undefined {
  if (!kase.peerContactDeclinedAt) return undefined;
  return (
    'the person declined peer contact at the scene; no attempt may be made until they ' +
    're-engage (a self-referral, or a consent to follow-up contact recorded on the case)'
  );
}
