import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

// Rule names are unique across the hub: the permission layer caches results by name.
const hubAdmin = allowRoles('agreementHubAdmin', [Role.HUB_ADMIN]);
const admins = allowRoles(
  'agreementAdmins',
  [Role.HUB_ADMIN, Role.AGENCY_ADMIN],
  'hub admin: every agreement; agency admin: agreements its agency is party to',
);

export const agreementPermissions: PermissionMap = {
  Query: {
    dataSharingAgreements: admins,
    dataSharingAgreement: admins,
  },
  Mutation: {
    createDataSharingAgreement: hubAdmin,
    amendDataSharingAgreement: hubAdmin,
    endDataSharingAgreement: hubAdmin,
  },
  DataSharingAgreement: fields(
    [
      'id',
      'sourceAgency',
      'recipientAgency',
      'purpose',
      'lawfulBasis',
      'counties',
      'effectiveFrom',
      'effectiveTo',
      'endedAt',
      'endedReason',
      'active',
      'version',
      'createdAt',
      'updatedAt',
    ],
    admins,
  ),
};
