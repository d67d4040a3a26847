import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

const attemptLoggers = allowRoles(
  'outreachAttemptLoggers',
  [Role.OUTREACH_WORKER],
  'outreach workers of the agency the case is routed to',
);
/** The agency admin oversees its team's outreach (what, when, who was present), not the notes. */
const attemptReaders = allowRoles(
  'outreachAttemptReaders',
  [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN],
  'cases routed to their agency',
);

export const outreachPermissions: PermissionMap = {
  Mutation: { logOutreachAttempt: attemptLoggers },
  Case: { outreachAttempts: attemptReaders },
  OutreachAttempt: {
    ...fields(
      [
        'id',
        'method',
        'attemptedAt',
        'outcome',
        'teamPresent',
        'officerPresence',
        'naloxoneKitsForPerson',
        'naloxoneKitsForFamily',
        'fentanylTestStrips',
        'overdosePreventionLiterature',
        'peerSupportContactCard',
        'syringeServicesInformation',
        'worker',
        'createdAt',
      ],
      attemptReaders,
    ),
    notes: attemptLoggers,
  },
};
