import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

/** Police and EMS learn what came of their reports only as suppressed counts (DESIGN.md matrix). */
const reportingAgencies = allowRoles(
  'reportingAgencyFeedback',
  [Role.POLICE_OFFICER, Role.EMS_PROVIDER],
  'own agency’s reports, aggregated and suppressed',
);

export const statsPermissions: PermissionMap = {
  Query: { myReferralFeedback: reportingAgencies },
  ReferralFeedback: fields(['year', 'months', 'total'], reportingAgencies),
  ReferralFeedbackRow: fields(['month', 'reported', 'reached', 'engaged'], reportingAgencies),
  PublishedCount: fields(['value', 'suppressed'], reportingAgencies),
};
