import type { EntityManager } from '@mikro-orm/postgresql';
import { Agency } from '../../agency/agency.entity';
import { AgencyRouter } from './agency-router';
import { CaseStatus, ReferralStatus, ReferralType, TriageReason } from '../case-codes';
import type { Case } from '../case.entity';
import { recordTransition } from './timeline';
import { Referral } from '../referral.entity';
import { raiseAfterCommit } from '../../../events/domain-events';

/**
 * Re-routes a case in TRIAGE (after a decline, on retriage, after an amended county): as at
 * intake (AgencyRouter), but an agency that declined the case is never chosen again. With no
 * candidate the case stays in TRIAGE with the reason. The caller flushes (inside its transaction).
 */
export async function routeCase(
  em: EntityManager,
  kase: Case,
  reportingAgencyId: string,
  actorId?: string,
): Promise<void> {
  const previouslyReferred = await em.find(
    Referral,
    { case: kase.id, type: ReferralType.FOLLOW_UP_OUTREACH, status: ReferralStatus.REJECTED },
    { fields: ['toAgency'] },
  );
  const excluded = previouslyReferred.flatMap((r) => (r.toAgency ? [r.toAgency.id] : []));
  const router = await AgencyRouter.load(em, [kase.county], reportingAgencyId);
  referToBestAgency(em, kase, router, excluded, actorId);
}

/**
 * Refers a case in TRIAGE to the router's pick for its county, or leaves it in TRIAGE with the
 * reason when there is none. No query: a new report's case is routed inside the batch's unit of
 * work.
 */
export function referToBestAgency(
  em: EntityManager,
  kase: Case,
  router: AgencyRouter,
  excluded: readonly string[] = [],
  actorId?: string,
): void {
  const target = router.pick(kase.county, excluded);
  if (!target) {
    kase.triageReason =
      excluded.length > 0
        ? TriageReason.ALL_COVERING_AGENCIES_DECLINED
        : TriageReason.NO_COVERING_AGENCY;
    return;
  }
  kase.triageReason = undefined;
  kase.routedAgency = em.getReference(Agency, target, { wrapped: true });
  em.create(Referral, { case: kase, toAgency: target, type: ReferralType.FOLLOW_UP_OUTREACH });
  recordTransition(em, kase, CaseStatus.REFERRED, { reason: 'ROUTED', actorId });
  raiseAfterCommit(em, 'caseRouted', { caseId: kase.id, agencyId: target });
}
