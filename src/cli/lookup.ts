import type { EntityManager, Loaded } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { Role } from '../common/role';
import { isUuid } from '../common/uuid';
import { Agency } from '../modules/agency/agency.entity';
import { User } from '../modules/agency/user.entity';
import { CliError } from './errors';

/** An agency by id or by its exact name (names are unique). */
export async function findAgency(
  em: EntityManager,
  ref: string,
  options: { mustBeActive: boolean },
): Promise<Agency> {
  const wanted = ref.trim();
  const agency =
    (isUuid(wanted) ? await em.findOne(Agency, { id: wanted }) : null) ??
    (await em.findOne(Agency, { name: wanted }));
  if (!agency) {
    throw new CliError(`--agency: no agency with id or name "${ref}" (see list-agencies)`);
  }
  if (options.mustBeActive && !agency.active) {
    throw new CliError(`--agency: "${agency.name}" is deactivated`);
  }
  return agency;
}

/** A user by id or by email (stored lower-cased). */
export async function findUser(em: EntityManager, ref: string): Promise<Loaded<User, 'agency'>> {
  const wanted = ref.trim();
  const user =
    (isUuid(wanted) ? await em.findOne(User, { id: wanted }, { populate: ['agency'] }) : null) ??
    (await em.findOne(User, { email: wanted.toLowerCase() }, { populate: ['agency'] }));
  if (!user) throw new CliError(`--user: no user with id or email "${ref}" (see list-users)`);
  return user;
}

/**
 * The CLI is run by the hub's operator, so it acts as a hub administrator placed in the target
 * agency: the services then apply the same role rules as the API (roles by agency kind, API-key
 * roles) without an agency-admin scope getting in the way.
 */
export function operatorViewer(agency: Agency): Viewer {
  return { kind: 'USER', agencyId: agency.id, agencyKind: agency.kind, role: Role.HUB_ADMIN };
}
