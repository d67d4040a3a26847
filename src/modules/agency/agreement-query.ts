import type { EntityManager, ObjectQuery } from '@mikro-orm/postgresql';
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
    ...activeAgreementWhere(now),
  });
  return count > 0;
}

/**
 * What "active" means, as a query condition: not ended, started, not yet expired (`effectiveTo`
 * is exclusive). The same three conditions as `activeAgreementExistsSql` and `isAgreementActive`.
 */
export function activeAgreementWhere(at: Date): ObjectQuery<DataSharingAgreement> {
  return {
    endedAt: null,
    effectiveFrom: { $lte: at },
    $or: [{ effectiveTo: null }, { effectiveTo: { $gt: at } }],
  };
}

/** The same test on a loaded agreement (the GraphQL `active` field). */
export function isAgreementActive(
  agreement: Pick<DataSharingAgreement, 'endedAt' | 'effectiveFrom' | 'effectiveTo'>,
  at: Date,
): boolean {
  return (
    !agreement.endedAt &&
    agreement.effectiveFrom.getTime() <= at.getTime() &&
    (!agreement.effectiveTo || agreement.effectiveTo.getTime() > at.getTime())
  );
}
