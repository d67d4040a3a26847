import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from '../errors/hub-errors';
import { isUuid } from '../common/uuid';
import { ApiKey } from '../modules/agency/api-key.entity';
import type { Role } from '../common/role';
import type { AgencyKind } from '../modules/agency/agency-kind';
import { API_KEY_MARKER, apiKeyMatches, parseApiKeyPrefix } from './api-key-secret';
import type { TokenVerifier } from './tokens';
import type { Viewer } from './viewer';

/** How often a key's last-used time is written: often enough to audit, rarely enough to be free. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Turns an Authorization header into a Viewer, or throws UNAUTHENTICATED. Every failure gives the
 * same answer so that a caller cannot learn whether a user, key or agency exists.
 */
export async function authenticate(
  authorization: string | undefined,
  em: EntityManager,
  verifyToken: TokenVerifier,
): Promise<Viewer> {
  const credential = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!credential) throw unauthenticated();
  const viewer = credential.startsWith(API_KEY_MARKER)
    ? await viewerFromApiKey(credential, em)
    : await viewerFromToken(credential, em, verifyToken);
  if (!viewer) throw unauthenticated();
  return viewer;
}

async function viewerFromToken(
  token: string,
  em: EntityManager,
  verifyToken: TokenVerifier,
): Promise<Viewer | null> {
  const verified = await verifyToken(token);
  if (!verified) return null;
  const { subject, issuedBy, sessionId } = verified;
  if (issuedBy === 'HUB' && !isUuid(subject)) return null;
  if (sessionId !== undefined && !isUuid(sessionId)) return null;
  // One plain statement on every request: loading the user and its agency as entities cost
  // about a third of the CPU time of a small request, for four columns.
  const [user] = await em.execute<UserViewerRow[]>(
    `select u.id, u.role, u.agency_id, a.kind as agency_kind, a.runs_follow_up
       from app_user u join agency a on a.id = u.agency_id
      where ${issuedBy === 'HUB' ? 'u.id = ?::uuid' : 'u.external_subject = ?'}
        and u.active and a.active
        -- A token of a sign-in session works only while the session is open (sign out, an
        -- admin ending it, a replayed refresh token end it at once, not when the token expires).
        and (?::uuid is null or exists (
              select 1 from auth_session s
               where s.id = ?::uuid and s.user_id = u.id and s.revoked_at is null))`,
    [subject, sessionId ?? null, sessionId ?? null],
  );
  if (!user) return null;
  return {
    kind: 'USER',
    userId: user.id,
    agencyId: user.agency_id,
    agencyKind: user.agency_kind,
    runsFollowUp: user.runs_follow_up,
    role: user.role,
  };
}

interface UserViewerRow {
  id: string;
  role: Role;
  agency_id: string;
  agency_kind: AgencyKind;
  runs_follow_up: boolean;
}

async function viewerFromApiKey(key: string, em: EntityManager): Promise<Viewer | null> {
  const prefix = parseApiKeyPrefix(key);
  if (!prefix) return null;
  const apiKey = await em.findOne(ApiKey, { prefix }, { populate: ['agency', 'secretHash'] });
  if (!apiKey || apiKey.revokedAt || !apiKey.agency.$.active) return null;
  if (!apiKeyMatches(key, apiKey.secretHash)) return null;
  const { affectedRows } = await em
    .createQueryBuilder(ApiKey)
    .update({ lastUsedAt: new Date() })
    .where({
      id: apiKey.id,
      $or: [
        { lastUsedAt: null },
        { lastUsedAt: { $lt: new Date(Date.now() - LAST_USED_RESOLUTION_MS) } },
      ],
    })
    .execute('run');
  // The update bypassed this EntityManager, which hands the same object to `me { apiKey }`.
  if (affectedRows > 0) await em.refresh(apiKey);
  return {
    kind: 'API_KEY',
    apiKeyId: apiKey.id,
    agencyId: apiKey.agency.id,
    agencyKind: apiKey.agency.$.kind,
    runsFollowUp: apiKey.agency.$.runsFollowUp,
    role: apiKey.role,
  };
}
