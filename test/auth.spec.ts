import { SignJWT } from 'jose';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { signUserToken } from '../src/auth/tokens';
import { User } from '../src/modules/agency/user.entity';
import { makeAgency, makeApiKey, makeUser } from './support/factories';
import { errorCodes, startTestHub, TEST_SECRETS, type TestHub } from './support/hub';

const ME = '{ me { kind role agency { id } } }';

describe('authentication', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const expectUnauthenticated = async (credential?: string) => {
    const response = await hub.gql(ME, {}, credential);
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.data ?? null).toBeNull();
  };

  it('answers a valid user token with the role and agency from the database', async () => {
    const officer = await makeUser(hub, Role.POLICE_OFFICER);
    const response = await hub.gql(ME, {}, officer.token);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      me: { kind: 'USER', role: 'POLICE_OFFICER', agency: { id: officer.agency.id } },
    });
  });

  it('refuses a request without a token', async () => {
    await expectUnauthenticated();
  });

  it('refuses a malformed token', async () => {
    await expectUnauthenticated('not-a-jwt');
  });

  it('refuses a token signed with another secret', async () => {
    const officer = await makeUser(hub, Role.POLICE_OFFICER);
    const forged = await signUserToken(
      { ...hub.config.auth, jwtSecret: 'another-secret-0123456789-abcdefghijklmnopqrstuvwxyz' },
      officer.user.id,
    );
    await expectUnauthenticated(forged);
  });

  it('refuses an expired token', async () => {
    const officer = await makeUser(hub, Role.POLICE_OFFICER);
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(officer.user.id)
      .setIssuer(hub.config.auth.issuer)
      .setAudience(hub.config.auth.audience)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_SECRETS.JWT_SECRET));
    await expectUnauthenticated(expired);
  });

  it('refuses a token for another audience', async () => {
    const officer = await makeUser(hub, Role.POLICE_OFFICER);
    const token = await signUserToken(
      { ...hub.config.auth, audience: 'someone-else' },
      officer.user.id,
    );
    await expectUnauthenticated(token);
  });

  it('refuses a token with an unsigned (alg none) header', async () => {
    const officer = await makeUser(hub, Role.POLICE_OFFICER);
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({
        sub: officer.user.id,
        iss: hub.config.auth.issuer,
        aud: hub.config.auth.audience,
      }),
    ).toString('base64url');
    await expectUnauthenticated(`${header}.${payload}.`);
  });

  it('takes a hub-signed token to name a user by id only, never by an external subject', async () => {
    const operator = await makeUser(hub, Role.HUB_ADMIN, {
      agency: await makeAgency(hub, AgencyKind.PUBLIC_HEALTH),
    });
    // Another agency's admin gives one of its users the operator's id as "external subject".
    const impostor = await makeUser(hub, Role.POLICE_OFFICER);
    const em = hub.em();
    const row = await em.findOneOrFail(User, impostor.user.id);
    row.externalSubject = operator.user.id;
    await em.flush();
    for (let i = 0; i < 5; i++) {
      const response = await hub.gql<{ me: { role: string; user: { id: string } } }>(
        '{ me { role user { id } } }',
        {},
        operator.token,
      );
      expect(response.data?.me).toEqual({ role: 'HUB_ADMIN', user: { id: operator.user.id } });
    }
  });

  it('refuses a token for an unknown user', async () => {
    const token = await signUserToken(hub.config.auth, '00000000-0000-4000-8000-000000000000');
    await expectUnauthenticated(token);
  });

  it('refuses an inactive user', async () => {
    const officer = await makeUser(hub, Role.POLICE_OFFICER, { active: false });
    await expectUnauthenticated(officer.token);
  });

  it('refuses a user of a deactivated agency', async () => {
    const agency = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { active: false });
    const officer = await makeUser(hub, Role.POLICE_OFFICER, { agency });
    await expectUnauthenticated(officer.token);
  });

  it('accepts an API key and records when it was last used', async () => {
    const agency = await makeAgency(hub, AgencyKind.EMS);
    const { apiKey, key } = await makeApiKey(hub, agency, Role.EMS_PROVIDER);
    const response = await hub.gql(ME, {}, key);
    expect(response.data).toEqual({
      me: { kind: 'API_KEY', role: 'EMS_PROVIDER', agency: { id: agency.id } },
    });
    const reloaded = await hub.em().findOneOrFail('ApiKey', { id: apiKey.id });
    expect((reloaded as { lastUsedAt?: Date }).lastUsedAt).toBeInstanceOf(Date);
  });

  it('refuses a revoked API key', async () => {
    const agency = await makeAgency(hub, AgencyKind.EMS);
    const { key } = await makeApiKey(hub, agency, Role.EMS_PROVIDER, { revoked: true });
    await expectUnauthenticated(key);
  });

  it('refuses an API key whose secret part was altered', async () => {
    const agency = await makeAgency(hub, AgencyKind.EMS);
    const { key } = await makeApiKey(hub, agency, Role.EMS_PROVIDER);
    const tampered = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expectUnauthenticated(tampered);
  });

  it('answers a wrong role with FORBIDDEN at that field and keeps the rest', async () => {
    const officer = await makeUser(hub, Role.POLICE_OFFICER);
    const response = await hub.gql('{ me { role } agencies { id } }', {}, officer.token);
    expect(response.data).toEqual({ me: { role: 'POLICE_OFFICER' }, agencies: null });
    expect(response.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['agencies'], 'FORBIDDEN'],
    ]);
  });
});
