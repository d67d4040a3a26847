import { randomUUID } from 'node:crypto';
import { ALL_ROLES, Role } from '../src/common/role';
import type { Context } from '../src/context';
import type { Viewer } from '../src/auth/viewer';
import { Agency } from '../src/modules/agency/agency.entity';
import { ApiKey } from '../src/modules/agency/api-key.entity';
import { User } from '../src/modules/agency/user.entity';
import { agencyPermissions } from '../src/modules/agency/agency.permissions';
import { PERMISSIONS } from '../src/permissions';
import type { Access } from '../src/permissions/access';
import { makeAgency, makeApiKey, makeUser, naturalKind, unique } from './support/factories';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { errorsAt } from './support/http';

/**
 * One row per field of the agency module: an operation that reaches the field, a caller allowed
 * to see it (the value comes back) and a caller denied it (null and FORBIDDEN at that path, the
 * rest of the response intact, nothing written). Where no agency query lets a denied caller reach
 * the field, `denied` says why and the rule itself is checked below.
 */
interface Caller {
  role: Role;
  /** Call with an API key of that role instead of a user token. */
  apiKey?: boolean;
}

interface Who {
  credential: string;
  agency: Agency;
  userId?: string;
  apiKeyId?: string;
}

interface Prepared {
  variables?: Record<string, unknown>;
  /** After a denied call: the database still holds what it held before. */
  unchanged?: () => Promise<void>;
}

interface Row {
  field: string;
  query: string;
  path: Array<string | number>;
  /** Paths that must still hold a value when `path` is denied. */
  intact: Array<Array<string | number>>;
  allowed: Caller;
  denied: Caller | string;
  prepare?: (hub: TestHub, who: Who) => Promise<Prepared>;
}

const OPEN = 'open to every authenticated caller (no credentials: see auth.spec.ts)';
const ME_ROLE = [['me', 'role']];
const MUTATION = [['__typename']];

/** Sets a user's identity-provider subject, so that `externalSubject` has a value to return. */
const withSubject = async (hub: TestHub, userId: string) => {
  await hub.em().nativeUpdate(User, { id: userId }, { externalSubject: `idp|${unique()}` });
};

const colleague = async (hub: TestHub, who: Who, active = true) => {
  const em = hub.em();
  const user = em.create(User, {
    agency: who.agency.id,
    role: Role.ANALYST,
    displayName: `Colleague ${unique()}`,
    email: `${unique()}@test.example`,
    active,
  });
  await em.flush();
  return user;
};

/** A leaf, or the id of an object field. */
const select = (field: string) => (field === 'agency' ? 'agency { id }' : field);

const userField = (field: string): Row => ({
  field: `User.${field}`,
  query: `{ me { user { ${select(field)} } } }`,
  path: ['me', 'user', field],
  intact: [],
  allowed: { role: Role.POLICE_OFFICER },
  denied: 'non-admins reach only their own account through the agency API',
});

const apiKeyField = (field: string): Row => ({
  field: `ApiKey.${field}`,
  query: `{ me { apiKey { ${select(field)} } } }`,
  path: ['me', 'apiKey', field],
  intact: [],
  allowed: { role: Role.EMS_PROVIDER, apiKey: true },
  denied: 'non-admins reach only their own key through the agency API',
});

const ROWS: Row[] = [
  // Query
  {
    field: 'Query.me',
    query: '{ me { role } }',
    path: ['me'],
    intact: [],
    allowed: { role: Role.RESEARCHER },
    denied: OPEN,
  },
  {
    field: 'Query.agencies',
    query: '{ me { role } agencies { id } }',
    path: ['agencies'],
    intact: ME_ROLE,
    allowed: { role: Role.HUB_ADMIN },
    denied: { role: Role.AGENCY_ADMIN },
  },
  {
    field: 'Query.agency',
    query: 'query ($id: ID!) { me { role } agency(id: $id) { id } }',
    path: ['agency'],
    intact: ME_ROLE,
    allowed: { role: Role.HUB_ADMIN },
    denied: { role: Role.AGENCY_ADMIN },
    prepare: async (_hub, who) => ({ variables: { id: who.agency.id } }),
  },
  {
    field: 'Query.agencyUsers',
    query: '{ me { role } agencyUsers { id } }',
    path: ['agencyUsers'],
    intact: ME_ROLE,
    allowed: { role: Role.AGENCY_ADMIN },
    denied: { role: Role.OUTREACH_WORKER },
  },
  {
    field: 'Query.apiKeys',
    query: '{ me { role } apiKeys { id } }',
    path: ['apiKeys'],
    intact: ME_ROLE,
    allowed: { role: Role.AGENCY_ADMIN },
    denied: { role: Role.EMS_PROVIDER },
  },
  // Mutation
  {
    field: 'Mutation.createAgency',
    query: `mutation ($name: String!) {
      __typename
      createAgency(input: { name: $name, kind: EMS, serviceCounties: ["37021"] }) { id }
    }`,
    path: ['createAgency'],
    intact: MUTATION,
    allowed: { role: Role.HUB_ADMIN },
    denied: { role: Role.AGENCY_ADMIN },
    prepare: async (hub) => {
      const name = `New agency ${unique()}`;
      return {
        variables: { name },
        unchanged: async () => expect(await hub.em().count(Agency, { name })).toBe(0),
      };
    },
  },
  {
    field: 'Mutation.updateAgency',
    query: `mutation ($id: ID!) {
      __typename
      updateAgency(id: $id, input: { name: "Renamed ${unique()}" }) { id }
    }`,
    path: ['updateAgency'],
    intact: MUTATION,
    allowed: { role: Role.HUB_ADMIN },
    // Even its own agency.
    denied: { role: Role.AGENCY_ADMIN },
    prepare: async (hub, who) => ({
      variables: { id: who.agency.id },
      unchanged: async () =>
        expect((await hub.em().findOneOrFail(Agency, { id: who.agency.id })).name).toBe(
          who.agency.name,
        ),
    }),
  },
  {
    field: 'Mutation.setCaseDefinition',
    query: `mutation {
      __typename
      setCaseDefinition(definition: ALL_DRUG_OVERDOSE) { id }
    }`,
    path: ['setCaseDefinition'],
    intact: MUTATION,
    // Its own agency's definition; the hub admin may name any agency.
    allowed: { role: Role.AGENCY_ADMIN },
    denied: { role: Role.OUTREACH_WORKER },
    prepare: async (hub, who) => ({
      unchanged: async () =>
        expect((await hub.em().findOneOrFail(Agency, { id: who.agency.id })).caseDefinition).toBe(
          'OPIOID_OVERDOSE',
        ),
    }),
  },
  {
    field: 'Mutation.setVisitPolicy',
    query: `mutation {
      __typename
      setVisitPolicy(refuseUniformedOfficers: true) { id }
    }`,
    path: ['setVisitPolicy'],
    intact: MUTATION,
    // Its own agency's policy; the hub admin may name any agency.
    allowed: { role: Role.AGENCY_ADMIN },
    denied: { role: Role.OUTREACH_WORKER },
    prepare: async (hub, who) => ({
      unchanged: async () =>
        expect(
          (await hub.em().findOneOrFail(Agency, { id: who.agency.id })).refuseUniformedOfficers,
        ).toBe(false),
    }),
  },
  {
    field: 'Mutation.setFamilySupport',
    query: `mutation {
      __typename
      setFamilySupport(offers: true) { id offersFamilySupport }
    }`,
    path: ['setFamilySupport'],
    intact: MUTATION,
    // Its own agency; the hub admin may name any agency.
    allowed: { role: Role.AGENCY_ADMIN },
    denied: { role: Role.OUTREACH_WORKER },
    prepare: async (hub, who) => ({
      unchanged: async () =>
        expect(
          (await hub.em().findOneOrFail(Agency, { id: who.agency.id })).offersFamilySupport,
        ).toBe(false),
    }),
  },
  {
    field: 'Mutation.deactivateAgency',
    query: 'mutation ($id: ID!) { __typename deactivateAgency(id: $id) { id } }',
    path: ['deactivateAgency'],
    intact: MUTATION,
    allowed: { role: Role.HUB_ADMIN },
    denied: { role: Role.AGENCY_ADMIN },
    prepare: async (hub) => {
      const target = await makeAgency(hub, naturalKind(Role.EMS_PROVIDER));
      return {
        variables: { id: target.id },
        unchanged: async () =>
          expect((await hub.em().findOneOrFail(Agency, { id: target.id })).active).toBe(true),
      };
    },
  },
  {
    field: 'Mutation.reactivateAgency',
    query: 'mutation ($id: ID!) { __typename reactivateAgency(id: $id) { id } }',
    path: ['reactivateAgency'],
    intact: MUTATION,
    allowed: { role: Role.HUB_ADMIN },
    denied: { role: Role.AGENCY_ADMIN },
    prepare: async (hub) => {
      const target = await makeAgency(hub, naturalKind(Role.EMS_PROVIDER), { active: false });
      return {
        variables: { id: target.id },
        unchanged: async () =>
          expect((await hub.em().findOneOrFail(Agency, { id: target.id })).active).toBe(false),
      };
    },
  },
  {
    field: 'Mutation.createUser',
    query: `mutation ($email: String!) {
      __typename
      createUser(input: { email: $email, displayName: "New colleague", role: ANALYST }) { id }
    }`,
    path: ['createUser'],
    intact: MUTATION,
    allowed: { role: Role.AGENCY_ADMIN },
    denied: { role: Role.OUTREACH_WORKER },
    prepare: async (hub) => {
      const email = `${unique()}@test.example`;
      return {
        variables: { email },
        unchanged: async () => expect(await hub.em().count(User, { email })).toBe(0),
      };
    },
  },
  ...(['updateUser', 'deactivateUser', 'reactivateUser'] as const).map((mutation): Row => ({
    field: `Mutation.${mutation}`,
    query:
      mutation === 'updateUser'
        ? `mutation ($id: ID!) {
              __typename
              updateUser(id: $id, input: { displayName: "Renamed" }) { id }
            }`
        : `mutation ($id: ID!) { __typename ${mutation}(id: $id) { id } }`,
    path: [mutation],
    intact: MUTATION,
    allowed: { role: Role.AGENCY_ADMIN },
    denied: { role: Role.POLICE_OFFICER },
    prepare: async (hub, who) => {
      const user = await colleague(hub, who, mutation !== 'reactivateUser');
      return {
        variables: { id: user.id },
        unchanged: async () => {
          const reloaded = await hub.em().findOneOrFail(User, { id: user.id });
          expect([reloaded.displayName, reloaded.active]).toEqual([user.displayName, user.active]);
        },
      };
    },
  })),
  {
    field: 'Mutation.createApiKey',
    query: `mutation ($label: String!) {
      __typename
      createApiKey(input: { label: $label, role: ANALYST }) { key }
    }`,
    path: ['createApiKey'],
    intact: MUTATION,
    allowed: { role: Role.AGENCY_ADMIN },
    denied: { role: Role.EMS_PROVIDER },
    prepare: async (hub) => {
      const label = `Key ${unique()}`;
      return {
        variables: { label },
        unchanged: async () => expect(await hub.em().count(ApiKey, { label })).toBe(0),
      };
    },
  },
  {
    field: 'Mutation.revokeApiKey',
    query: 'mutation ($id: ID!) { __typename revokeApiKey(id: $id) { id } }',
    path: ['revokeApiKey'],
    intact: MUTATION,
    allowed: { role: Role.AGENCY_ADMIN },
    denied: { role: Role.POLICE_OFFICER },
    prepare: async (hub, who) => {
      const { apiKey } = await makeApiKey(hub, who.agency, Role.ANALYST);
      return {
        variables: { id: apiKey.id },
        unchanged: async () =>
          expect((await hub.em().findOneOrFail(ApiKey, { id: apiKey.id })).revokedAt).toBeFalsy(),
      };
    },
  },
  // Me
  ...(['kind', 'role'] as const).map((field): Row => ({
    field: `Me.${field}`,
    query: `{ me { ${field} } }`,
    path: ['me', field],
    intact: [],
    allowed: { role: Role.ANALYST },
    denied: OPEN,
  })),
  {
    field: 'Me.agency',
    query: '{ me { agency { id } } }',
    path: ['me', 'agency'],
    intact: [],
    allowed: { role: Role.LEAD_CASE_MANAGER },
    denied: OPEN,
  },
  {
    field: 'Me.user',
    query: '{ me { user { id } } }',
    path: ['me', 'user'],
    intact: [],
    allowed: { role: Role.OUTREACH_WORKER },
    denied: OPEN,
  },
  {
    field: 'Me.apiKey',
    query: '{ me { apiKey { id } } }',
    path: ['me', 'apiKey'],
    intact: [],
    allowed: { role: Role.POLICE_OFFICER, apiKey: true },
    denied: OPEN,
  },
  // Agency: the directory is open; administrative details are for admins.
  ...(
    [
      'id',
      'name',
      'kind',
      'serviceCounties',
      'caseDefinition',
      'runsFollowUp',
      'offersFamilySupport',
    ] as const
  ).map((field): Row => ({
    field: `Agency.${field}`,
    query: `{ me { agency { ${field} } } }`,
    path: ['me', 'agency', field],
    intact: [],
    allowed: { role: Role.POLICE_OFFICER },
    denied: OPEN,
  })),
  ...(['part2Program', 'active', 'createdAt', 'updatedAt', 'refuseUniformedOfficers'] as const).map(
    (field): Row => ({
      field: `Agency.${field}`,
      query: `{ me { role agency { id ${field} } } }`,
      path: ['me', 'agency', field],
      intact: [
        ['me', 'role'],
        ['me', 'agency', 'id'],
      ],
      allowed: { role: Role.AGENCY_ADMIN },
      denied: { role: Role.OUTREACH_WORKER },
    }),
  ),
  // User: the caller's own account, or an admin's view of its agency.
  ...['id', 'displayName', 'email', 'role', 'active', 'agency', 'createdAt'].map(userField),
  {
    field: 'User.externalSubject',
    query: '{ me { user { id externalSubject } } }',
    path: ['me', 'user', 'externalSubject'],
    intact: [['me', 'user', 'id']],
    allowed: { role: Role.AGENCY_ADMIN },
    // Not even their own: it is how the identity provider names them, an admin's business.
    denied: { role: Role.POLICE_OFFICER },
    prepare: async (hub, who) => {
      await withSubject(hub, who.userId!);
      return {};
    },
  },
  // ApiKey: the calling key itself, or an admin's view of its agency.
  ...['id', 'label', 'role', 'prefix', 'agency', 'createdAt', 'lastUsedAt'].map(apiKeyField),
  {
    field: 'ApiKey.revokedAt',
    query: '{ apiKeys(includeRevoked: true) { revokedAt } }',
    path: ['apiKeys', 0, 'revokedAt'],
    intact: [],
    allowed: { role: Role.AGENCY_ADMIN },
    denied: 'non-admins reach only their own key, which cannot be revoked while in use',
    prepare: async (hub, who) => {
      await makeApiKey(hub, who.agency, Role.ANALYST, { revoked: true });
      return {};
    },
  },
  // CreatedApiKey: only ever returned by createApiKey, which is for admins.
  {
    field: 'CreatedApiKey.apiKey',
    query: 'mutation { createApiKey(input: { label: "Key", role: ANALYST }) { apiKey { id } } }',
    path: ['createApiKey', 'apiKey'],
    intact: [],
    allowed: { role: Role.AGENCY_ADMIN },
    denied: 'only createApiKey returns it, and that mutation is for admins',
  },
  {
    field: 'CreatedApiKey.key',
    query: 'mutation { createApiKey(input: { label: "Key", role: ANALYST }) { key } }',
    path: ['createApiKey', 'key'],
    intact: [],
    allowed: { role: Role.AGENCY_ADMIN },
    denied: 'only createApiKey returns it, and that mutation is for admins',
  },
];

const valueAt = (data: unknown, path: Array<string | number>): unknown =>
  path.reduce<unknown>(
    (value, key) => (value == null ? value : (value as Record<string, unknown>)[key]),
    data,
  );

/** Would the rule let this viewer read the field of `parent`? */
async function allows(access: Access, viewer: Viewer, parent: unknown): Promise<boolean> {
  if (!access.roles.includes(viewer.role)) return false;
  return access.check ? access.check(parent, { viewer } as Context) : true;
}

describe('agency module field permissions', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const become = async (caller: Caller): Promise<Who> => {
    if (caller.apiKey) {
      const agency = await makeAgency(hub, naturalKind(caller.role));
      const { apiKey, key } = await makeApiKey(hub, agency, caller.role);
      return { credential: key, agency, apiKeyId: apiKey.id };
    }
    const actor = await makeUser(hub, caller.role);
    return { credential: actor.token, agency: actor.agency, userId: actor.user.id };
  };

  const call = async (row: Row, caller: Caller) => {
    const who = await become(caller);
    const prepared = (await row.prepare?.(hub, who)) ?? {};
    const response: GraphQLResponse = await hub.gql(
      row.query,
      prepared.variables ?? {},
      who.credential,
    );
    return { response, prepared };
  };

  it('has a row for every field the agency module declares a rule for', () => {
    const declared = Object.entries(agencyPermissions).flatMap(([type, rules]) =>
      Object.keys(rules).map((field) => `${type}.${field}`),
    );
    expect(ROWS.map((r) => r.field).sort()).toEqual(declared.sort());
  });

  describe.each(ROWS.map((row) => [row.field, row] as const))('%s', (_field, row) => {
    it(`returns the value to ${row.allowed.role}${row.allowed.apiKey ? ' (API key)' : ''}`, async () => {
      const { response } = await call(row, row.allowed);
      expect(response.errors).toBeUndefined();
      expect(valueAt(response.data, row.path)).not.toBeNull();
      expect(valueAt(response.data, row.path)).not.toBeUndefined();
    });

    const denied = row.denied;
    if (denied === OPEN) {
      it('is open to every role', () => {
        const [type, field] = row.field.split('.');
        expect([...PERMISSIONS[type][field].roles].sort()).toEqual([...ALL_ROLES].sort());
      });
    } else if (typeof denied !== 'string') {
      it(`answers ${denied.role} with null and FORBIDDEN at ${row.path.join('.')}, rest intact`, async () => {
        const { response, prepared } = await call(row, denied);
        expect(valueAt(response.data, row.path)).toBeNull();
        expect(errorsAt(response)).toEqual([[row.path, 'FORBIDDEN']]);
        for (const path of row.intact) expect(valueAt(response.data, path)).not.toBeNull();
        await prepared.unchanged?.();
      });
    }
    // The remaining rows are checked against the rule itself below.
  });

  it.each(ALL_ROLES)('answers me for %s', async (role) => {
    const { response } = await call(ROWS[0], { role });
    expect(response.data).toEqual({ me: { role } });
  });

  describe('rules no agency query lets a denied caller reach', () => {
    const someone = (role: Role): Viewer => ({
      kind: 'USER',
      userId: randomUUID(),
      agencyId: randomUUID(),
      agencyKind: naturalKind(role),
      role,
    });
    const otherUser = { id: randomUUID(), agency: { id: randomUUID() } };
    const otherKey = { id: randomUUID(), agency: { id: randomUUID() } };

    it.each(ROWS.filter((r) => /^User\./.test(r.field) && typeof r.denied === 'string'))(
      "$field is denied to a non-admin reading someone else's account",
      async ({ field }) => {
        const access = PERMISSIONS.User[field.split('.')[1]];
        for (const role of [Role.POLICE_OFFICER, Role.OUTREACH_WORKER, Role.RESEARCHER]) {
          expect(await allows(access, someone(role), otherUser)).toBe(false);
        }
        expect(await allows(access, someone(Role.AGENCY_ADMIN), otherUser)).toBe(true);
      },
    );

    it.each(ROWS.filter((r) => /^ApiKey\./.test(r.field)))(
      '$field is denied to a non-admin reading another key',
      async ({ field }) => {
        const access = PERMISSIONS.ApiKey[field.split('.')[1]];
        for (const role of [Role.EMS_PROVIDER, Role.POLICE_OFFICER, Role.ANALYST]) {
          expect(await allows(access, someone(role), otherKey)).toBe(false);
        }
        expect(await allows(access, someone(Role.AGENCY_ADMIN), otherKey)).toBe(true);
      },
    );

    it.each(['apiKey', 'key'])('CreatedApiKey.%s is for admins only', async (field) => {
      const access = PERMISSIONS.CreatedApiKey[field];
      const roles = ALL_ROLES.filter((role) => access.roles.includes(role));
      expect(roles.sort()).toEqual([Role.AGENCY_ADMIN, Role.HUB_ADMIN]);
    });
  });
});
