import { Role } from '../../common/role';
import { allowRoles, type PermissionMap } from '../../permissions/access';

/** Which reports are one overdose is the routed agency's call: its administrator decides. */
const eventMergers = allowRoles(
  'overdoseEventMergers',
  [Role.AGENCY_ADMIN],
  'both events’ cases routed to their agency',
);

export const mergeEventsPermissions: PermissionMap = {
  Mutation: { mergeOverdoseEvents: eventMergers, undoOverdoseEventMerge: eventMergers },
};
