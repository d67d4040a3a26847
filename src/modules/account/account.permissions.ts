import { ALL_ROLES, Role } from '../../common/role';
import { allowRoles, allowWhen, fields, type PermissionMap } from '../../permissions/access';

/** Any signed-in person may end their own sessions; API keys have none (the service refuses). */
const anyPerson = allowWhen(
  'signedInPerson',
  ALL_ROLES,
  (_parent, ctx) => ctx.viewer.kind === 'USER',
  'own sessions',
);

/** Agency admins manage their own agency's users; the hub admin any user (DESIGN.md roles). */
const userAdmins = allowRoles(
  'accountAdmins',
  [Role.AGENCY_ADMIN, Role.HUB_ADMIN],
  'own agency users',
);

/** Reminders are about cases assigned to a worker: only outreach workers get them. */
const reminderUsers = allowWhen(
  'reminderUsers',
  [Role.OUTREACH_WORKER],
  (_parent, ctx) => ctx.viewer.kind === 'USER',
  'own settings',
);

export const accountPermissions: PermissionMap = {
  Query: { myNotificationSettings: reminderUsers },
  Mutation: {
    signOutEverywhere: anyPerson,
    endUserSessions: userAdmins,
    resetUserPassword: userAdmins,
    updateNotificationSettings: reminderUsers,
    savePushSubscription: reminderUsers,
    removePushSubscription: reminderUsers,
  },
  PasswordReset: fields(['temporaryPassword', 'expiresAt'], userAdmins),
  NotificationSettings: fields(
    ['byPush', 'byEmail', 'language', 'pushDevices', 'pushPublicKey'],
    reminderUsers,
  ),
};
