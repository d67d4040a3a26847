import { Role } from '../common/role';
import { allowRoles, type PermissionMap } from '../permissions/access';
import { spikeReaders } from '../modules/spike/spike.permissions';

/** The receiving agency's people who act on a routed case; the case's own field rules follow. */
export const CASE_SUBSCRIBERS: readonly Role[] = [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN];

const caseSubscribers = allowRoles(
  'caseSubscribers',
  CASE_SUBSCRIBERS,
  'cases routed to their agency',
);

export const livePermissions: PermissionMap = {
  Subscription: {
    caseRouted: caseSubscribers,
    followUpDue: caseSubscribers,
    spikeAlert: spikeReaders,
  },
};
