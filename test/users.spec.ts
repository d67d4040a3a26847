import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { signUserToken } from '../src/auth/tokens';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { User } from '../src/modules/agency/user.entity';
import { makeAgency, makeUser, unique, type Actor } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';
import { dataOf, onlyError } from './support/http';

const USER_FIELDS = 'id email displayName role active externalSubject agency { id }';
const CREATE = `mutation ($input: CreateUserInput!) { createUser(input: $input) { ${USER_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateUserInput!) {
  updateUser(id: $id, input: $input) { ${USER_FIELDS} }
}`;
const DEACTIVATE = 'mutation ($id: ID!) { deactivateUser(id: $id) { id active } }';
const REACTIVATE = 'mutation ($id: ID!) { reactivateUser(id: $id) { id active } }';
const LIST = `query ($agencyId: ID, $all: Boolean) {
  agencyUsers(agencyId: $agencyId, includeInactive: $all) { id }
}`;
const ME = '{ me { role } }';

interface UserData {
  id: string;
  email: string;
  displayName: string;
  role: string;
  active: boolean;
  externalSubject: string | null;
  agency: { id: string };
}

describe('users of an agency', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const reload = (id: string) => hub.em().findOneOrFail(User, { id });
  const count = (where: Record<string, unknown>) => hub.em().count(User, where);
  const newUserInput = (overrides: Record<string, unknown> = {}) => ({
    email: `${unique()}@test.example`,
    displayName: `Dana ${unique()}`,
    role: 'OUTREACH_WORKER',
    ...overrides,
  });

  describe('an AGENCY_ADMIN', () => {
    let admin: Actor;
    let otherAgencyUser: Actor;
    beforeEach(async () => {
      admin = await makeUser(hub, Role.AGENCY_ADMIN);
      otherAgencyUser = await makeUser(hub, Role.OUTREACH_WORKER);
    });

    it('creates a user in its own agency, who can then sign in', async () => {
      const email = `Dana.${unique()}@Test.Example`;
      const { createUser } = dataOf(
        await hub.gql<{ createUser: UserData }>(
          CREATE,
          { input: newUserInput({ email, displayName: '  Dana  ' }) },
          admin.token,
        ),
      );
      expect(createUser).toEqual({
        id: expect.any(String),
        email: email.toLowerCase(),
        displayName: 'Dana',
        role: 'OUTREACH_WORKER',
        active: true,
        externalSubject: null,
        agency: { id: admin.agency.id },
      });
      const token = await signUserToken(hub.config.auth, createUser.id);
      expect(dataOf(await hub.gql(ME, {}, token))).toEqual({ me: { role: 'OUTREACH_WORKER' } });
    });

    it("refuses a role the agency's kind does not have, naming input.role, writing nothing", async () => {
      const input = newUserInput({ role: 'POLICE_OFFICER' });
      const error = onlyError(await hub.gql(CREATE, { input }, admin.token));
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', fields: ['input.role'] });
      expect(error.message).toMatch(/^Invalid input: input\.role: a HARM_REDUCTION agency/);
      expect(await count({ email: input.email })).toBe(0);
    });

    it('cannot grant HUB_ADMIN, even in an agency whose kind has it', async () => {
      const health = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH);
      const healthAdmin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: health });
      const input = newUserInput({ role: 'HUB_ADMIN' });
      expect(onlyError(await hub.gql(CREATE, { input }, healthAdmin.token))).toEqual({
        code: 'BAD_USER_INPUT',
        message: 'Invalid input: input.role: only a hub administrator can grant HUB_ADMIN',
        path: ['createUser'],
        fields: ['input.role'],
      });
      const analyst = await makeUser(hub, Role.ANALYST, { agency: health });
      const promote = await hub.gql(
        UPDATE,
        { id: analyst.user.id, input: { role: 'HUB_ADMIN' } },
        healthAdmin.token,
      );
      expect(onlyError(promote).fields).toEqual(['input.role']);
      expect(await count({ email: input.email })).toBe(0);
      expect((await reload(analyst.user.id)).role).toBe(Role.ANALYST);
    });

    it('cannot change or disable a hub administrator of its own agency', async () => {
      const health = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH);
      const healthAdmin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: health });
      const operator = await makeUser(hub, Role.HUB_ADMIN, { agency: health });
      const attempts = [
        [UPDATE, { id: operator.user.id, input: { externalSubject: `idp|${unique()}` } }],
        [UPDATE, { id: operator.user.id, input: { role: 'ANALYST' } }],
        [DEACTIVATE, { id: operator.user.id }],
      ] as const;
      for (const [query, variables] of attempts) {
        expect(onlyError(await hub.gql(query, variables, healthAdmin.token)).code).toBe(
          'FORBIDDEN',
        );
      }
      const reloaded = await reload(operator.user.id);
      expect([reloaded.role, reloaded.active, reloaded.externalSubject ?? null]).toEqual([
        Role.HUB_ADMIN,
        true,
        null,
      ]);
    });

    it('refuses an email already taken, in any letter case: CONFLICT naming neither', async () => {
      const email = `taken.${unique()}@test.example`;
      dataOf(await hub.gql(CREATE, { input: newUserInput({ email }) }, admin.token));
      const response = await hub.gql(
        CREATE,
        { input: newUserInput({ email: email.toUpperCase() }) },
        admin.token,
      );
      expect(onlyError(response)).toEqual({
        code: 'CONFLICT',
        message: 'A user with this email or external subject already exists',
        path: ['createUser'],
      });
      const body = JSON.stringify(response.errors);
      expect(body.toLowerCase()).not.toContain(email);
      expect(body).not.toMatch(/insert|duplicate key|app_user|constraint/i);
      expect(await count({ email })).toBe(1);
    });

    it('lists its own agency only, and inactive users only when asked', async () => {
      const colleague = await makeUser(hub, Role.OUTREACH_WORKER, { agency: admin.agency });
      const former = await makeUser(hub, Role.OUTREACH_WORKER, {
        agency: admin.agency,
        active: false,
      });
      const ids = async (all: boolean) =>
        dataOf(
          await hub.gql<{ agencyUsers: Array<{ id: string }> }>(LIST, { all }, admin.token),
        ).agencyUsers.map((u) => u.id);
      expect((await ids(false)).sort()).toEqual([admin.user.id, colleague.user.id].sort());
      expect((await ids(true)).sort()).toEqual(
        [admin.user.id, colleague.user.id, former.user.id].sort(),
      );
    });

    it("answers another agency's users exactly like a missing or malformed id", async () => {
      const answers = async (id: string) =>
        [
          await hub.gql(UPDATE, { id, input: { displayName: 'Taken over' } }, admin.token),
          await hub.gql(DEACTIVATE, { id }, admin.token),
          await hub.gql(REACTIVATE, { id }, admin.token),
        ].map(onlyError);
      const foreign = await answers(otherAgencyUser.user.id);
      expect(foreign.map((e) => [e.code, e.message])).toEqual([
        ['NOT_FOUND', 'User not found'],
        ['NOT_FOUND', 'User not found'],
        ['NOT_FOUND', 'User not found'],
      ]);
      expect(await answers(randomUUID())).toEqual(foreign);
      expect(await answers('not-a-uuid')).toEqual(foreign);
      const reloaded = await reload(otherAgencyUser.user.id);
      expect([reloaded.displayName, reloaded.active]).toEqual([
        otherAgencyUser.user.displayName,
        true,
      ]);
    });

    it('cannot list or add users of another agency: it answers like a missing agency', async () => {
      const listed = await hub.gql(LIST, { agencyId: otherAgencyUser.agency.id }, admin.token);
      const missing = await hub.gql(LIST, { agencyId: randomUUID() }, admin.token);
      expect(onlyError(listed)).toEqual(onlyError(missing));
      expect(onlyError(listed)).toMatchObject({ code: 'NOT_FOUND', message: 'Agency not found' });

      const input = newUserInput({ agencyId: otherAgencyUser.agency.id });
      const created = await hub.gql(CREATE, { input }, admin.token);
      expect(onlyError(created)).toMatchObject({ code: 'NOT_FOUND', message: 'Agency not found' });
      expect(await count({ email: input.email })).toBe(0);
    });

    it('cannot deactivate itself', async () => {
      const response = await hub.gql(DEACTIVATE, { id: admin.user.id }, admin.token);
      expect(onlyError(response)).toMatchObject({ code: 'BAD_USER_INPUT', fields: ['id'] });
      expect((await reload(admin.user.id)).active).toBe(true);
    });

    it('cannot change its own role', async () => {
      const response = await hub.gql(
        UPDATE,
        { id: admin.user.id, input: { role: 'ANALYST' } },
        admin.token,
      );
      expect(onlyError(response)).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: ['input.role'],
      });
      expect((await reload(admin.user.id)).role).toBe(Role.AGENCY_ADMIN);
    });

    it('changes a colleague: name, role within the kind, identity-provider subject', async () => {
      const colleague = await makeUser(hub, Role.OUTREACH_WORKER, { agency: admin.agency });
      const subject = `idp|${unique()}`;
      const { updateUser } = dataOf(
        await hub.gql<{ updateUser: UserData }>(
          UPDATE,
          {
            id: colleague.user.id,
            input: { displayName: 'Sam', role: 'ANALYST', externalSubject: subject },
          },
          admin.token,
        ),
      );
      expect(updateUser).toMatchObject({
        displayName: 'Sam',
        role: 'ANALYST',
        externalSubject: subject,
      });
      expect(dataOf(await hub.gql(ME, {}, colleague.token))).toEqual({ me: { role: 'ANALYST' } });
    });

    it('refuses an identity-provider subject another user has, and keeps the old one', async () => {
      const [first, second] = [
        await makeUser(hub, Role.OUTREACH_WORKER, { agency: admin.agency }),
        await makeUser(hub, Role.OUTREACH_WORKER, { agency: admin.agency }),
      ];
      const subject = `idp|${unique()}`;
      dataOf(
        await hub.gql(
          UPDATE,
          { id: first.user.id, input: { externalSubject: subject } },
          admin.token,
        ),
      );
      const response = await hub.gql(
        UPDATE,
        { id: second.user.id, input: { externalSubject: subject } },
        admin.token,
      );
      expect(onlyError(response).code).toBe('CONFLICT');
      expect(JSON.stringify(response.errors)).not.toContain(subject);
      expect((await reload(second.user.id)).externalSubject ?? null).toBeNull();
    });

    it("deactivating a user makes that user's next request UNAUTHENTICATED; reactivating undoes it", async () => {
      const colleague = await makeUser(hub, Role.OUTREACH_WORKER, { agency: admin.agency });
      expect(dataOf(await hub.gql(DEACTIVATE, { id: colleague.user.id }, admin.token))).toEqual({
        deactivateUser: { id: colleague.user.id, active: false },
      });
      const refused = await hub.gql(ME, {}, colleague.token);
      expect(refused.status).toBe(401);
      expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);

      dataOf(await hub.gql(REACTIVATE, { id: colleague.user.id }, admin.token));
      expect(dataOf(await hub.gql(ME, {}, colleague.token))).toEqual({
        me: { role: 'OUTREACH_WORKER' },
      });
    });
  });

  describe('the HUB_ADMIN', () => {
    let operator: Actor;
    beforeAll(async () => {
      operator = await makeUser(hub, Role.HUB_ADMIN);
    });

    it('creates a user in any agency it names', async () => {
      const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT);
      const { createUser } = dataOf(
        await hub.gql<{ createUser: UserData }>(
          CREATE,
          { input: newUserInput({ agencyId: police.id, role: 'POLICE_OFFICER' }) },
          operator.token,
        ),
      );
      expect(createUser).toMatchObject({ role: 'POLICE_OFFICER', agency: { id: police.id } });
    });

    it('must say which agency', async () => {
      const input = newUserInput();
      expect(onlyError(await hub.gql(CREATE, { input }, operator.token))).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: ['input.agencyId'],
      });
      expect(await count({ email: input.email })).toBe(0);
    });

    it('grants HUB_ADMIN in a public-health agency', async () => {
      const health = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH);
      const { createUser } = dataOf(
        await hub.gql<{ createUser: UserData }>(
          CREATE,
          { input: newUserInput({ agencyId: health.id, role: 'HUB_ADMIN' }) },
          operator.token,
        ),
      );
      expect(createUser.role).toBe('HUB_ADMIN');
    });

    it('lists the users of any agency', async () => {
      const medic = await makeUser(hub, Role.EMS_PROVIDER);
      const { agencyUsers } = dataOf(
        await hub.gql<{ agencyUsers: Array<{ id: string }> }>(
          LIST,
          { agencyId: medic.agency.id },
          operator.token,
        ),
      );
      expect(agencyUsers).toEqual([{ id: medic.user.id }]);
    });
  });
});
