import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { Role } from '../src/common/role';
import { createTokenVerifier, signUserToken } from '../src/auth/tokens';
import { User } from '../src/modules/agency/user.entity';
import { makeAgency, makeUser, naturalKind, unique } from './support/factories';
import { errorCodes, startTestHub, TEST_SECRETS, type TestHub } from './support/hub';

/**
 * An agency's own identity provider: tokens signed RS256 or ES256 with keys published as a JWKS
 * on a local HTTP server. The hub verifies them through JWT_JWKS_URL.
 */
interface IdentityProvider {
  url: string;
  sign(
    subject: string,
    options?: { key?: KeyLike; kid?: string; alg?: string; audience?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

async function startIdentityProvider(hubAuth: { issuer: string; audience: string }): Promise<{
  idp: IdentityProvider;
  rsa: KeyLike;
  ec: KeyLike;
  rsaPublicPem: string;
}> {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  const keys: JWK[] = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  const server: Server = createServer((req, res) => {
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const idp: IdentityProvider = {
    url: `http://127.0.0.1:${port}/jwks.json`,
    sign: (subject, options = {}) => {
      const alg = options.alg ?? 'RS256';
      return new SignJWT({})
        .setProtectedHeader({ alg, kid: options.kid ?? (alg === 'ES256' ? 'ec-1' : 'rsa-1') })
        .setSubject(subject)
        .setIssuer(hubAuth.issuer)
        .setAudience(options.audience ?? hubAuth.audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(options.key ?? (alg === 'ES256' ? ec.privateKey : rsa.privateKey));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return {
    idp,
    rsa: rsa.privateKey,
    ec: ec.privateKey,
    rsaPublicPem: await exportSPKI(rsa.publicKey),
  };
}

const ME = '{ me { kind role user { id } } }';
const AUTH = { issuer: 'overdose-response-hub', audience: 'overdose-response-hub', tokenTtl: '5m' };

/**
 * A user whose identity-provider subject is `subject`, as an agency admin would set it up. Made
 * without a hub token: a hub with JWKS only has no secret to sign one.
 */
async function userWithSubject(hub: TestHub, role: Role): Promise<{ id: string; subject: string }> {
  const agency = await makeAgency(hub, naturalKind(role));
  const subject = `idp|${unique()}`;
  const em = hub.em();
  const user = em.create(User, {
    agency: agency.id,
    role,
    displayName: `${role} ${unique()}`,
    email: `${unique()}@test.example`,
    externalSubject: subject,
  });
  await em.flush();
  return { id: user.id, subject };
}

describe('tokens from an identity provider (JWT_JWKS_URL)', () => {
  let provider: Awaited<ReturnType<typeof startIdentityProvider>>;
  beforeAll(async () => {
    provider = await startIdentityProvider(AUTH);
  });
  afterAll(() => provider.idp.close());

  const expectUnauthenticated = async (hub: TestHub, token: string) => {
    const response = await hub.gql(ME, {}, token);
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  };

  describe('with JWT_SECRET set as well (the hub CLI keeps signing HS256)', () => {
    let hub: TestHub;
    beforeAll(async () => {
      hub = await startTestHub({ JWT_JWKS_URL: provider.idp.url });
    });
    afterAll(() => hub.stop());

    it("accepts an RS256 token whose subject is a user's externalSubject", async () => {
      const officer = await userWithSubject(hub, Role.POLICE_OFFICER);
      const response = await hub.gql(ME, {}, await provider.idp.sign(officer.subject));
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({
        me: { kind: 'USER', role: 'POLICE_OFFICER', user: { id: officer.id } },
      });
    });

    it('accepts an ES256 token', async () => {
      const worker = await userWithSubject(hub, Role.OUTREACH_WORKER);
      const token = await provider.idp.sign(worker.subject, { alg: 'ES256' });
      const response = await hub.gql(ME, {}, token);
      expect(response.data).toEqual({
        me: { kind: 'USER', role: 'OUTREACH_WORKER', user: { id: worker.id } },
      });
    });

    it('refuses a token signed by another key under a published key id', async () => {
      const officer = await userWithSubject(hub, Role.POLICE_OFFICER);
      const stranger = await generateKeyPair('RS256');
      await expectUnauthenticated(
        hub,
        await provider.idp.sign(officer.subject, { key: stranger.privateKey }),
      );
    });

    it('refuses a token signed with a key id the provider does not publish', async () => {
      const officer = await userWithSubject(hub, Role.POLICE_OFFICER);
      const stranger = await generateKeyPair('RS256');
      await expectUnauthenticated(
        hub,
        await provider.idp.sign(officer.subject, { key: stranger.privateKey, kid: 'rsa-9' }),
      );
    });

    it('refuses a provider token meant for another audience', async () => {
      const officer = await userWithSubject(hub, Role.POLICE_OFFICER);
      await expectUnauthenticated(
        hub,
        await provider.idp.sign(officer.subject, { audience: 'another-service' }),
      );
    });

    it('refuses a provider token for a subject no user has', async () => {
      await expectUnauthenticated(hub, await provider.idp.sign(`idp|${unique()}`));
    });

    it("refuses an HS256 token keyed with the provider's public key (algorithm confusion)", async () => {
      const officer = await userWithSubject(hub, Role.POLICE_OFFICER);
      const forged = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
        .setSubject(officer.subject)
        .setIssuer(AUTH.issuer)
        .setAudience(AUTH.audience)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(provider.rsaPublicPem));
      await expectUnauthenticated(hub, forged);
    });

    it('still accepts the HS256 tokens the hub signs with JWT_SECRET', async () => {
      const officer = await makeUser(hub, Role.POLICE_OFFICER);
      const response = await hub.gql(ME, {}, officer.token);
      expect(response.data).toMatchObject({ me: { kind: 'USER', user: { id: officer.user.id } } });
    });
  });

  describe('with JWT_JWKS_URL only', () => {
    let hub: TestHub;
    beforeAll(async () => {
      hub = await startTestHub({ JWT_JWKS_URL: provider.idp.url, JWT_SECRET: '' });
    });
    afterAll(() => hub.stop());

    it("accepts the provider's tokens", async () => {
      const officer = await userWithSubject(hub, Role.POLICE_OFFICER);
      const response = await hub.gql(ME, {}, await provider.idp.sign(officer.subject));
      expect(response.data).toMatchObject({ me: { user: { id: officer.id } } });
    });

    it('refuses HS256 tokens, even one signed with the secret other hubs use', async () => {
      const officer = await userWithSubject(hub, Role.POLICE_OFFICER);
      const token = await signUserToken(
        { ...hub.config.auth, jwtSecret: TEST_SECRETS.JWT_SECRET },
        officer.id,
      );
      await expectUnauthenticated(hub, token);
    });
  });

  it('treats a provider that cannot be reached as a failure of the hub, not of the caller', async () => {
    // The hub answers that with INTERNAL_SERVER_ERROR and a request id (see
    // database-failure.test.ts); a 401 would make clients throw away good tokens.
    const verify = createTokenVerifier({ ...AUTH, jwksUrl: 'http://127.0.0.1:9/jwks.json' });
    await expect(verify(await provider.idp.sign('idp|anyone'))).rejects.toThrow();
  });
});
