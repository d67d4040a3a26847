import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../../config';
import { signUserToken } from '../../auth/tokens';
import type { Viewer } from '../../auth/viewer';
import { recordAuditEvent } from '../audit/audit-writer';
import { AuditOutcome } from '../audit/audit-codes';
import { AuthSession, SignInMethod } from './account.entities';
import { AccountAction } from './account-codes';

/** What a sign-in or a refresh hands the browser: a short access token and a new refresh token. */
export interface IssuedTokens {
  accessToken: string;
  /** Seconds the access token is valid. */
  expiresIn: number;
  refreshToken: string;
  sessionId: string;
  userId: string;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const newRefreshToken = () => randomBytes(32).toString('base64url');

export function durationSeconds(ttl: string): number {
  const match = /^(\d+)([smhd])$/.exec(ttl);
  if (!match) throw new Error(`not a duration: ${ttl}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

async function accessTokenFor(config: ReadyConfig, userId: string, sessionId: string) {
  return signUserToken(config.auth, userId, config.account.accessTokenTtl, sessionId);
}

/** Opens a session for a user who has just proved who they are; audited as a sign-in. */
export async function openSession(
  em: EntityManager,
  config: ReadyConfig,
  viewer: Viewer,
  method: SignInMethod,
  requestId: string,
): Promise<IssuedTokens> {
  const refreshToken = newRefreshToken();
  const session = em.create(AuthSession, {
    user: viewer.userId!,
    method,
    refreshHash: hashOf(refreshToken),
    expiresAt: new Date(Date.now() + config.account.sessionIdleSeconds * 1000),
  });
  await em.flush();
  await recordAuditEvent(em, {
    viewer,
    action: AccountAction.SIGN_IN,
    entityType: 'AuthSession',
    entityIds: [session.id],
    requestId,
    details: { method },
  });
  return {
    accessToken: await accessTokenFor(config, viewer.userId!, session.id),
    expiresIn: durationSeconds(config.account.accessTokenTtl),
    refreshToken,
    sessionId: session.id,
    userId: viewer.userId!,
  };
}

/**
 * Swaps a refresh token for a new pair. An unknown, expired or ended one answers null. One that
 * was already swapped (a copy replayed) ends its session: whoever holds either copy must sign in.
 */
export async function refreshSession(
  em: EntityManager,
  config: ReadyConfig,
  refreshToken: string,
  requestId: string,
): Promise<IssuedTokens | null> {
  const hash = hashOf(refreshToken);
  const next = newRefreshToken();
  const nextHash = hashOf(next);
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<Array<{ id: string; user_id: string; replayed: boolean }>>(
      `update auth_session s
          set refresh_hash = case when s.refresh_hash = ? then ? else s.refresh_hash end,
              previous_hash = case when s.refresh_hash = ? then s.refresh_hash else s.previous_hash end,
              expires_at = case when s.refresh_hash = ? then now() + make_interval(secs => ?) else s.expires_at end,
              revoked_at = case when s.refresh_hash = ? then s.revoked_at else now() end,
              revoked_reason = case when s.refresh_hash = ? then s.revoked_reason else 'REFRESH_REUSED' end,
              updated_at = now()
         from app_user u join agency a on a.id = u.agency_id
        where u.id = s.user_id and u.active and a.active
          and s.revoked_at is null and s.expires_at > now()
          and (s.refresh_hash = ? or s.previous_hash = ?)
        returning s.id, s.user_id, s.refresh_hash <> ? as replayed`,
      [
        hash,
        nextHash,
        hash,
        hash,
        config.account.sessionIdleSeconds,
        hash,
        hash,
        hash,
        hash,
        nextHash,
      ],
    );
    if (!row) return null;
    if (row.replayed) {
      await recordAuditEvent(tx, {
        action: AccountAction.REFRESH_REUSED,
        entityType: 'AuthSession',
        entityIds: [row.id],
        outcome: AuditOutcome.DENIED,
        requestId,
      });
      return null;
    }
    return {
      accessToken: await accessTokenFor(config, row.user_id, row.id),
      expiresIn: durationSeconds(config.account.accessTokenTtl),
      refreshToken: next,
      sessionId: row.id,
      userId: row.user_id,
    };
  });
}

/** Ends the session a refresh token belongs to (sign out on this device). */
export async function endSessionByRefreshToken(
  em: EntityManager,
  refreshToken: string,
): Promise<string | null> {
  const [row] = await em.execute<Array<{ id: string; user_id: string }>>(
    `update auth_session set revoked_at = now(), revoked_reason = 'SIGN_OUT', updated_at = now()
      where refresh_hash = ? and revoked_at is null returning id, user_id`,
    [hashOf(refreshToken)],
  );
  return row ? row.user_id : null;
}

/** Ends every open session of a user; answers how many were open. */
export async function endAllSessions(
  em: EntityManager,
  userId: string,
  reason: string,
): Promise<number> {
  const rows = await em.execute<Array<{ id: string }>>(
    `update auth_session set revoked_at = now(), revoked_reason = ?, updated_at = now()
      where user_id = ? and revoked_at is null returning id`,
    [reason, userId],
  );
  return rows.length;
}
