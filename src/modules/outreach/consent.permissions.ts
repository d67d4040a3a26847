import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

// Rule names are unique across the hub: the permission layer caches results by name.
const consentOutreach = allowRoles(
  'consentOutreach',
  [Role.OUTREACH_WORKER],
  'cases routed to their agency (the consents their agency recorded)',
);
const consentHolders = allowRoles(
  'consentHolders',
  [Role.OUTREACH_WORKER, Role.LEAD_CASE_MANAGER],
  'outreach: consents their agency recorded; LEAD case manager: releases naming their program',
);
/** DESIGN.md matrix, consent records: the agency admin learns only that one is on file. */
const consentExistence = allowRoles(
  'consentExistence',
  [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN],
  'cases routed to their agency',
);

export const consentPermissions: PermissionMap = {
  Mutation: { recordConsent: consentOutreach, revokeConsent: consentHolders },
  Case: { consents: consentOutreach, consentOnFile: consentExistence },
  // Reached only through Case.consents and LeadReferral.releases, which scope the rows.
  Consent: fields(
    [
      'id',
      'scope',
      'grantedTo',
      'coversPolice',
      'purpose',
      'method',
      'grantedAt',
      'expiresAt',
      'revokedAt',
      'revocationReason',
      'inForce',
      'createdAt',
    ],
    consentHolders,
  ),
};
