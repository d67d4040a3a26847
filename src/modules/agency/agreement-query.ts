import type { EntityManager, ObjectQuery } from '@mikro-orm/postgresql';
import { AGREEMENT_ACTIVE } from '../../rules/agreement-active';
import { inForceSql, inForceWhere, isInForce } from '../../rules/in-force-window';
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
      and ${inForceSql(AGREEMENT_ACTIVE, 'dsa')})`;
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

/** What "active" means (rules/agreement-active.ts) as a query condition at `at`. */
export function activeAgreementWhere(at: Date): ObjectQuery<DataSharingAgreement> {
  return inForceWhere(AGREEMENT_ACTIVE, at) as ObjectQuery<DataSharingAgreement>;
}

/** The same rule on a loaded agreement (the GraphQL `active` field). */
export function isAgreementActive(
  agreement: Pick<DataSharingAgreement, 'endedAt' | 'effectiveFrom' | 'effectiveTo'>,
  at: Date,
): boolean {
  return isInForce(AGREEMENT_ACTIVE, agreement, at);
}
