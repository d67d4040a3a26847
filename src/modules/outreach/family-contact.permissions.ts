import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

// Rule names are unique across the hub: the permission layer caches results by name.
/** Issue 14 point 6: the outreach team of the case, under the person's CONTACT_FAMILY consent. */
const familyOutreach = allowRoles(
  'familyOutreach',
  [Role.OUTREACH_WORKER],
  'cases routed to their agency; recording needs a CONTACT_FAMILY consent naming it in force',
);

export const familyContactPermissions: PermissionMap = {
  Mutation: { recordFamilyContact: familyOutreach },
  Case: { familyContacts: familyOutreach },
  FamilyContact: fields(['id', 'name', 'relationship', 'phone', 'createdAt'], familyOutreach),
};
