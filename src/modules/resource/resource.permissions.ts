import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';
import { RESOURCE_READERS } from './resource.service';

/**
 * The directory holds no personal data, but the matrix gives reporters (police, EMS) and the
 * aggregate roles (analyst, researcher) nothing beyond their own purpose: it is read by those
 * who refer people to care. Rule names are unique across the hub (shield caches by name).
 */
const readers = allowRoles(
  'resourceReaders',
  RESOURCE_READERS,
  'every listing: the directory is the same for everyone who refers people',
);
const maintainers = allowRoles(
  'resourceMaintainers',
  [Role.HUB_ADMIN, Role.AGENCY_ADMIN],
  "hub admin: every listing; agency admin: its own agency's listings",
);

export const RESOURCE_FIELDS = [
  'id',
  'agency',
  'name',
  'description',
  'services',
  'moud',
  'paymentAccepted',
  'typicalCost',
  'hours',
  'timeZone',
  'street',
  'city',
  'state',
  'zip',
  'county',
  'phone',
  'acceptingNewClients',
  'languages',
  'lastVerifiedAt',
  'active',
  'openNow',
  'version',
  'createdAt',
  'updatedAt',
] as const;

export const resourcePermissions: PermissionMap = {
  Query: { resources: readers, resource: readers },
  Mutation: {
    createResource: maintainers,
    updateResource: maintainers,
    verifyResource: maintainers,
    deactivateResource: maintainers,
    reactivateResource: maintainers,
  },
  TreatmentResource: fields(RESOURCE_FIELDS, readers),
  OpeningHours: fields(['day', 'opens', 'closes'], readers),
  TreatmentResourceConnection: fields(['edges', 'pageInfo', 'totalCount'], readers),
  TreatmentResourceEdge: fields(['cursor', 'node'], readers),
};
