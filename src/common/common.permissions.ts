import { ALL_ROLES } from './role';
import { allowRoles, fields, type PermissionMap } from '../permissions/access';

/** Structural types shared by every list: whoever may call a list may page through it. */
export const commonPermissions: PermissionMap = {
  PageInfo: fields(['hasNextPage', 'endCursor'], allowRoles('anyCaller', ALL_ROLES)),
};
