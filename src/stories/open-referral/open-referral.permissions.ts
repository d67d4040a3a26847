import { Role } from '../../common/role';
import type { Context } from '../../context';
import { allowWhen, type PermissionMap } from '../../permissions/access';

/** Staff of an agency running follow-up take referrals in for their own agency. */
const referralTakers = allowWhen(
  'referralTakers',
  [Role.OUTREACH_WORKER],
  (_parent, ctx: Context) => ctx.viewer.runsFollowUp === true,
  'staff of an agency running follow-up: a case for their own agency',
);

export const openReferralPermissions: PermissionMap = {
  Mutation: { openReferral: referralTakers },
};
