import type { EntityManager } from '@mikro-orm/postgresql';
import { AgreementPurpose } from './agreement-codes';
import { DataSharingAgreement } from './data-sharing-agreement.entity';

/**
 * SQL condition, for use inside larger queries, that is true when an agreement lets identity flow
 * from the agency in `sourceColumn` to the one in `recipientColumn` for the county in
 * `countyColumn` right now. Column arguments are trusted SQL identifiers written by hub code.
 */
export function activeAgreementExistsSql(
  sourceColumn: string,
  recipientColumn: string,
  countyColumn: string,
  purpose: AgreementPurpose = AgreementPurpose.FOLLOW_UP_OUTREACH,
): string {
  return `exists (select 1 from data_sharing_agreement dsa
    where dsa.source_agency_id = ${sourceColumn}
      and dsa.recipient_agency_id = ${recipientColumn}
      and dsa.purpose = '${purpose}'
      and ${countyColumn} = any(dsa.counties)
      and dsa.ended_at is null
      and dsa.effective_from <= now()
      and (dsa.effective_to is null or dsa.effective_to > now()))`;
}

/** True when identity may flow from `sourceAgencyId` to `recipientAgencyId` for `county` now. */
export async function hasActiveAgreement(
  em: EntityManager,
  sourceAgencyId: string,
  recipientAgencyId: string,
  county: string,
  purpose: AgreementPurpose = AgreementPurpose.FOLLOW_UP_OUTREACH,
): Promise<boolean> {
  const now = new Date();
  const count = await em.count(DataSharingAgreement, {
    sourceAgency: sourceAgencyId,
    recipientAgency: recipientAgencyId,
    purpose,
    counties: { $contains: [county] },
    endedAt: null,
    effectiveFrom: { $lte: now },
    $or: [{ effectiveTo: null }, { effectiveTo: { $gt: now } }],
  });
  return count > 0;
}
