import { createSecretKey } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  SignJWT,
  type JWTVerifyGetKey,
} from 'jose';
import type { ReadyConfig } from '../config';

/**
 * Who a verified token names. A token the hub signed itself names a user by id; one from an
 * agency's identity provider names them by the subject that provider uses (User.externalSubject).
 * Kept apart so that no external subject can ever be taken for another user's id.
 */
export interface TokenSubject {
  subject: string;
  issuedBy: 'HUB' | 'IDENTITY_PROVIDER';
  /** A sign-in session (src/modules/account) the token belongs to: it must still be open. */
  sessionId?: string;
}

export type TokenVerifier = (token: string) => Promise<TokenSubject | null>;

const HMAC_ALGORITHMS = ['HS256'];
const JWKS_ALGORITHMS = ['RS256', 'ES256'];

/**
 * Returns the token's subject and who signed it, or null for any token that is malformed, badly signed, expired,
 * or meant for another issuer or audience. Why a token failed is not told to the caller.
 *
 * With both JWT_JWKS_URL and JWT_SECRET set, both kinds of token are accepted: the agency's
 * identity provider signs RS256/ES256 and the hub's own CLI keeps signing HS256. The header's
 * `alg` picks the key source, and each source accepts only its own algorithms, so a public key
 * can never be used as an HMAC secret.
 */
export function createTokenVerifier(auth: ReadyConfig['auth']): TokenVerifier {
  const jwks: JWTVerifyGetKey | undefined = auth.jwksUrl
    ? createRemoteJWKSet(new URL(auth.jwksUrl))
    : undefined;
  // A KeyObject made once: given the raw bytes, jose would build one for every request.
  const secret = auth.jwtSecret
    ? createSecretKey(new TextEncoder().encode(auth.jwtSecret))
    : undefined;

  return async (token) => {
    const options = { issuer: auth.issuer, audience: auth.audience };
    try {
      const useSecret =
        secret && (!jwks || HMAC_ALGORITHMS.includes(String(decodeProtectedHeader(token).alg)));
      const { payload } = useSecret
        ? await jwtVerify(token, secret, { ...options, algorithms: HMAC_ALGORITHMS })
        : await jwtVerify(token, jwks!, { ...options, algorithms: JWKS_ALGORITHMS });
      if (typeof payload.sub !== 'string' || payload.sub.length === 0) return null;
      const sessionId = useSecret && typeof payload.sid === 'string' ? payload.sid : undefined;
      return { subject: payload.sub, issuedBy: useSecret ? 'HUB' : 'IDENTITY_PROVIDER', sessionId };
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return null;
      throw error;
    }
  };
}

/** Signs an HS256 token for a hub user (CLI and demo data); agencies with an IdP use their own. */
export async function signUserToken(
  auth: ReadyConfig['auth'],
  userId: string,
  ttl = auth.tokenTtl,
  sessionId?: string,
): Promise<string> {
  if (!auth.jwtSecret)
    throw new Error('JWT_SECRET is not set; tokens come from the identity provider');
  return new SignJWT(sessionId ? { sid: sessionId } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(auth.jwtSecret));
}
