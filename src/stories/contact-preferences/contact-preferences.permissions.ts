import { Role } from '../../common/role';
import { allowRoles, type PermissionMap } from '../../permissions/access';

/** DESIGN.md matrix: phone, home address, safe-contact preferences — outreach R/W assigned. */
const contactWriters = allowRoles(
  'personContactWriters',
  [Role.OUTREACH_WORKER],
  'the person of an unsealed case their agency has accepted',
);

export const contactPreferencesPermissions: PermissionMap = {
  Mutation: { updateContactPreferences: contactWriters, updatePersonContact: contactWriters },
};
