import { ALL_ROLES, Role } from '../../common/role';
import { allowRoles, allowWhen, fields, type PermissionMap } from '../../permissions/access';
import type { Context } from '../../context';

const HUB_ADMIN = [Role.HUB_ADMIN];
const ADMINS = [Role.HUB_ADMIN, Role.AGENCY_ADMIN];

const anyCaller = allowRoles('anyCaller', ALL_ROLES);
const hubAdmin = allowRoles('hubAdmin', HUB_ADMIN);
const admins = allowRoles('admins', ADMINS, 'agency admins: own agency; hub admin: any agency');

/** Staff and key details: administrators, or the caller reading its own account through `me`. */
const adminOrSelf = allowWhen(
  'adminOrSelf',
  ALL_ROLES,
  (parent, ctx: Context) => {
    if (ADMINS.includes(ctx.viewer.role)) return true;
    const id = (parent as { id?: string }).id;
    return id !== undefined && (id === ctx.viewer.userId || id === ctx.viewer.apiKeyId);
  },
  'admins: their agency; anyone: their own account or key',
);

/** Outreach workers may see who on their own team holds a case: the name, nothing more. */
/** Roles that hand cases to each other and need to see who holds one. */
const TEAM_ROLES: readonly Role[] = [Role.OUTREACH_WORKER, Role.LEAD_CASE_MANAGER];

const adminSelfOrTeammate = allowWhen(
  'adminSelfOrTeammate',
  ALL_ROLES,
  async (parent, ctx: Context) =>
    (await adminOrSelf.check!(parent, ctx)) ||
    (TEAM_ROLES.includes(ctx.viewer.role) &&
      (parent as { agency?: { id?: string } }).agency?.id === ctx.viewer.agencyId),
  'admins: their agency; anyone: their own account; outreach workers and LEAD case managers: their teammates',
);

export const agencyPermissions: PermissionMap = {
  Query: {
    me: anyCaller,
    agencies: hubAdmin,
    agency: hubAdmin,
    agencyUsers: admins,
    apiKeys: admins,
  },
  Mutation: {
    createAgency: hubAdmin,
    updateAgency: hubAdmin,
    setCaseDefinition: admins,
    setVisitPolicy: admins,
    setFamilySupport: admins,
    deactivateAgency: hubAdmin,
    reactivateAgency: hubAdmin,
    createUser: admins,
    updateUser: admins,
    deactivateUser: admins,
    reactivateUser: admins,
    createApiKey: admins,
    revokeApiKey: admins,
  },
  Me: fields(['kind', 'role', 'agency', 'user', 'apiKey'], anyCaller),
  // The directory of agencies is not sensitive: anyone may see who takes part and where.
  Agency: {
    ...fields(['id', 'name', 'kind', 'serviceCounties', 'runsFollowUp'], anyCaller),
    ...fields(
      ['part2Program', 'active', 'createdAt', 'updatedAt', 'refuseUniformedOfficers'],
      admins,
    ),
    // Which encounters count is no secret, and reporters need it to read their import reports.
    caseDefinition: anyCaller,
    // Who supports families after a death is a directory fact, like the service area.
    offersFamilySupport: anyCaller,
  },
  User: {
    ...fields(['id', 'displayName'], adminSelfOrTeammate),
    ...fields(['email', 'role', 'active', 'agency', 'createdAt'], adminOrSelf),
    externalSubject: admins,
  },
  ApiKey: {
    ...fields(
      ['id', 'label', 'role', 'prefix', 'agency', 'createdAt', 'lastUsedAt', 'revokedAt'],
      adminOrSelf,
    ),
  },
  CreatedApiKey: fields(['apiKey', 'key'], admins),
};
