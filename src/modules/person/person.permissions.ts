import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

/** The merged vault record. It is reached only through `Case.person`, which checks the seal. */
const personOutreach = allowRoles(
  'personOutreach',
  [Role.OUTREACH_WORKER],
  'people of unsealed cases routed to their agency',
);

export const personPermissions: PermissionMap = {
  Person: fields(
    [
      'id',
      'firstName',
      'lastName',
      'dateOfBirth',
      'phone',
      'street',
      'city',
      'state',
      'zip',
      'sex',
      'raceEthnicity',
      'doNotContact',
      'preferredContactMethod',
      'safeContactTimes',
      'doNotDiscloseToHousehold',
    ],
    personOutreach,
  ),
};
