import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../common/sql';
import { AgencyKind } from '../agency/agency-kind';
import { Agency } from '../agency/agency.entity';
import { activeAgreementExistsSql } from '../agency/agreement-query';
import { CaseStatus, OPEN_STATUSES, ReferralType, TriageReason } from './case-codes';
import type { Case } from './case.entity';
import { recordTransition } from './case-timeline';
import { Referral } from './referral.entity';
import { raiseAfterCommit } from '../../events/domain-events';

/**
 * Picks the harm-reduction agency for a case in TRIAGE and refers it there: an active agency
 * serving the county, preferring one with an active data-sharing agreement with the reporter,
 * then the lowest open caseload, then name (stable). Agencies already referred this case (e.g.
 * that declined it) are never chosen again. With no candidate the case stays in TRIAGE with the
 * reason. The caller flushes (inside its transaction).
 */
export async function routeCase(
  em: EntityManager,
  kase: Case,
  reportingAgencyId: string,
  actorId?: string,
): Promise<void> {
  const previouslyReferred = await em.find(
    Referral,
    { case: kase.id, type: ReferralType.FOLLOW_UP_OUTREACH },
    { fields: ['toAgency'] },
  );
  const excluded = previouslyReferred.flatMap((r) => (r.toAgency ? [r.toAgency.id] : []));
  const target = await pickAgency(em, kase.county, reportingAgencyId, excluded);

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

async function pickAgency(
  em: EntityManager,
  county: string,
  reportingAgencyId: string,
  excludedAgencyIds: string[],
): Promise<string | undefined> {
  const rows = await em.getConnection().execute<Array<{ id: string }>>(
    `select a.id,
            ${activeAgreementExistsSql('?::uuid', 'a.id', '?::text')} as has_agreement,
            (select count(*) from overdose_case c
              where c.routed_agency_id = a.id and c.status = any(?::case_status[])) as open_cases
       from agency a
      where a.active and a.kind = ?::agency_kind and ?::text = any(a.service_counties)
        and a.id <> all(?::uuid[])
      order by has_agreement desc, open_cases asc, a.name asc, a.id asc
      limit 1`,
    [
      reportingAgencyId,
      county,
      pgArray(OPEN_STATUSES),
      AgencyKind.HARM_REDUCTION,
      county,
      pgArray(excludedAgencyIds),
    ],
    'all',
    em.getTransactionContext(),
  );
  return rows[0]?.id;
}
