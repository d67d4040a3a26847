import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

/**
 * Attempts, visits and what was left are the outreach team's alone (DESIGN.md matrix: agency
 * admin "—"); the admin works the queue from the case's status, window and attempt count.
 */
const outreachTeam = allowRoles(
  'outreachAttemptTeam',
  [Role.OUTREACH_WORKER],
  'outreach workers of the agency the case is routed to',
);

export const outreachPermissions: PermissionMap = {
  Mutation: { logOutreachAttempt: outreachTeam },
  Case: { outreachAttempts: outreachTeam },
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
      outreachTeam,
    ),
    notes: outreachTeam,
  },
};
