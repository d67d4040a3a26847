import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Agency } from '../src/modules/agency/agency.entity';
import { User } from '../src/modules/agency/user.entity';
import { setDemoPasswords } from '../src/seed/demo-passwords';
import { auditRowsOf } from './support/audit';
import { startFakeIdp, type FakeIdp } from './support/fake-idp';
import { makeAgency, makeApiKey, makeUser, unique, type Actor } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';

/**
 * Sign-in at /auth (password with lockout, refresh rotation, sign-out, OpenID Connect with PKCE
 * against a fake provider) and the GraphQL side of sessions (sign out everywhere, an admin ending
 * a user's sessions or resetting a password, reminder settings), each allowed and denied.
 */
interface AuthAnswer {
  status: number;
  body: { accessToken?: string; expiresIn?: number; error?: { code: string; minutes?: number } };
  refresh?: string;
}

describe('sign-in and sessions', () => {
  let hub: TestHub;
  let base: string;
  let idp: FakeIdp;
  const idpAgencyId = randomUUID();

  beforeAll(async () => {
    idp = await startFakeIdp();
    hub = await startTestHub({
      SIGN_IN_MAX_FAILURES: '3',
      OIDC_PROVIDERS: JSON.stringify([
        { agencyId: idpAgencyId, label: 'County SSO', issuer: idp.issuer, clientId: idp.clientId },
      ]),
    });
    base = hub.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await hub.stop();
    await idp.stop();
  });

  const refreshOf = (res: Response) =>
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith('hub_refresh='))
      ?.split(';')[0]
      .slice('hub_refresh='.length);

  async function post(path: string, body: unknown, cookie?: string): Promise<AuthAnswer> {
    const res = await fetch(`${base}/auth${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(cookie ? { cookie: `hub_refresh=${cookie}` } : {}),
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as AuthAnswer['body'],
      refresh: refreshOf(res),
    };
  }

  async function withPassword(role = Role.OUTREACH_WORKER, agency?: Agency) {
    const actor = await makeUser(hub, role, agency ? { agency } : {});
    const [{ password }] = await setDemoPasswords(hub.em(), [
      { key: role, role, userId: actor.user.id, email: actor.user.email },
    ]);
    return { ...actor, password };
  }

  const me = (token: string) => hub.gql<{ me: { role: string } }>('{ me { role } }', {}, token);

  it('a right password signs in: a short access token that works, a refresh cookie', async () => {
    const worker = await withPassword();
    const answer = await post('/password', { email: worker.user.email, password: worker.password });
    expect(answer.status).toBe(200);
    expect(answer.body.expiresIn).toBe(600);
    expect(answer.refresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await me(answer.body.accessToken!)).data?.me.role).toBe('OUTREACH_WORKER');
    const [row] = await hub
      .em()
      .execute(
        `select count(*)::int as n from audit_event where action = 'SIGN_IN' and actor_user_id = ?`,
        [worker.user.id],
      );
    expect(row.n).toBe(1);
  });

  it('a wrong password and an unknown email get the same answer, and both are audited', async () => {
    const worker = await withPassword();
    const wrong = await post('/password', { email: worker.user.email, password: 'not-it-at-all' });
    const unknown = await post('/password', {
      email: `${unique()}@nowhere.example`,
      password: 'x',
    });
    expect([wrong.status, wrong.body]).toEqual([401, { error: { code: 'INVALID_CREDENTIALS' } }]);
    expect([unknown.status, unknown.body]).toEqual([
      401,
      { error: { code: 'INVALID_CREDENTIALS' } },
    ]);
    expect(wrong.refresh).toBeUndefined();
    const rows = await hub
      .em()
      .execute(
        `select error_code, outcome from audit_event where action = 'SIGN_IN_FAILED' and actor_user_id = ?`,
        [worker.user.id],
      );
    expect(rows).toEqual([{ error_code: 'WRONG_PASSWORD', outcome: 'DENIED' }]);
  });

  it('a missing field is named', async () => {
    const answer = await post('/password', { email: 'a@b.example' });
    expect([answer.status, answer.body]).toEqual([
      400,
      { error: { code: 'FIELD_REQUIRED', field: 'password' } },
    ]);
  });

  it('locks after repeated failures: even the right password is refused until the lock ends', async () => {
    const worker = await withPassword();
    for (let i = 0; i < 2; i++)
      expect(
        (await post('/password', { email: worker.user.email, password: 'wrong' })).status,
      ).toBe(401);
    const third = await post('/password', { email: worker.user.email, password: 'wrong' });
    expect([third.status, third.body.error?.code]).toEqual([423, 'LOCKED']);
    const right = await post('/password', { email: worker.user.email, password: worker.password });
    expect([right.status, right.body.error]).toEqual([423, { code: 'LOCKED', minutes: 15 }]);
    const locked = await hub
      .em()
      .execute(
        `select count(*)::int as n from audit_event where action = 'ACCOUNT_LOCKED' and actor_user_id = ?`,
        [worker.user.id],
      );
    expect(locked[0].n).toBe(1);
  });

  it('refresh rotates the token; a replayed old one ends the session for everyone holding it', async () => {
    const worker = await withPassword();
    const first = await post('/password', { email: worker.user.email, password: worker.password });
    const second = await post('/refresh', {}, first.refresh);
    expect(second.status).toBe(200);
    expect(second.refresh).not.toBe(first.refresh);
    expect((await me(second.body.accessToken!)).data?.me.role).toBe('OUTREACH_WORKER');

    const replay = await post('/refresh', {}, first.refresh);
    expect([replay.status, replay.body.error?.code]).toEqual([401, 'SESSION_ENDED']);
    // The thief's copy and the owner's both stop: the access token of the session too.
    expect((await post('/refresh', {}, second.refresh)).status).toBe(401);
    expect(errorCodes(await me(second.body.accessToken!))).toEqual(['UNAUTHENTICATED']);
    const reused = await hub
      .em()
      .execute(`select count(*)::int as n from audit_event where action = 'REFRESH_REUSED'`);
    expect(reused[0].n).toBeGreaterThanOrEqual(1);
  });

  it('sign-out ends this session: its access and refresh tokens stop at once', async () => {
    const worker = await withPassword();
    const session = await post('/password', {
      email: worker.user.email,
      password: worker.password,
    });
    expect((await post('/sign-out', {}, session.refresh)).status).toBe(200);
    expect(errorCodes(await me(session.body.accessToken!))).toEqual(['UNAUTHENTICATED']);
    expect((await post('/refresh', {}, session.refresh)).status).toBe(401);
  });

  it('a form post (not JSON) is refused', async () => {
    const res = await fetch(`${base}/auth/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a&password=b',
    });
    expect(res.status).toBe(415);
  });

  describe('signOutEverywhere', () => {
    const MUTATION = 'mutation { signOutEverywhere }';
    it('ends every session of the caller (allowed for a person)', async () => {
      const worker = await withPassword();
      const a = await post('/password', { email: worker.user.email, password: worker.password });
      const b = await post('/password', { email: worker.user.email, password: worker.password });
      const answer = await hub.gql<{ signOutEverywhere: number }>(MUTATION, {}, a.body.accessToken);
      expect(answer.data?.signOutEverywhere).toBe(2);
      expect(errorCodes(await me(b.body.accessToken!))).toEqual(['UNAUTHENTICATED']);
      expect((await post('/refresh', {}, b.refresh)).status).toBe(401);
    });
    it('is denied to an API key (no sessions to end)', async () => {
      const agency = await makeAgency(hub, AgencyKind.EMS);
      const key = await makeApiKey(hub, agency, Role.EMS_PROVIDER);
      const answer = await hub.gql(MUTATION, {}, key.key);
      expect(errorCodes(answer)).toEqual(['FORBIDDEN']);
    });
  });

  describe('an admin ends sessions and resets passwords', () => {
    let agency: Agency;
    let admin: Actor;
    beforeAll(async () => {
      agency = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency });
    });
    const END = 'mutation ($id: ID!) { endUserSessions(userId: $id) }';
    const RESET =
      'mutation ($id: ID!) { resetUserPassword(userId: $id) { temporaryPassword expiresAt } }';

    it("the agency's admin ends a worker's sessions (allowed)", async () => {
      const worker = await withPassword(Role.OUTREACH_WORKER, agency);
      const s = await post('/password', { email: worker.user.email, password: worker.password });
      const answer = await hub.gql<{ endUserSessions: number }>(
        END,
        { id: worker.user.id },
        admin.token,
      );
      expect(answer.data?.endUserSessions).toBe(1);
      expect(errorCodes(await me(s.body.accessToken!))).toEqual(['UNAUTHENTICATED']);
      const rows = await hub
        .em()
        .execute(
          `select outcome from audit_event where action = 'Mutation.endUserSessions' and actor_user_id = ?`,
          [admin.user.id],
        );
      expect(rows.length).toBeGreaterThanOrEqual(1);
    });

    it("another agency's admin gets NOT_FOUND; a worker is FORBIDDEN; nothing ends", async () => {
      const worker = await withPassword(Role.OUTREACH_WORKER, agency);
      const s = await post('/password', { email: worker.user.email, password: worker.password });
      const otherAdmin = await makeUser(hub, Role.AGENCY_ADMIN);
      expect(errorCodes(await hub.gql(END, { id: worker.user.id }, otherAdmin.token))).toEqual([
        'NOT_FOUND',
      ]);
      expect(errorCodes(await hub.gql(END, { id: worker.user.id }, worker.token))).toEqual([
        'FORBIDDEN',
      ]);
      expect(errorCodes(await hub.gql(RESET, { id: worker.user.id }, worker.token))).toEqual([
        'FORBIDDEN',
      ]);
      expect((await me(s.body.accessToken!)).data?.me.role).toBe('OUTREACH_WORKER');
    });

    it('a bad id is a BAD_USER_INPUT naming the field', async () => {
      const answer = await hub.gql(END, { id: 'nope' }, admin.token);
      expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(answer.errors)).toContain('userId');
    });

    it('a reset gives a temporary password that only lets the user choose a new one', async () => {
      const worker = await withPassword(Role.OUTREACH_WORKER, agency);
      const old = await post('/password', { email: worker.user.email, password: worker.password });
      const reset = await hub.gql<{ resetUserPassword: { temporaryPassword: string } }>(
        RESET,
        { id: worker.user.id },
        admin.token,
      );
      const temporary = reset.data!.resetUserPassword.temporaryPassword;
      expect(temporary).toHaveLength(16);
      expect(errorCodes(await me(old.body.accessToken!))).toEqual(['UNAUTHENTICATED']);
      const direct = await post('/password', { email: worker.user.email, password: temporary });
      expect([direct.status, direct.body.error?.code]).toEqual([403, 'PASSWORD_CHANGE_REQUIRED']);
      const weak = await post('/password/change', {
        email: worker.user.email,
        password: temporary,
        newPassword: 'short',
      });
      expect([weak.status, weak.body.error?.code]).toEqual([400, 'WEAK_PASSWORD']);
      const changed = await post('/password/change', {
        email: worker.user.email,
        password: temporary,
        newPassword: 'a long new passphrase',
      });
      expect(changed.status).toBe(200);
      expect((await me(changed.body.accessToken!)).data?.me.role).toBe('OUTREACH_WORKER');
      // The temporary password is spent.
      expect(
        (await post('/password', { email: worker.user.email, password: temporary })).status,
      ).toBe(401);
    });
  });

  describe('reminder settings', () => {
    const UPDATE = `mutation { updateNotificationSettings(input: { byEmail: true, language: "es" }) {
      byPush byEmail language pushDevices } }`;
    it('an outreach worker chooses email in Spanish (allowed)', async () => {
      const worker = await makeUser(hub, Role.OUTREACH_WORKER);
      const answer = await hub.gql<{ updateNotificationSettings: unknown }>(
        UPDATE,
        {},
        worker.token,
      );
      expect(answer.data?.updateNotificationSettings).toEqual({
        byPush: false,
        byEmail: true,
        language: 'es',
        pushDevices: 0,
      });
    });
    it('push cannot be chosen where the hub has no VAPID keys', async () => {
      const worker = await makeUser(hub, Role.OUTREACH_WORKER);
      const answer = await hub.gql(
        'mutation { updateNotificationSettings(input: { byPush: true }) { byPush } }',
        {},
        worker.token,
      );
      expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
    });
    it('a worker keeps and removes a push subscription; a police officer may not', async () => {
      const worker = await makeUser(hub, Role.OUTREACH_WORKER);
      const endpoint = `https://push.example/${unique()}`;
      const input = { endpoint, p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) };
      const save =
        'mutation ($input: PushSubscriptionInput!) { savePushSubscription(input: $input) }';
      expect((await hub.gql(save, { input }, worker.token)).data).toEqual({
        savePushSubscription: true,
      });
      const read = await hub.gql('{ myNotificationSettings { pushDevices } }', {}, worker.token);
      expect(read.data).toEqual({ myNotificationSettings: { pushDevices: 1 } });
      const officer = await makeUser(hub, Role.POLICE_OFFICER);
      expect(errorCodes(await hub.gql(save, { input }, officer.token))).toEqual(['FORBIDDEN']);
      const bad = await hub.gql(
        save,
        { input: { ...input, endpoint: 'http://plain.example/x' } },
        worker.token,
      );
      expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
      const remove = 'mutation ($e: String!) { removePushSubscription(endpoint: $e) }';
      expect(errorCodes(await hub.gql(remove, { e: endpoint }, officer.token))).toEqual([
        'FORBIDDEN',
      ]);
      expect((await hub.gql(remove, { e: endpoint }, worker.token)).data).toEqual({
        removePushSubscription: true,
      });
    });
    it('an analyst is denied', async () => {
      const analyst = await makeUser(hub, Role.ANALYST);
      expect(errorCodes(await hub.gql(UPDATE, {}, analyst.token))).toEqual(['FORBIDDEN']);
      expect(
        errorCodes(await hub.gql('{ myNotificationSettings { byEmail } }', {}, analyst.token)),
      ).toEqual(['FORBIDDEN']);
    });
  });

  describe('OpenID Connect (authorization code with PKCE)', () => {
    let agency: Agency;
    beforeAll(async () => {
      const em = hub.em();
      agency = em.create(Agency, {
        id: idpAgencyId,
        name: `SSO agency ${unique()}`,
        kind: AgencyKind.HARM_REDUCTION,
        serviceCounties: ['37021'],
      });
      await em.flush();
    });

    async function signInThroughIdp(subject: string) {
      idp.subject = subject;
      const start = await fetch(`${base}/auth/oidc/start?provider=${idpAgencyId}`, {
        redirect: 'manual',
      });
      expect(start.status).toBe(302);
      const step = start.headers.getSetCookie().find((c) => c.startsWith('hub_step='))!;
      expect(step).toContain('SameSite=Lax');
      const authorize = new URL(start.headers.get('location')!);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      const atIdp = await fetch(authorize, { redirect: 'manual' });
      const callback = await fetch(atIdp.headers.get('location')!, {
        redirect: 'manual',
        headers: { cookie: step.split(';')[0] },
      });
      return { callback, refresh: refreshOf(callback) };
    }

    it('signs in the user whose externalSubject the provider names, in that agency', async () => {
      const subject = `sub-${unique()}`;
      const em = hub.em();
      em.create(User, {
        agency: agency.id,
        role: Role.OUTREACH_WORKER,
        displayName: 'SSO worker',
        email: `${unique()}@test.example`,
        externalSubject: subject,
      });
      await em.flush();
      const { callback, refresh } = await signInThroughIdp(subject);
      expect([callback.status, callback.headers.get('location')]).toEqual([302, '/app/']);
      const session = await post('/refresh', {}, refresh);
      expect((await me(session.body.accessToken!)).data?.me.role).toBe('OUTREACH_WORKER');
      expect(idp.pkceFailures).toBe(0);
    });

    it('an unknown subject is refused and audited; the callback without its step cookie too', async () => {
      const { callback, refresh } = await signInThroughIdp(`nobody-${unique()}`);
      expect(callback.headers.get('location')).toBe('/app/#/sign-in?error=INVALID_CREDENTIALS');
      expect(refresh).toBeUndefined();
      const bare = await fetch(`${base}/auth/oidc/callback?code=x&state=y`, { redirect: 'manual' });
      expect(bare.headers.get('location')).toBe('/app/#/sign-in?error=STEP_EXPIRED');
    });

    it('the sign-in config lists the provider for the app', async () => {
      const config = (await (await fetch(`${base}/auth/config`)).json()) as {
        identityProviders: unknown;
      };
      expect(config.identityProviders).toEqual([{ id: idpAgencyId, label: 'County SSO' }]);
    });
  });

  it('every sign-in request is answered with no-store', async () => {
    const res = await fetch(`${base}/auth/config`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    await auditRowsOf(hub, null);
  });
});
