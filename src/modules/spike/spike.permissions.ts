import { ALL_ROLES, Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

/**
 * Analysts, public-health staff and agencies covering the county see spike alerts, as aggregates
 * (domain.md §9: alert content stays aggregate). Researchers get extracts, not live alerts.
 */
export const SPIKE_READERS: readonly Role[] = ALL_ROLES.filter((r) => r !== Role.RESEARCHER);

export const spikeReaders = allowRoles(
  'spikeReaders',
  SPIKE_READERS,
  'counties served by their own agency',
);

export const spikePermissions: PermissionMap = {
  Query: { spikeAlerts: spikeReaders },
  SpikeAlert: fields(
    [
      'id',
      'county',
      'windowStart',
      'windowEnd',
      'count',
      'countSuppressed',
      'threshold',
      'thresholdSource',
      'raisedAt',
      'endedAt',
      'active',
    ],
    spikeReaders,
  ),
};
