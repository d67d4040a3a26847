import type { EntityManager } from '@mikro-orm/postgresql';
import type { OidcProviderConfig } from './account-config';
import { loadOnFirstUse } from '../../common/load-on-first-use';

type OpenIdClient = typeof import('openid-client', { with: { 'resolution-mode': 'import' } });
type Configuration = import('openid-client', {
  with: { 'resolution-mode': 'import' },
}).Configuration;
/** ESM-only; only a hub with an OpenID Connect provider needs it (common/load-on-first-use). */
const openIdClient = loadOnFirstUse<OpenIdClient>('openid-client');
const oidc = async () => openIdClient();

const discovered = new Map<string, Promise<Configuration>>();

/** The provider's metadata, discovered once per provider and kept (a failure is retried). */
async function configurationOf(provider: OidcProviderConfig): Promise<Configuration> {
  const key = `${provider.issuer}|${provider.clientId}`;
  let found = discovered.get(key);
  if (!found) {
    const client = await oidc();
    const issuer = new URL(provider.issuer);
    found = client.discovery(
      issuer,
      provider.clientId,
      provider.clientSecret,
      provider.clientSecret ? undefined : client.None(),
      // Plain http only for a provider on this machine (development and tests).
      ['localhost', '127.0.0.1'].includes(issuer.hostname)
        ? { execute: [client.allowInsecureRequests] }
        : undefined,
    );
    discovered.set(key, found);
    found.catch(() => discovered.delete(key));
  }
  return found;
}

/** Where to send the browser, and what to keep (sealed in a cookie) until it comes back. */
export async function startOidc(
  provider: OidcProviderConfig,
  redirectUri: string,
): Promise<{ url: string; state: string; nonce: string; verifier: string }> {
  const client = await oidc();
  const config = await configurationOf(provider);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url: url.href, state, nonce, verifier };
}

/**
 * Exchanges the code (with the PKCE verifier), checks state, nonce and the ID token, and finds
 * the active hub user of the provider's agency whose externalSubject is the token's `sub`.
 */
export async function finishOidc(
  em: EntityManager,
  provider: OidcProviderConfig,
  callbackUrl: URL,
  kept: { state: string; nonce: string; verifier: string },
): Promise<string | null> {
  const client = await oidc();
  const config = await configurationOf(provider);
  const tokens = await client
    .authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: kept.verifier,
      expectedState: kept.state,
      expectedNonce: kept.nonce,
      idTokenExpected: true,
    })
    .catch(() => null);
  const subject = tokens?.claims()?.sub;
  if (!subject) return null;
  const [row] = await em.execute<Array<{ id: string }>>(
    `select u.id from app_user u join agency a on a.id = u.agency_id
      where u.external_subject = ? and u.agency_id = ?::uuid and u.active and a.active`,
    [subject, provider.agencyId],
  );
  return row?.id ?? null;
}
