import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/postgresql';
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

/** A co-report's answer at the scene, for the event it joined. */
export interface CoReportedAnswer {
  eventId: string;
  answer: 'YES' | 'NO';
  at: Date;
}

/** An open case whose person said YES on a co-report: the reporter's consent goes on it. */
export interface ConsentedCase {
  caseId: string;
  personId: string;
  routedAgencyId: string;
  at: Date;
}

/**
 * A co-report (EMS after police at the same overdose) may carry the answer the first report did
 * not: a NO blocks contact on the event's one case as it would have on a case of its own; a YES
 * is returned with the case for the caller to record the consent. The event's case has the
 * event's id as its index report (overdose-event.entity.ts).
 */
export async function recordCoReportedAnswers(
  em: EntityManager,
  answers: readonly CoReportedAnswer[],
): Promise<ConsentedCase[]> {
  if (answers.length === 0) return [];
  const cases = await em.find(
    Case,
    { indexIncident: { $in: [...new Set(answers.map((a) => a.eventId))] } },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
  );
  const byEvent = new Map(cases.map((kase) => [kase.indexIncident!.id, kase]));
  const consented: ConsentedCase[] = [];
  for (const { eventId, answer, at } of answers) {
    const kase = byEvent.get(eventId);
    if (!kase || !OPEN_STATUSES.includes(kase.status)) continue;
    if (answer === 'NO' && !kase.peerContactDeclinedAt) {
      kase.peerContactDeclinedAt = at;
      recordNote(em, kase, 'PEER_CONTACT_DECLINED_ON_CO_REPORT', undefined);
    } else if (answer === 'YES' && kase.person && kase.routedAgency) {
      consented.push({
        caseId: kase.id,
        personId: kase.person.id,
        routedAgencyId: kase.routedAgency.id,
        at,
      });
    }
  }
  return consented;
}
