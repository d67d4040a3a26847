import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Viewer } from '../../auth/viewer';
import { recordAuditEvent } from '../audit/audit-writer';
import { User } from '../agency/user.entity';
import { PasskeyCredential } from './account.entities';
import { AccountAction } from './account-codes';
import { loadOnFirstUse } from '../../common/load-on-first-use';

/** Only passkey sign-in needs it (about 300 modules). */
const webauthn = loadOnFirstUse<typeof import('@simplewebauthn/server')>('@simplewebauthn/server');

/** The relying party: the host name and origin the browser shows; passkeys are bound to it. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export async function registrationOptions(
  em: EntityManager,
  rp: RelyingParty,
  viewer: Viewer,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const user = await em.findOneOrFail(User, { id: viewer.userId! });
  const existing = await em.find(PasskeyCredential, { user: user.id });
  return webauthn().generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({
      id: c.credentialId,
      transports: c.transports as AuthenticatorTransport[],
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  });
}

export async function finishRegistration(
  em: EntityManager,
  rp: RelyingParty,
  viewer: Viewer,
  response: RegistrationResponseJSON,
  expectedChallenge: string,
  requestId: string,
): Promise<boolean> {
  const result = await webauthn()
    .verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    })
    .catch(() => null);
  if (!result?.verified || !result.registrationInfo) return false;
  const { credential } = result.registrationInfo;
  em.create(PasskeyCredential, {
    user: viewer.userId!,
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: credential.transports ?? [],
  });
  await em.flush();
  await recordAuditEvent(em, { viewer, action: AccountAction.PASSKEY_REGISTERED, requestId });
  return true;
}

export async function authenticationOptions(
  rp: RelyingParty,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  // Discoverable credentials: the browser offers the passkeys it holds; no email is asked first,
  // so nobody can learn from this step which accounts exist.
  return webauthn().generateAuthenticationOptions({ rpID: rp.id, userVerification: 'preferred' });
}

/** The user id of a verified passkey assertion, or null. The signature counter moves forward. */
export async function finishAuthentication(
  em: EntityManager,
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
): Promise<string | null> {
  if (typeof response?.id !== 'string') return null;
  const stored = await em.findOne(PasskeyCredential, { credentialId: response.id });
  if (!stored) return null;
  const result = await webauthn()
    .verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
      credential: {
        id: stored.credentialId,
        publicKey: new Uint8Array(Buffer.from(stored.publicKey, 'base64url')),
        counter: Number(stored.counter),
        transports: stored.transports as AuthenticatorTransport[],
      },
    })
    .catch(() => null);
  if (!result?.verified) return null;
  stored.counter = result.authenticationInfo.newCounter;
  stored.lastUsedAt = new Date();
  await em.flush();
  return stored.user.id;
}
