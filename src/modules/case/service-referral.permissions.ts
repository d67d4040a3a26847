import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

/**
 * Onward referrals carry treatment (42 CFR Part 2) information: the outreach worker of the case
 * and the staff of the receiving agency only. Never police or EMS, never aggregates here.
 */
const outreach = allowRoles(
  'serviceReferralOutreach',
  [Role.OUTREACH_WORKER],
  'cases routed to their agency',
);
const parties = allowRoles(
  'serviceReferralParties',
  // TREATMENT_PROVIDER: staff of the receiving treatment agency (issue 14 point 6).
  [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN, Role.TREATMENT_PROVIDER],
  'referring outreach agency or receiving agency',
);

export const serviceReferralPermissions: PermissionMap = {
  Query: { incomingServiceReferrals: parties },
  Mutation: { createServiceReferral: outreach, updateServiceReferralStatus: parties },
  Case: { serviceReferrals: outreach },
  ServiceReferral: fields(
    ['id', 'type', 'status', 'statusReason', 'createdAt', 'respondedAt', 'toAgency', 'toResource'],
    parties,
  ),
  ServiceReferralConnection: fields(['edges', 'pageInfo', 'totalCount'], parties),
  ServiceReferralEdge: fields(['cursor', 'node'], parties),
};
