import { ALL_ROLES, Role } from '../../common/role';
import { allowRoles, allowWhen, fields, type PermissionMap } from '../../permissions/access';
import { AgencyKind } from '../agency/agency-kind';

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

/**
 * Thresholds and alert contacts: the agency admin, and analysts of a public-health agency for
 * their own agency's jurisdiction (the service checks the same again).
 */
export const alertManagers = allowWhen(
  'alertManagers',
  [Role.AGENCY_ADMIN, Role.ANALYST],
  (_parent, ctx) =>
    ctx.viewer.role !== Role.ANALYST || ctx.viewer.agencyKind === AgencyKind.PUBLIC_HEALTH,
  'own agency; analysts only of a PUBLIC_HEALTH agency',
);

export const spikePermissions: PermissionMap = {
  Query: {
    spikeAlerts: spikeReaders,
    spikeSettings: alertManagers,
    alertContacts: alertManagers,
    alertDeliveries: alertManagers,
    webPushPublicKey: alertManagers,
  },
  Mutation: {
    setSpikeSettings: alertManagers,
    addAlertContact: alertManagers,
    removeAlertContact: alertManagers,
  },
  SpikeAlert: fields(
    [
      'id',
      'county',
      'scope',
      'counties',
      'substance',
      'windowHours',
      'windowStart',
      'windowEnd',
      'count',
      'countSuppressed',
      'threshold',
      'thresholdSource',
      'expected',
      'exceedanceProbability',
      'raisedAt',
      'endedAt',
      'active',
    ],
    spikeReaders,
  ),
  SpikeSettings: fields(
    ['exceedanceProbability', 'minCount', 'poolNeighbours', 'substances', 'isDefault', 'updatedAt'],
    alertManagers,
  ),
  AlertContact: fields(['id', 'channel', 'label', 'target', 'active', 'createdAt'], alertManagers),
  CreatedAlertContact: fields(['contact', 'webhookSecret'], alertManagers),
  AlertDelivery: fields(
    [
      'id',
      'alertId',
      'contactId',
      'channel',
      'status',
      'attempts',
      'lastError',
      'lastAttemptAt',
      'nextAttemptAt',
      'sentAt',
      'createdAt',
    ],
    alertManagers,
  ),
};
