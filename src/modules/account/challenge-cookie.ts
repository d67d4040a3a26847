import { createSecretKey } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { ReadyConfig } from '../../config';

/**
 * A short-lived signed note the browser carries between two steps of a sign-in (a passkey
 * challenge; an OpenID Connect state, nonce and PKCE verifier), so no server memory is needed
 * and any hub instance can finish what another began. HttpOnly: page scripts never see it.
 */
const AUDIENCE = 'hub-sign-in-step';
const TTL_SECONDS = 300;

function key(config: ReadyConfig) {
  if (!config.auth.jwtSecret) throw new Error('JWT_SECRET is needed for hub sign-in');
  return createSecretKey(new TextEncoder().encode(config.auth.jwtSecret));
}

export async function sealStep(
  config: ReadyConfig,
  purpose: string,
  values: Record<string, string>,
): Promise<string> {
  return new SignJWT({ ...values, purpose })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience(AUDIENCE)
    .setIssuer(config.auth.issuer)
    .setIssuedAt()
    .setExpirationTime(`${TTL_SECONDS}s`)
    .sign(key(config));
}

export async function openStep(
  config: ReadyConfig,
  purpose: string,
  sealed: string | undefined,
): Promise<Record<string, string> | null> {
  if (!sealed) return null;
  try {
    const { payload } = await jwtVerify(sealed, key(config), {
      audience: AUDIENCE,
      issuer: config.auth.issuer,
      algorithms: ['HS256'],
    });
    if (payload.purpose !== purpose) return null;
    return Object.fromEntries(
      Object.entries(payload).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
  } catch {
    return null;
  }
}

export const STEP_COOKIE_SECONDS = TTL_SECONDS;
