import { Role } from '../../common/role';
import { allowRoles, allowWhen, fields, type PermissionMap } from '../../permissions/access';
import type { FamilySupportCaseType } from './family-support.types';

const familySupportStaff = allowRoles(
  'familySupportStaff',
  [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN],
  'family-support cases of their own agency',
);
/** As on a case: the decedent's identity only for outreach workers, only when not sealed. */
const familySupportIdentity = allowWhen(
  'familySupportIdentity',
  [Role.OUTREACH_WORKER],
  (parent) => (parent as FamilySupportCaseType).identitySealed === false,
  'family-support cases of their own agency, unless identity is sealed',
);

export const familySupportPermissions: PermissionMap = {
  Query: { familySupportCases: familySupportStaff },
  FamilySupportCase: {
    ...fields(['id', 'county', 'occurredAt', 'identitySealed', 'createdAt'], familySupportStaff),
    person: familySupportIdentity,
  },
};
