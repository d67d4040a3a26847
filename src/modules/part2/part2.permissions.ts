import { Role } from '../../common/role';
import { allowRoles, type PermissionMap } from '../../permissions/access';

// Rule names are unique across the hub: the permission layer caches results by name.
// The label is read by whoever may read the record it is on (each type's own rules): knowing a
// record is Part 2 protected tells the reader how it may be redisclosed.

export const part2Permissions: PermissionMap = {
  Case: {
    part2Protected: allowRoles(
      'part2LabelCase',
      [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN, Role.HUB_ADMIN],
      'agency staff: cases routed to their agency; hub admin: every case',
    ),
  },
  OutreachAttempt: {
    part2Protected: allowRoles(
      'part2LabelAttempt',
      [Role.OUTREACH_WORKER],
      'outreach workers of the agency the case is routed to',
    ),
  },
  Outcome: {
    part2Protected: allowRoles(
      'part2LabelOutcome',
      [Role.OUTREACH_WORKER],
      'cases routed to their agency',
    ),
  },
  ServiceReferral: {
    part2Protected: allowRoles(
      'part2LabelServiceReferral',
      [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN, Role.TREATMENT_PROVIDER],
      'referring outreach agency, or receiving agency the referral is released to',
    ),
  },
  Consent: {
    part2Protected: allowRoles(
      'part2LabelConsent',
      [Role.OUTREACH_WORKER, Role.LEAD_CASE_MANAGER],
      'outreach: consents their agency recorded; LEAD case manager: releases naming their program',
    ),
  },
};
