import { execute, GraphQLObjectType, GraphQLSchema, parse, type ExecutionResult } from 'graphql';
import { ALL_ROLES, Role } from '../src/common/role';
import type { Context } from '../src/context';
import { createLogger } from '../src/logger';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { AgreementPurpose, LawfulBasis } from '../src/modules/agency/agreement-codes';
import {
  activeAgreementExistsSql,
  hasActiveAgreement,
} from '../src/modules/agency/agreement-query';
import { DataSharingAgreement } from '../src/modules/agency/data-sharing-agreement.entity';
import { PERMISSIONS } from '../src/permissions';
import { allowRoles } from '../src/permissions/access';
import { protectSchema } from '../src/permissions/shield';
import { buildBareSchema } from '../src/schema';
import {
  makeAgency,
  makeAgreement,
  makeUser,
  uniqueCounty,
  type Actor,
  type AgreementOverrides,
} from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const FIELDS = `id sourceAgency { id } recipientAgency { id } purpose lawfulBasis counties
  effectiveFrom effectiveTo endedAt endedReason active version createdAt updatedAt`;

const AGREEMENT_FIELDS = [
  'id',
  'sourceAgency',
  'recipientAgency',
  'purpose',
  'lawfulBasis',
  'counties',
  'effectiveFrom',
  'effectiveTo',
  'endedAt',
  'endedReason',
  'active',
  'version',
  'createdAt',
  'updatedAt',
];

const ROOT_FIELDS = {
  Query: ['dataSharingAgreements', 'dataSharingAgreement'],
  Mutation: ['createDataSharingAgreement', 'amendDataSharingAgreement', 'endDataSharingAgreement'],
};

/** Every role that must not read agreements at all. */
const DENIED_READERS = ALL_ROLES.filter((r) => r !== Role.HUB_ADMIN && r !== Role.AGENCY_ADMIN);

interface AgreementView {
  id: string;
  sourceAgency: { id: string } | null;
  recipientAgency: { id: string } | null;
  purpose: AgreementPurpose | null;
  lawfulBasis: LawfulBasis | null;
  counties: string[] | null;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  endedAt: string | null;
  endedReason: string | null;
  active: boolean | null;
  version: number | null;
  createdAt: string | null;
  updatedAt: string | null;
}

interface ErrorView {
  message: string;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

const GET = `query ($id: ID!) { __typename dataSharingAgreement(id: $id) { ${FIELDS} } }`;
const LIST = `query ($filter: DataSharingAgreementFilter) {
  __typename dataSharingAgreements(filter: $filter) { ${FIELDS} } }`;
const CREATE = `mutation ($input: CreateDataSharingAgreementInput!) {
  __typename createDataSharingAgreement(input: $input) { ${FIELDS} } }`;
const AMEND = `mutation ($id: ID!, $version: Int!, $input: AmendDataSharingAgreementInput!) {
  __typename amendDataSharingAgreement(id: $id, version: $version, input: $input) { ${FIELDS} } }`;
const END = `mutation ($id: ID!, $version: Int!, $reason: String!) {
  __typename endDataSharingAgreement(id: $id, version: $version, reason: $reason) { ${FIELDS} } }`;

describe('data-sharing agreements', () => {
  let hub: TestHub;
  let hubAdmin: Actor;

  beforeAll(async () => {
    hub = await startTestHub();
    hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
  });
  afterAll(() => hub.stop());

  // --- helpers -------------------------------------------------------------------------------

  /** A reporting agency and a harm-reduction agency serving the same fresh county. */
  async function makePair(sourceKind = AgencyKind.EMS, recipientKind = AgencyKind.HARM_REDUCTION) {
    const county = uniqueCounty();
    const source = await makeAgency(hub, sourceKind, { serviceCounties: [county] });
    const recipient = await makeAgency(hub, recipientKind, { serviceCounties: [county] });
    return { source, recipient, county };
  }

  async function makePairAgreement(overrides: AgreementOverrides = {}) {
    const pair = await makePair();
    const agreement = await makeAgreement(hub, pair.source, pair.recipient, overrides);
    return { ...pair, agreement };
  }

  const createInput = (source: Agency, recipient: Agency, extra: Record<string, unknown> = {}) => ({
    sourceAgencyId: source.id,
    recipientAgencyId: recipient.id,
    purpose: AgreementPurpose.FOLLOW_UP_OUTREACH,
    lawfulBasis: LawfulBasis.PUBLIC_HEALTH_AUTHORITY,
    counties: [...recipient.serviceCounties],
    ...extra,
  });

  const countAgreements = () => hub.em().count(DataSharingAgreement, {});

  const reload = (id: string) => hub.em().findOneOrFail(DataSharingAgreement, { id });

  /** The stored row as plain values, to show that a refused request changed nothing. */
  const snapshot = async (id: string) => {
    const a = await reload(id);
    return {
      lawfulBasis: a.lawfulBasis,
      counties: a.counties,
      effectiveFrom: a.effectiveFrom.toISOString(),
      effectiveTo: a.effectiveTo?.toISOString() ?? null,
      endedAt: a.endedAt?.toISOString() ?? null,
      endedReason: a.endedReason ?? null,
      version: a.version,
      updatedAt: a.updatedAt.toISOString(),
    };
  };

  const errorsAt = (response: GraphQLResponse<unknown>) =>
    (response.errors ?? []).map((e) => [e.path, e.extensions?.code]);

  const problemFields = (response: GraphQLResponse<unknown>): string[] =>
    (response.errors ?? []).flatMap((e) =>
      ((e.extensions?.fields as Array<{ field: string }> | undefined) ?? []).map((f) => f.field),
    );

  type Data<K extends string, T> = Record<K, T> & { __typename: string };

  const create = (variables: Record<string, unknown>, token = hubAdmin.token) =>
    hub.gql<Data<'createDataSharingAgreement', AgreementView | null>>(
      CREATE,
      { input: variables },
      token,
    );

  const amend = (
    id: string,
    version: number,
    input: Record<string, unknown>,
    token = hubAdmin.token,
  ) =>
    hub.gql<Data<'amendDataSharingAgreement', AgreementView | null>>(
      AMEND,
      { id, version, input },
      token,
    );

  const end = (id: string, version: number, reason: string, token = hubAdmin.token) =>
    hub.gql<Data<'endDataSharingAgreement', AgreementView | null>>(
      END,
      { id, version, reason },
      token,
    );

  const get = (id: string, token: string) =>
    hub.gql<Data<'dataSharingAgreement', AgreementView | null>>(GET, { id }, token);

  const list = (token: string, filter?: Record<string, unknown>) =>
    hub.gql<Data<'dataSharingAgreements', AgreementView[] | null>>(LIST, { filter }, token);

  const listedIds = async (token: string, filter?: Record<string, unknown>) => {
    const response = await list(token, filter);
    expect(response.errors).toBeUndefined();
    return (response.data?.dataSharingAgreements ?? []).map((a) => a.id);
  };

  /** A user of `role` in the agency that is party to the agreement in that role's natural place. */
  async function partyUser(role: Role, source: Agency, recipient: Agency): Promise<Actor> {
    const inSource = role === Role.POLICE_OFFICER || role === Role.EMS_PROVIDER;
    return makeUser(hub, role, { agency: inSource ? source : recipient });
  }

  // --- permissions ---------------------------------------------------------------------------

  describe('permissions', () => {
    it('declares an explicit rule for every field this module adds', async () => {
      const schema = await buildBareSchema();
      const type = schema.getType('DataSharingAgreement') as GraphQLObjectType;
      expect(Object.keys(type.getFields()).sort()).toEqual([...AGREEMENT_FIELDS].sort());
      for (const field of AGREEMENT_FIELDS) {
        expect(PERMISSIONS.DataSharingAgreement?.[field]).toBeDefined();
      }
      for (const [root, names] of Object.entries(ROOT_FIELDS)) {
        for (const name of names) {
          expect(PERMISSIONS[root]?.[name]).toBeDefined();
          // Root fields stay nullable so that a FORBIDDEN one does not wipe the response.
          const rootType = root === 'Query' ? schema.getQueryType() : schema.getMutationType();
          expect(rootType?.getFields()[name]?.type.toString().endsWith('!')).toBe(false);
        }
      }
    });

    it.each([Role.HUB_ADMIN, Role.AGENCY_ADMIN])(
      'lets %s read every field of an agreement',
      async (role) => {
        const { source, recipient, agreement } = await makePairAgreement();
        const reader =
          role === Role.HUB_ADMIN ? hubAdmin : await partyUser(role, source, recipient);
        const response = await get(agreement.id, reader.token);
        expect(response.errors).toBeUndefined();
        const view = response.data?.dataSharingAgreement;
        expect(view).toMatchObject({
          id: agreement.id,
          sourceAgency: { id: source.id },
          recipientAgency: { id: recipient.id },
          purpose: 'FOLLOW_UP_OUTREACH',
          lawfulBasis: 'PUBLIC_HEALTH_AUTHORITY',
          counties: recipient.serviceCounties,
          effectiveFrom: agreement.effectiveFrom.toISOString(),
          effectiveTo: null,
          endedAt: null,
          endedReason: null,
          active: true,
          version: 1,
          createdAt: agreement.createdAt.toISOString(),
          updatedAt: agreement.updatedAt.toISOString(),
        });
      },
    );

    it('lets an agency admin read the end of an ended agreement (endedAt, endedReason)', async () => {
      const { recipient, source, agreement } = await makePairAgreement({
        endedAt: new Date(Date.now() - HOUR),
        endedReason: 'Superseded',
      });
      const admin = await partyUser(Role.AGENCY_ADMIN, source, recipient);
      const response = await get(agreement.id, admin.token);
      expect(response.errors).toBeUndefined();
      expect(response.data?.dataSharingAgreement).toMatchObject({
        endedReason: 'Superseded',
        active: false,
      });
      expect(response.data?.dataSharingAgreement?.endedAt).toEqual(expect.any(String));
    });

    it.each(DENIED_READERS)(
      'answers dataSharingAgreement and dataSharingAgreements to %s with FORBIDDEN, even in a party agency',
      async (role) => {
        const { source, recipient, agreement } = await makePairAgreement();
        const reader = await partyUser(role, source, recipient);
        const response = await hub.gql<Record<string, unknown>>(
          `query ($id: ID!) { me { role } dataSharingAgreement(id: $id) { id }
             dataSharingAgreements { id } }`,
          { id: agreement.id },
          reader.token,
        );
        expect(response.status).toBe(200);
        expect(response.data).toEqual({
          me: { role },
          dataSharingAgreement: null,
          dataSharingAgreements: null,
        });
        expect(errorsAt(response).sort()).toEqual(
          [
            [['dataSharingAgreement'], 'FORBIDDEN'],
            [['dataSharingAgreements'], 'FORBIDDEN'],
          ].sort(),
        );
      },
    );

    it.each([Role.AGENCY_ADMIN, Role.POLICE_OFFICER, Role.OUTREACH_WORKER, Role.EMS_PROVIDER])(
      'refuses createDataSharingAgreement to %s and writes nothing',
      async (role) => {
        const { source, recipient } = await makePair();
        const caller = await partyUser(role, source, recipient);
        const before = await countAgreements();
        const response = await create(createInput(source, recipient), caller.token);
        expect(response.data).toEqual({ __typename: 'Mutation', createDataSharingAgreement: null });
        expect(errorsAt(response)).toEqual([[['createDataSharingAgreement'], 'FORBIDDEN']]);
        expect(await countAgreements()).toBe(before);
      },
    );

    it.each([Role.AGENCY_ADMIN, Role.POLICE_OFFICER, Role.OUTREACH_WORKER, Role.EMS_PROVIDER])(
      'refuses amendDataSharingAgreement to %s and changes nothing',
      async (role) => {
        const { source, recipient, agreement } = await makePairAgreement();
        const caller = await partyUser(role, source, recipient);
        const before = await snapshot(agreement.id);
        const response = await amend(
          agreement.id,
          1,
          { lawfulBasis: LawfulBasis.CONSENT },
          caller.token,
        );
        expect(response.data).toEqual({ __typename: 'Mutation', amendDataSharingAgreement: null });
        expect(errorsAt(response)).toEqual([[['amendDataSharingAgreement'], 'FORBIDDEN']]);
        expect(await snapshot(agreement.id)).toEqual(before);
      },
    );

    it.each([Role.AGENCY_ADMIN, Role.POLICE_OFFICER, Role.OUTREACH_WORKER, Role.EMS_PROVIDER])(
      'refuses endDataSharingAgreement to %s and changes nothing',
      async (role) => {
        const { source, recipient, agreement } = await makePairAgreement();
        const caller = await partyUser(role, source, recipient);
        const before = await snapshot(agreement.id);
        const response = await end(agreement.id, 1, 'No longer needed', caller.token);
        expect(response.data).toEqual({ __typename: 'Mutation', endDataSharingAgreement: null });
        expect(errorsAt(response)).toEqual([[['endDataSharingAgreement'], 'FORBIDDEN']]);
        expect(await snapshot(agreement.id)).toEqual(before);
      },
    );

    /**
     * No API operation hands an agreement to a role that may not read it (the root fields are
     * refused first), so the field rules themselves are exercised on a probe schema: the real
     * DataSharingAgreement type, resolvers and permission map behind the real shield layer, with
     * one extra root field that returns an agreement to anyone.
     */
    describe('field by field, on a probe schema', () => {
      let probe: GraphQLSchema;
      let agreementId: string;
      let party: { source: Agency; recipient: Agency };

      beforeAll(async () => {
        const bare = await buildBareSchema();
        const type = bare.getType('DataSharingAgreement') as GraphQLObjectType;
        const query = new GraphQLObjectType<unknown, Context>({
          name: 'Query',
          fields: {
            probe: {
              type,
              resolve: (_root, _args, ctx) =>
                ctx.em.findOneOrFail(DataSharingAgreement, { id: agreementId }),
            },
          },
        });
        probe = protectSchema(new GraphQLSchema({ query }), {
          Query: { probe: allowRoles('probeAnyone', ALL_ROLES) },
          DataSharingAgreement: PERMISSIONS.DataSharingAgreement,
          Agency: PERMISSIONS.Agency,
        });
        const made = await makePairAgreement({
          effectiveTo: new Date(Date.now() + 30 * DAY),
          endedAt: new Date(),
          endedReason: 'Probe',
        });
        agreementId = made.agreement.id;
        party = made;
      });

      const run = async (role: Role, field: string): Promise<ExecutionResult> => {
        const agency = [Role.POLICE_OFFICER, Role.EMS_PROVIDER].includes(role)
          ? party.source
          : party.recipient;
        const ctx: Context = {
          em: hub.em(),
          viewer: {
            kind: 'USER',
            userId: undefined,
            agencyId: agency.id,
            agencyKind: agency.kind,
            role,
          },
          requestId: 'probe',
          config: hub.config,
          logger: createLogger('silent'),
        };
        const selection = field.endsWith('Agency') ? `${field} { id }` : field;
        return execute({
          schema: probe,
          document: parse(`{ probe { __typename ${selection} } }`),
          contextValue: ctx,
        });
      };

      const cases = (roles: readonly Role[]) =>
        roles.flatMap((role) => AGREEMENT_FIELDS.map((field) => [role, field] as const));

      it.each(cases([Role.HUB_ADMIN, Role.AGENCY_ADMIN]))('%s may read %s', async (role, field) => {
        const result = await run(role, field);
        expect(result.errors).toBeUndefined();
        const value = (result.data?.probe as Record<string, unknown>)[field];
        expect(value).not.toBeNull();
        expect(value).toBeDefined();
      });

      it.each(cases(DENIED_READERS))('%s gets null and FORBIDDEN for %s', async (role, field) => {
        const result = await run(role, field);
        expect(result.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
          [['probe', field], 'FORBIDDEN'],
        ]);
        if (field === 'id') {
          // ids are non-null by design: a denied id takes its object with it.
          expect(result.data).toEqual({ probe: null });
        } else {
          expect(result.data).toEqual({
            probe: { __typename: 'DataSharingAgreement', [field]: null },
          });
        }
      });
    });
  });

  // --- create --------------------------------------------------------------------------------

  describe('createDataSharingAgreement', () => {
    it('creates an agreement in force from now when no start is given', async () => {
      const { source, recipient, county } = await makePair();
      const otherCounty = uniqueCounty();
      const startedBefore = Date.now();
      const response = await create(
        createInput(source, recipient, { counties: [otherCounty, county].sort().reverse() }),
      );
      expect(response.errors).toBeUndefined();
      const view = response.data?.createDataSharingAgreement as AgreementView;
      expect(view).toMatchObject({
        sourceAgency: { id: source.id },
        recipientAgency: { id: recipient.id },
        purpose: 'FOLLOW_UP_OUTREACH',
        lawfulBasis: 'PUBLIC_HEALTH_AUTHORITY',
        counties: [county, otherCounty].sort(),
        effectiveTo: null,
        endedAt: null,
        endedReason: null,
        active: true,
        version: 1,
      });
      const from = Date.parse(view.effectiveFrom as string);
      expect(from).toBeGreaterThanOrEqual(startedBefore - 1000);
      expect(from).toBeLessThanOrEqual(Date.now());
      const stored = await reload(view.id);
      expect(stored.sourceAgency.id).toBe(source.id);
      expect(stored.counties).toEqual([county, otherCounty].sort());
      expect(await hasActiveAgreement(hub.em(), source.id, recipient.id, county)).toBe(true);
    });

    it('stores a given period and lawful basis', async () => {
      const { source, recipient } = await makePair(AgencyKind.LAW_ENFORCEMENT);
      const effectiveFrom = new Date(Date.now() + 2 * DAY).toISOString();
      const effectiveTo = new Date(Date.now() + 400 * DAY).toISOString();
      const response = await create(
        createInput(source, recipient, { lawfulBasis: 'BAA_DUA', effectiveFrom, effectiveTo }),
      );
      expect(response.errors).toBeUndefined();
      expect(response.data?.createDataSharingAgreement).toMatchObject({
        lawfulBasis: 'BAA_DUA',
        effectiveFrom,
        effectiveTo,
        active: false,
      });
    });

    it.each([
      [AgencyKind.LAW_ENFORCEMENT, AgencyKind.HARM_REDUCTION, AgreementPurpose.FOLLOW_UP_OUTREACH],
      [AgencyKind.EMS, AgencyKind.TREATMENT, AgreementPurpose.FOLLOW_UP_OUTREACH],
      [AgencyKind.LAW_ENFORCEMENT, AgencyKind.LEAD_PROGRAM, AgreementPurpose.LEAD],
      [AgencyKind.EMS, AgencyKind.LEAD_PROGRAM, AgreementPurpose.LEAD],
    ])('accepts %s → %s for %s', async (sourceKind, recipientKind, purpose) => {
      const { source, recipient } = await makePair(sourceKind, recipientKind);
      const response = await create(createInput(source, recipient, { purpose }));
      expect(response.errors).toBeUndefined();
      expect(response.data?.createDataSharingAgreement?.purpose).toBe(purpose);
    });

    it('accepts exactly 400 counties', async () => {
      const { source, recipient } = await makePair();
      const counties = Array.from({ length: 400 }, (_, i) => String(10_000 + i));
      const response = await create(createInput(source, recipient, { counties }));
      expect(response.errors).toBeUndefined();
      expect(response.data?.createDataSharingAgreement?.counties).toHaveLength(400);
    });

    type Mangle = (p: { source: Agency; recipient: Agency }) => Promise<Record<string, unknown>>;
    const invalid: Array<[string, Mangle, string]> = [
      [
        'an unknown source agency',
        async ({ recipient, source }) =>
          createInput(source, recipient, {
            sourceAgencyId: '00000000-0000-4000-8000-000000000000',
          }),
        'input.sourceAgencyId',
      ],
      [
        'a malformed source agency id',
        async ({ recipient, source }) =>
          createInput(source, recipient, { sourceAgencyId: 'not-an-id' }),
        'input.sourceAgencyId',
      ],
      [
        'an inactive source agency',
        async ({ recipient }) =>
          createInput(await makeAgency(hub, AgencyKind.EMS, { active: false }), recipient),
        'input.sourceAgencyId',
      ],
      [
        'a source that does not report overdoses',
        async ({ recipient }) =>
          createInput(await makeAgency(hub, AgencyKind.HARM_REDUCTION), recipient),
        'input.sourceAgencyId',
      ],
      [
        'an unknown recipient agency',
        async ({ recipient, source }) =>
          createInput(source, recipient, {
            recipientAgencyId: '00000000-0000-4000-8000-000000000001',
          }),
        'input.recipientAgencyId',
      ],
      [
        'an inactive recipient agency',
        async ({ source }) =>
          createInput(source, await makeAgency(hub, AgencyKind.HARM_REDUCTION, { active: false })),
        'input.recipientAgencyId',
      ],
      [
        'the same agency on both sides',
        async ({ source }) => createInput(source, source),
        'input.recipientAgencyId',
      ],
      [
        'a LEAD program as outreach recipient',
        async ({ source }) => createInput(source, await makeAgency(hub, AgencyKind.LEAD_PROGRAM)),
        'input.recipientAgencyId',
      ],
      [
        'a harm-reduction agency as LEAD recipient',
        async ({ source, recipient }) =>
          createInput(source, recipient, { purpose: AgreementPurpose.LEAD }),
        'input.recipientAgencyId',
      ],
      [
        'another reporting agency as recipient',
        async ({ source }) =>
          createInput(source, await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT)),
        'input.recipientAgencyId',
      ],
      [
        'no counties',
        async ({ source, recipient }) => createInput(source, recipient, { counties: [] }),
        'input.counties',
      ],
      [
        '401 counties',
        async ({ source, recipient }) =>
          createInput(source, recipient, {
            counties: Array.from({ length: 401 }, (_, i) => String(10_000 + i)),
          }),
        'input.counties',
      ],
      [
        'a county named twice',
        async ({ source, recipient }) =>
          createInput(source, recipient, { counties: ['37021', '37021'] }),
        'input.counties',
      ],
      [
        'a four-digit county',
        async ({ source, recipient }) =>
          createInput(source, recipient, { counties: ['37021', '3702'] }),
        'input.counties',
      ],
      [
        'a county that is not digits',
        async ({ source, recipient }) => createInput(source, recipient, { counties: ['3702x'] }),
        'input.counties',
      ],
      [
        'an end equal to the start',
        async ({ source, recipient }) =>
          createInput(source, recipient, {
            effectiveFrom: '2030-01-01T00:00:00.000Z',
            effectiveTo: '2030-01-01T00:00:00.000Z',
          }),
        'input.effectiveTo',
      ],
      [
        'an end before the start',
        async ({ source, recipient }) =>
          createInput(source, recipient, {
            effectiveFrom: '2030-01-01T00:00:00.000Z',
            effectiveTo: '2029-12-31T00:00:00.000Z',
          }),
        'input.effectiveTo',
      ],
      [
        'an end before now when no start is given',
        async ({ source, recipient }) =>
          createInput(source, recipient, { effectiveTo: new Date(Date.now() - DAY).toISOString() }),
        'input.effectiveTo',
      ],
    ];

    it.each(invalid)(
      'refuses %s with BAD_USER_INPUT naming the field and writes nothing',
      async (_name, mangle, field) => {
        const pair = await makePair();
        const input = await mangle(pair);
        const before = await countAgreements();
        const response = await create(input);
        expect(response.data).toEqual({ __typename: 'Mutation', createDataSharingAgreement: null });
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(problemFields(response)).toEqual([field]);
        // Messages never quote what was submitted.
        const message = response.errors?.[0]?.message ?? '';
        for (const value of [input.sourceAgencyId, input.recipientAgencyId, '3702x', '3702']) {
          expect(message).not.toContain(value as string);
        }
        expect(await countAgreements()).toBe(before);
      },
    );

    it('reports every problem of one request at once', async () => {
      const { source } = await makePair();
      const before = await countAgreements();
      const response = await create({
        sourceAgencyId: source.id,
        recipientAgencyId: source.id,
        purpose: 'LEAD',
        lawfulBasis: 'CONSENT',
        counties: [],
        effectiveFrom: '2030-01-01T00:00:00.000Z',
        effectiveTo: '2029-01-01T00:00:00.000Z',
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(problemFields(response).sort()).toEqual(
        ['input.counties', 'input.effectiveTo', 'input.recipientAgencyId'].sort(),
      );
      expect(await countAgreements()).toBe(before);
    });

    it('refuses an unknown purpose before anything runs', async () => {
      const { source, recipient } = await makePair();
      const before = await countAgreements();
      const response = await create(createInput(source, recipient, { purpose: 'MARKETING' }));
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.data ?? null).toBeNull();
      expect(await countAgreements()).toBe(before);
    });
  });

  // --- amend ---------------------------------------------------------------------------------

  describe('amendDataSharingAgreement', () => {
    it('changes the terms and bumps the version', async () => {
      const { agreement, county } = await makePairAgreement();
      const extra = uniqueCounty();
      const effectiveFrom = new Date(Date.now() - 10 * DAY).toISOString();
      const effectiveTo = new Date(Date.now() + 100 * DAY).toISOString();
      const response = await amend(agreement.id, 1, {
        lawfulBasis: 'STATE_MANDATE',
        counties: [extra, county],
        effectiveFrom,
        effectiveTo,
      });
      expect(response.errors).toBeUndefined();
      expect(response.data?.amendDataSharingAgreement).toMatchObject({
        id: agreement.id,
        lawfulBasis: 'STATE_MANDATE',
        counties: [county, extra].sort(),
        effectiveFrom,
        effectiveTo,
        active: true,
        version: 2,
      });
      const stored = await reload(agreement.id);
      expect(stored.version).toBe(2);
      expect(stored.lawfulBasis).toBe(LawfulBasis.STATE_MANDATE);
      expect(stored.effectiveTo?.toISOString()).toBe(effectiveTo);
      expect(stored.updatedAt.getTime()).toBeGreaterThan(agreement.updatedAt.getTime());
    });

    it('makes an agreement open-ended when effectiveTo is null', async () => {
      const { agreement } = await makePairAgreement({
        effectiveTo: new Date(Date.now() + DAY),
      });
      const response = await amend(agreement.id, 1, { effectiveTo: null });
      expect(response.errors).toBeUndefined();
      expect(response.data?.amendDataSharingAgreement).toMatchObject({
        effectiveTo: null,
        version: 2,
      });
      expect((await reload(agreement.id)).effectiveTo ?? null).toBeNull();
    });

    it('leaves terms that are not named as they were', async () => {
      const { agreement, county } = await makePairAgreement();
      const response = await amend(agreement.id, 1, { lawfulBasis: 'CONSENT' });
      expect(response.errors).toBeUndefined();
      const stored = await reload(agreement.id);
      expect(stored.counties).toEqual([county]);
      expect(stored.effectiveFrom.toISOString()).toBe(agreement.effectiveFrom.toISOString());
      expect(stored.purpose).toBe(AgreementPurpose.FOLLOW_UP_OUTREACH);
    });

    it('answers a stale version with CONFLICT and changes nothing', async () => {
      const { agreement } = await makePairAgreement();
      expect((await amend(agreement.id, 1, { lawfulBasis: 'CONSENT' })).errors).toBeUndefined();
      const before = await snapshot(agreement.id);
      const response = await amend(agreement.id, 1, {
        lawfulBasis: 'BAA_DUA',
        counties: ['37001'],
      });
      expect(response.data).toEqual({ __typename: 'Mutation', amendDataSharingAgreement: null });
      expect(errorsAt(response)).toEqual([[['amendDataSharingAgreement'], 'CONFLICT']]);
      expect(await snapshot(agreement.id)).toEqual(before);
    });

    it('lets exactly one of two simultaneous amendments of one version win', async () => {
      const { agreement } = await makePairAgreement();
      const responses = await Promise.all([
        amend(agreement.id, 1, { lawfulBasis: 'CONSENT' }),
        amend(agreement.id, 1, { lawfulBasis: 'BAA_DUA' }),
      ]);
      const codes = responses.map((r) => errorCodes(r)[0] ?? 'OK').sort();
      expect(codes).toEqual(['CONFLICT', 'OK']);
      const winner = responses.find((r) => !r.errors)?.data?.amendDataSharingAgreement;
      const stored = await reload(agreement.id);
      expect(stored.version).toBe(2);
      expect(stored.lawfulBasis).toBe(winner?.lawfulBasis);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['no counties', { counties: [] }, 'input.counties'],
      ['a malformed county', { counties: ['123456'] }, 'input.counties'],
      ['a county twice', { counties: ['37021', '37021'] }, 'input.counties'],
      ['counties cleared', { counties: null }, 'input.counties'],
      ['lawful basis cleared', { lawfulBasis: null }, 'input.lawfulBasis'],
      ['start cleared', { effectiveFrom: null }, 'input.effectiveFrom'],
      [
        'an end before the start',
        {
          effectiveFrom: '2030-01-01T00:00:00.000Z',
          effectiveTo: '2029-01-01T00:00:00.000Z',
        },
        'input.effectiveTo',
      ],
      [
        'an end before the current start',
        { effectiveTo: '2000-01-01T00:00:00.000Z' },
        'input.effectiveTo',
      ],
      [
        'a start after the current end',
        { effectiveFrom: new Date(Date.now() + 60 * DAY).toISOString() },
        'input.effectiveFrom',
      ],
    ])('refuses %s with BAD_USER_INPUT naming the field', async (_name, input, field) => {
      const { agreement } = await makePairAgreement({
        effectiveTo: new Date(Date.now() + 30 * DAY),
      });
      const before = await snapshot(agreement.id);
      const response = await amend(agreement.id, 1, input);
      expect(response.data).toEqual({ __typename: 'Mutation', amendDataSharingAgreement: null });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(problemFields(response)).toEqual([field]);
      expect(await snapshot(agreement.id)).toEqual(before);
    });

    it('refuses to amend an ended agreement', async () => {
      const { agreement } = await makePairAgreement({
        endedAt: new Date(Date.now() - HOUR),
        endedReason: 'Expired contract',
      });
      const before = await snapshot(agreement.id);
      const response = await amend(agreement.id, 1, { lawfulBasis: 'CONSENT' });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(problemFields(response)).toEqual(['id']);
      expect(await snapshot(agreement.id)).toEqual(before);
    });

    it.each(['00000000-0000-4000-8000-000000000000', 'not-an-id'])(
      'answers an unknown id (%s) with NOT_FOUND',
      async (id) => {
        const response = await amend(id, 1, { lawfulBasis: 'CONSENT' });
        expect(errorsAt(response)).toEqual([[['amendDataSharingAgreement'], 'NOT_FOUND']]);
      },
    );
  });

  // --- end -----------------------------------------------------------------------------------

  describe('endDataSharingAgreement', () => {
    it('ends the agreement now with the reason, and identity stops flowing', async () => {
      const { agreement, source, recipient, county } = await makePairAgreement();
      const before = Date.now();
      const response = await end(agreement.id, 1, '  Programme closed  ');
      expect(response.errors).toBeUndefined();
      const view = response.data?.endDataSharingAgreement as AgreementView;
      expect(view).toMatchObject({ endedReason: 'Programme closed', active: false, version: 2 });
      const endedAt = Date.parse(view.endedAt as string);
      expect(endedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(endedAt).toBeLessThanOrEqual(Date.now());
      const stored = await reload(agreement.id);
      expect(stored.endedReason).toBe('Programme closed');
      expect(await hasActiveAgreement(hub.em(), source.id, recipient.id, county)).toBe(false);
    });

    it('refuses to end an agreement twice and keeps the first end', async () => {
      const { agreement } = await makePairAgreement();
      expect((await end(agreement.id, 1, 'First')).errors).toBeUndefined();
      const before = await snapshot(agreement.id);
      const response = await end(agreement.id, 2, 'Second');
      expect(response.data).toEqual({ __typename: 'Mutation', endDataSharingAgreement: null });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(problemFields(response)).toEqual(['id']);
      expect(await snapshot(agreement.id)).toEqual(before);
    });

    it('answers a stale version with CONFLICT and does not end the agreement', async () => {
      const { agreement } = await makePairAgreement();
      expect((await amend(agreement.id, 1, { lawfulBasis: 'CONSENT' })).errors).toBeUndefined();
      const before = await snapshot(agreement.id);
      const response = await end(agreement.id, 1, 'Too late');
      expect(errorsAt(response)).toEqual([[['endDataSharingAgreement'], 'CONFLICT']]);
      expect(await snapshot(agreement.id)).toEqual(before);
    });

    it.each([
      ['an empty reason', ''],
      ['a blank reason', '   '],
      ['a reason over 500 characters', 'x'.repeat(501)],
    ])('refuses %s with BAD_USER_INPUT naming reason', async (_name, reason) => {
      const { agreement } = await makePairAgreement();
      const before = await snapshot(agreement.id);
      const response = await end(agreement.id, 1, reason);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(problemFields(response)).toEqual(['reason']);
      expect(await snapshot(agreement.id)).toEqual(before);
    });

    it('accepts a reason of exactly 500 characters', async () => {
      const { agreement } = await makePairAgreement();
      const response = await end(agreement.id, 1, 'y'.repeat(500));
      expect(response.errors).toBeUndefined();
      expect(response.data?.endDataSharingAgreement?.endedReason).toHaveLength(500);
    });

    it.each(['00000000-0000-4000-8000-000000000000', 'not-an-id'])(
      'answers an unknown id (%s) with NOT_FOUND',
      async (id) => {
        const response = await end(id, 1, 'Reason');
        expect(errorsAt(response)).toEqual([[['endDataSharingAgreement'], 'NOT_FOUND']]);
      },
    );
  });

  // --- queries and row scope -----------------------------------------------------------------

  describe('queries and row scope', () => {
    it('lists every agreement to the hub admin, filtered by agency', async () => {
      const a = await makePairAgreement();
      const b = await makePairAgreement();
      const all = await listedIds(hubAdmin.token);
      expect(all).toEqual(expect.arrayContaining([a.agreement.id, b.agreement.id]));
      expect(await listedIds(hubAdmin.token, { agencyId: a.recipient.id })).toEqual([
        a.agreement.id,
      ]);
      expect(await listedIds(hubAdmin.token, { agencyId: a.source.id })).toEqual([a.agreement.id]);
    });

    it('lists to an agency admin only the agreements its agency is party to', async () => {
      const { source, recipient, agreement } = await makePairAgreement();
      // The same recipient also receives from a second source; the source also shares elsewhere.
      const otherSource = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT);
      const asRecipient = await makeAgreement(hub, otherSource, recipient);
      const otherRecipient = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const notMine = await makeAgreement(hub, source, otherRecipient);
      const unrelated = await makePairAgreement();

      const recipientAdmin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: recipient });
      const seen = await listedIds(recipientAdmin.token);
      expect(seen.sort()).toEqual([agreement.id, asRecipient.id].sort());

      const sourceAdmin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: source });
      expect((await listedIds(sourceAdmin.token)).sort()).toEqual(
        [agreement.id, notMine.id].sort(),
      );
      // Filtering by someone else's agency never widens the scope.
      expect(await listedIds(recipientAdmin.token, { agencyId: unrelated.source.id })).toEqual([]);
      expect(await listedIds(recipientAdmin.token, { agencyId: source.id })).toEqual([
        agreement.id,
      ]);
    });

    it('answers an agency admin asking for another pair’s agreement exactly like a missing one', async () => {
      const { recipient } = await makePairAgreement();
      const other = await makePairAgreement();
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: recipient });
      const outside = await get(other.agreement.id, admin.token);
      const missing = await get('00000000-0000-4000-8000-00000000abcd', admin.token);
      const malformed = await get('not-an-id', admin.token);
      for (const response of [outside, missing, malformed]) {
        expect(response.status).toBe(200);
        expect(response.data).toEqual({ __typename: 'Query', dataSharingAgreement: null });
      }
      const shape = (r: GraphQLResponse<unknown>) => r.errors as ErrorView[];
      expect(shape(outside)).toEqual(shape(missing));
      expect(shape(outside)).toEqual(shape(malformed));
      expect(errorsAt(outside)).toEqual([[['dataSharingAgreement'], 'NOT_FOUND']]);
      // The other pair's agreement is there: the hub admin reads it.
      const seenByHub = await get(other.agreement.id, hubAdmin.token);
      expect(seenByHub.data?.dataSharingAgreement?.id).toBe(other.agreement.id);
    });

    it('answers the hub admin with NOT_FOUND for a missing or malformed id', async () => {
      for (const id of ['00000000-0000-4000-8000-00000000abcd', 'nope']) {
        const response = await get(id, hubAdmin.token);
        expect(errorsAt(response)).toEqual([[['dataSharingAgreement'], 'NOT_FOUND']]);
      }
    });

    it('refuses a malformed agency filter with BAD_USER_INPUT', async () => {
      const response = await list(hubAdmin.token, { agencyId: 'nope' });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(problemFields(response)).toEqual(['filter.agencyId']);
    });
  });

  // --- what "active" means -------------------------------------------------------------------

  describe('active agreements', () => {
    const now = () => Date.now();
    const scenarios: Array<[string, () => AgreementOverrides, boolean]> = [
      ['in force, open-ended', () => ({}), true],
      ['in force until next month', () => ({ effectiveTo: new Date(now() + 30 * DAY) }), true],
      ['starting tomorrow', () => ({ effectiveFrom: new Date(now() + DAY) }), false],
      [
        'expired yesterday',
        () => ({ effectiveFrom: new Date(now() - 30 * DAY), effectiveTo: new Date(now() - DAY) }),
        false,
      ],
      ['ended', () => ({ endedAt: new Date(now() - HOUR), endedReason: 'Ended' }), false],
    ];

    const sqlSaysActive = async (
      source: string,
      recipient: string,
      county: string,
      purpose = AgreementPurpose.FOLLOW_UP_OUTREACH,
    ): Promise<boolean> => {
      const rows = await hub
        .em()
        .getConnection()
        .execute<Array<{ ok: boolean }>>(
          `select ${activeAgreementExistsSql('?::uuid', '?::uuid', '?::text', purpose)} as ok`,
          [source, recipient, county],
        );
      return rows[0]?.ok === true;
    };

    it.each(scenarios)(
      'an agreement %s: active field, activeOnly list, hasActiveAgreement and SQL agree',
      async (_name, overrides, expected) => {
        const { source, recipient, county, agreement } = await makePairAgreement(overrides());
        const view = await get(agreement.id, hubAdmin.token);
        expect(view.data?.dataSharingAgreement?.active).toBe(expected);

        const listed = await listedIds(hubAdmin.token, { agencyId: source.id, activeOnly: true });
        expect(listed).toEqual(expected ? [agreement.id] : []);
        expect(await listedIds(hubAdmin.token, { agencyId: source.id })).toEqual([agreement.id]);

        expect(await hasActiveAgreement(hub.em(), source.id, recipient.id, county)).toBe(expected);
        expect(await sqlSaysActive(source.id, recipient.id, county)).toBe(expected);
      },
    );

    it('does not cover a county outside the agreement', async () => {
      const { source, recipient } = await makePairAgreement();
      const elsewhere = uniqueCounty();
      expect(await hasActiveAgreement(hub.em(), source.id, recipient.id, elsewhere)).toBe(false);
      expect(await sqlSaysActive(source.id, recipient.id, elsewhere)).toBe(false);
    });

    it('covers only its own purpose', async () => {
      const { source, recipient, county } = await makePair(
        AgencyKind.LAW_ENFORCEMENT,
        AgencyKind.LEAD_PROGRAM,
      );
      await makeAgreement(hub, source, recipient, { purpose: AgreementPurpose.LEAD });
      const em = hub.em();
      expect(await hasActiveAgreement(em, source.id, recipient.id, county)).toBe(false);
      expect(
        await hasActiveAgreement(em, source.id, recipient.id, county, AgreementPurpose.LEAD),
      ).toBe(true);
      expect(await sqlSaysActive(source.id, recipient.id, county)).toBe(false);
      expect(await sqlSaysActive(source.id, recipient.id, county, AgreementPurpose.LEAD)).toBe(
        true,
      );
    });

    it('lets identity flow one way only: from source to recipient', async () => {
      const { source, recipient, county } = await makePairAgreement();
      expect(await hasActiveAgreement(hub.em(), recipient.id, source.id, county)).toBe(false);
      expect(await sqlSaysActive(recipient.id, source.id, county)).toBe(false);
    });

    it('treats effectiveTo as exclusive', async () => {
      const { source, recipient, county, agreement } = await makePairAgreement({
        effectiveFrom: new Date(now() - DAY),
        effectiveTo: new Date(now() - 1),
      });
      expect(await hasActiveAgreement(hub.em(), source.id, recipient.id, county)).toBe(false);
      expect((await get(agreement.id, hubAdmin.token)).data?.dataSharingAgreement?.active).toBe(
        false,
      );
    });
  });
});
