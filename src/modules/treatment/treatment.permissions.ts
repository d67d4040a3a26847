import { Role } from '../../common/role';
import type { Context } from '../../context';
import { allowRoles, allowWhen, fields, type PermissionMap } from '../../permissions/access';
import type { Referral } from '../case/referral.entity';
import { treatmentMaySeePerson } from './treatment-consent';

// Rule names are unique across the hub: the permission layer caches results by name.

/**
 * DESIGN.md: staff of a treatment agency (TREATMENT_PROVIDER) see a person only through an
 * onward referral their agency receives, under a SHARE_WITH_TREATMENT_PROVIDER consent naming
 * that agency (matrix: Rc). Nobody else reads a person through a referral.
 */
const treatmentConsented = allowWhen(
  'treatmentConsented',
  [Role.TREATMENT_PROVIDER],
  async (parent, ctx: Context) =>
    (await treatmentMaySeePerson(ctx.em, ctx.viewer, parent as Referral)) !== undefined,
  'referrals their agency receives, while the person’s treatment-provider consent naming it is in force',
);
const treatmentStaff = allowRoles(
  'treatmentStaff',
  [Role.TREATMENT_PROVIDER],
  'the person of a referral whose consent they passed',
);

export const treatmentPermissions: PermissionMap = {
  ServiceReferral: { person: treatmentConsented },
  ReferredPerson: fields(
    ['firstName', 'lastName', 'dateOfBirth', 'phone', 'preferredContactMethod', 'safeContactTimes'],
    treatmentStaff,
  ),
};
