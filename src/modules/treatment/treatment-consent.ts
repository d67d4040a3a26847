import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { Case } from '../case/case.entity';
import type { Referral } from '../case/referral.entity';
import { hasConsentInForce } from '../outreach/consent-query';
import { ConsentScope } from '../outreach/outreach-codes';

/** The agency that receives an onward referral: named directly, or keeping the listing. */
export async function receivingAgencyOf(
  em: EntityManager,
  referral: Referral,
): Promise<string | undefined> {
  if (referral.toAgency) return referral.toAgency.id;
  if (!referral.toResource) return undefined;
  const resource = await referral.toResource.load({ populate: ['agency'] });
  return resource?.agency?.id;
}

/**
 * Issue 14 point 6: staff of a treatment agency see the person of an onward referral only while
 * the person's SHARE_WITH_TREATMENT_PROVIDER consent naming that agency is in force, and only
 * for a referral their agency receives. Checked per referral, at read time, so a revoked or
 * expired consent closes the person again at once.
 */
export async function treatmentMaySeePerson(
  em: EntityManager,
  viewer: Viewer,
  referral: Referral,
): Promise<string | undefined> {
  if (viewer.role !== Role.TREATMENT_PROVIDER || !viewer.agencyId) return undefined;
  if ((await receivingAgencyOf(em, referral)) !== viewer.agencyId) return undefined;
  const kase = await em.findOne(Case, { id: referral.case.id }, { fields: ['person'] });
  const personId = kase?.person?.id;
  if (!personId) return undefined;
  const consented = await hasConsentInForce(
    em,
    personId,
    ConsentScope.SHARE_WITH_TREATMENT_PROVIDER,
    viewer.agencyId,
  );
  return consented ? personId : undefined;
}
