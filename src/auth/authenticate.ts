import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from '../errors/hub-errors';
import { isUuid } from '../common/uuid';
import { ApiKey } from '../modules/agency/api-key.entity';
import { User } from '../modules/agency/user.entity';
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
  const { subject, issuedBy } = verified;
  if (issuedBy === 'HUB' && !isUuid(subject)) return null;
  const user = await em.findOne(
    User,
    issuedBy === 'HUB' ? { id: subject } : { externalSubject: subject },
    { populate: ['agency'] },
  );
  if (!user || !user.active || !user.agency.$.active) return null;
  return {
    kind: 'USER',
    userId: user.id,
    agencyId: user.agency.id,
    agencyKind: user.agency.$.kind,
    role: user.role,
  };
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
    role: apiKey.role,
  };
}
