import type { EntityManager } from '@mikro-orm/postgresql';
import { flushOrConflict } from '../../common/flush';
import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import { badInput, forbidden, notFound } from '../../errors/hub-errors';
import type { Viewer } from '../../auth/viewer';
import { FOLLOW_UP_ROLES, rolesOf } from './follow-up-capability';
import { Agency } from './agency.entity';
import { targetAgencyId } from './agency-scope';
import type { CreateUserInput, UpdateUserInput } from './agency.input';
import { User } from './user.entity';

const DUPLICATE = 'A user with this email or external subject already exists';

export async function listUsers(
  em: EntityManager,
  viewer: Viewer,
  agencyId: string | undefined,
  includeInactive: boolean,
): Promise<User[]> {
  const agency = targetAgencyId(viewer, agencyId, 'agencyId');
  return em.find(
    User,
    { agency, ...(includeInactive ? {} : { active: true }) },
    { orderBy: { displayName: 'asc', id: 'asc' } },
  );
}

export async function createUser(
  em: EntityManager,
  viewer: Viewer,
  input: CreateUserInput,
): Promise<User> {
  const agency = await loadAgency(em, targetAgencyId(viewer, input.agencyId, 'input.agencyId'));
  assertRoleAllowed(viewer, agency, input.role, 'input.role');
  const user = em.create(User, {
    agency,
    email: input.email.trim().toLowerCase(),
    displayName: input.displayName.trim(),
    role: input.role,
    externalSubject: input.externalSubject,
  });
  await flushOrConflict(em, DUPLICATE);
  return user;
}

export async function updateUser(
  em: EntityManager,
  viewer: Viewer,
  id: string,
  input: UpdateUserInput,
): Promise<User> {
  const user = await findScopedUser(em, viewer, id);
  // An explicit null leaves role and name as they are; externalSubject may be cleared.
  if (input.role != null) {
    if (user.id === viewer.userId && input.role !== user.role) {
      throw badInput({ field: 'input.role', message: 'you cannot change your own role' });
    }
    assertRoleAllowed(viewer, user.agency.getEntity(), input.role, 'input.role');
    user.role = input.role;
  }
  if (input.displayName != null) user.displayName = input.displayName.trim();
  if (input.externalSubject !== undefined) user.externalSubject = input.externalSubject;
  await flushOrConflict(em, DUPLICATE);
  return user;
}

export async function setUserActive(
  em: EntityManager,
  viewer: Viewer,
  id: string,
  active: boolean,
): Promise<User> {
  const user = await findScopedUser(em, viewer, id);
  if (!active && user.id === viewer.userId) {
    throw badInput({ field: 'id', message: 'you cannot deactivate yourself' });
  }
  user.active = active;
  await em.flush();
  return user;
}

/** A user of another agency answers exactly like a missing one. */
async function findScopedUser(em: EntityManager, viewer: Viewer, id: string): Promise<User> {
  const scope = viewer.role === Role.HUB_ADMIN ? {} : { agency: viewer.agencyId };
  const user = isUuid(id)
    ? await em.findOne(User, { id, ...scope }, { populate: ['agency'] })
    : null;
  if (!user) throw notFound('User');
  // An agency admin of the operator's own agency must not demote, disable or take over (through
  // externalSubject) a hub administrator.
  if (user.role === Role.HUB_ADMIN && viewer.role !== Role.HUB_ADMIN) {
    throw forbidden('Only a hub administrator can change a hub administrator');
  }
  return user;
}

export async function loadAgency(em: EntityManager, id: string): Promise<Agency> {
  const agency = await em.findOne(Agency, { id, active: true });
  if (!agency) throw notFound('Agency');
  return agency;
}

/** Roles follow the agency's kind and follow-up capability, and only the hub's operator can mint another operator. */
export function assertRoleAllowed(viewer: Viewer, agency: Agency, role: Role, field: string): void {
  if (role === Role.HUB_ADMIN && viewer.role !== Role.HUB_ADMIN) {
    throw badInput({ field, message: 'only a hub administrator can grant HUB_ADMIN' });
  }
  const allowed = rolesOf(agency);
  if (!allowed.includes(role)) {
    const followUp =
      FOLLOW_UP_ROLES.includes(role) && !agency.runsFollowUp
        ? ` (${role} only once the hub admin marks the agency as running follow-up)`
        : '';
    throw badInput({
      field,
      message: `a ${agency.kind} agency can have these roles: ${allowed.join(', ')}${followUp}`,
    });
  }
}
