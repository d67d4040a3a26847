import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

/**
 * The merged vault record. It is reached only through `Case.person`, which checks the seal, and
 * `LeadReferral.person`, which checks for a LEAD release in force (DESIGN.md matrix: LEAD case
 * manager Rc for name, date of birth, phone, address and safe-contact preferences).
 */
const personReaders = allowRoles(
  'personReaders',
  [Role.OUTREACH_WORKER, Role.LEAD_CASE_MANAGER],
  'outreach: people of unsealed cases routed to their agency; LEAD case manager: people ' +
    'referred to their program while a release naming it is in force',
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
    personReaders,
  ),
};
