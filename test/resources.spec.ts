import {
  execute,
  GraphQLObjectType,
  GraphQLSchema,
  isNonNullType,
  parse,
  type ExecutionResult,
} from 'graphql';
import { ALL_ROLES, Role } from '../src/common/role';
import type { Context } from '../src/context';
import { createLogger } from '../src/logger';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { demoResources } from '../src/modules/resource/demo-resources';
import { isOpenNow } from '../src/modules/resource/opening-hours';
import { MoudType, PaymentAccepted, ResourceService } from '../src/modules/resource/resource-codes';
import { searchResources } from '../src/modules/resource/resource-query';
import { RESOURCE_FIELDS } from '../src/modules/resource/resource.permissions';
import { TreatmentResource } from '../src/modules/resource/treatment-resource.entity';
import { PERMISSIONS } from '../src/permissions';
import { allowRoles } from '../src/permissions/access';
import { protectSchema } from '../src/permissions/shield';
import { buildBareSchema } from '../src/schema';
import { makeAgency, makeUser, unique, uniqueCounty, type Actor } from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { errorsAt } from './support/http';
import { makeResource } from './support/resource-factory';

const READERS = [Role.OUTREACH_WORKER, Role.LEAD_CASE_MANAGER, Role.AGENCY_ADMIN, Role.HUB_ADMIN];
const DENIED_READERS = ALL_ROLES.filter((r) => !READERS.includes(r));
const NON_MAINTAINERS = ALL_ROLES.filter((r) => r !== Role.HUB_ADMIN && r !== Role.AGENCY_ADMIN);

const FIELDS = `id agency { id } name description services moud paymentAccepted typicalCost
  hours { day opens closes } timeZone street city state zip county phone acceptingNewClients
  languages lastVerifiedAt active openNow version createdAt updatedAt`;

const GET = `query ($id: ID!) { __typename resource(id: $id) { ${FIELDS} } }`;
const LIST = `query ($filter: ResourceFilter, $first: Int, $after: String) {
  __typename resources(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${FIELDS} } } } }`;
const CREATE = `mutation ($input: CreateResourceInput!) {
  __typename createResource(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $version: Int!, $input: UpdateResourceInput!) {
  __typename updateResource(id: $id, version: $version, input: $input) { ${FIELDS} } }`;
const byId = (name: string) => `mutation ($id: ID!) { __typename ${name}(id: $id) { ${FIELDS} } }`;

const MUTATIONS = {
  createResource: CREATE,
  updateResource: UPDATE,
  verifyResource: byId('verifyResource'),
  deactivateResource: byId('deactivateResource'),
  reactivateResource: byId('reactivateResource'),
} as const;
type MutationName = keyof typeof MUTATIONS;

interface ResourceView {
  id: string;
  agency: { id: string } | null;
  name: string | null;
  description: string | null;
  services: string[] | null;
  moud: string[] | null;
  paymentAccepted: string[] | null;
  typicalCost: string | null;
  hours: Array<{ day: number; opens: string; closes: string }> | null;
  timeZone: string | null;
  county: string | null;
  phone: string | null;
  acceptingNewClients: boolean | null;
  languages: string[] | null;
  lastVerifiedAt: string | null;
  active: boolean | null;
  openNow: boolean | null;
  version: number | null;
  [field: string]: unknown;
}

interface ListView {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: ResourceView }>;
}

type Data<K extends string, T> = Record<K, T> & { __typename: string };

/** Hours that make a resource open all of `day` (closes 00:00 is midnight). */
const allDay = (day: number) => [
  { day, opens: '00:00', closes: '12:00' },
  { day, opens: '12:00', closes: '00:00' },
];

/** A fixed-offset IANA zone (no daylight saving): Etc/GMT-14 is UTC+14, the sign is reversed. */
const fixedZone = (offsetHours: number) =>
  offsetHours === 0 ? 'Etc/GMT' : `Etc/GMT${offsetHours > 0 ? '-' : '+'}${Math.abs(offsetHours)}`;

/** Day of week on the wall clock `offsetHours` from UTC, by arithmetic (no time zone library). */
const dayAtOffset = (now: Date, offsetHours: number) =>
  new Date(now.getTime() + offsetHours * 3_600_000).getUTCDay();

describe('resource directory', () => {
  let hub: TestHub;
  let hubAdmin: Actor;
  let ownAdmin: Actor;
  let otherAdmin: Actor;
  const readers = new Map<Role, Actor>();

  beforeAll(async () => {
    hub = await startTestHub();
    hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
    ownAdmin = await makeUser(hub, Role.AGENCY_ADMIN);
    otherAdmin = await makeUser(hub, Role.AGENCY_ADMIN);
    for (const role of ALL_ROLES) readers.set(role, await makeUser(hub, role));
    readers.set(Role.HUB_ADMIN, hubAdmin);
  });
  afterAll(() => hub.stop());

  // --- helpers -------------------------------------------------------------------------------

  const tokenOf = (role: Role) => readers.get(role)!.token;

  const get = (id: string, token: string) =>
    hub.gql<Data<'resource', ResourceView | null>>(GET, { id }, token);

  const list = (
    filter: Record<string, unknown>,
    token = tokenOf(Role.OUTREACH_WORKER),
    page = {},
  ) => hub.gql<Data<'resources', ListView | null>>(LIST, { filter, ...page }, token);

  /** Names found by a search, sorted; fails the test on any error. */
  async function found(filter: Record<string, unknown>, token?: string): Promise<string[]> {
    const response = await list(filter, token);
    expect(response.errors).toBeUndefined();
    const page = response.data!.resources!;
    expect(page.totalCount).toBe(page.edges.length);
    return page.edges.map((e) => e.node.name!).sort();
  }

  const create = (input: Record<string, unknown>, token = hubAdmin.token) =>
    hub.gql<Data<'createResource', ResourceView | null>>(CREATE, { input }, token);

  const update = (
    id: string,
    version: number,
    input: Record<string, unknown>,
    token = hubAdmin.token,
  ) => hub.gql<Data<'updateResource', ResourceView | null>>(UPDATE, { id, version, input }, token);

  const mutate = (name: Exclude<MutationName, 'createResource' | 'updateResource'>) => {
    return (id: string, token = hubAdmin.token) =>
      hub.gql<Record<string, ResourceView | null>>(MUTATIONS[name], { id }, token);
  };
  const verify = mutate('verifyResource');
  const deactivate = mutate('deactivateResource');
  const reactivate = mutate('reactivateResource');

  /** A complete, valid create input; `extra` overrides. */
  const validInput = (extra: Record<string, unknown> = {}) => ({
    name: `Bridge Clinic ${unique()}`,
    description: 'Same-day buprenorphine starts.\nWalk-ins welcome.',
    services: ['MOUD', 'OUTPATIENT'],
    moud: ['BUPRENORPHINE'],
    paymentAccepted: ['MEDICAID', 'SLIDING_SCALE'],
    typicalCost: 'Sliding scale from $0',
    hours: [{ day: 1, opens: '09:00', closes: '17:00' }],
    timeZone: 'America/New_York',
    street: '25 Example Street',
    city: 'Marshall',
    state: 'NC',
    zip: '28753',
    county: uniqueCounty(),
    phone: '828-555-0152',
    acceptingNewClients: true,
    languages: ['en', 'es'],
    ...extra,
  });

  const countResources = () => hub.em().count(TreatmentResource, {});

  /** The stored row as plain values, to show that a refused request changed nothing. */
  async function snapshot(id: string) {
    const r = await hub.em().findOneOrFail(TreatmentResource, { id });
    return JSON.parse(JSON.stringify({ ...r, agency: r.agency?.id ?? null }));
  }

  /** The distinct fields named by a response's errors (one field may break several rules). */
  const problemFields = (response: GraphQLResponse<unknown>): string[] => [
    ...new Set(
      (response.errors ?? []).flatMap((e) =>
        ((e.extensions?.fields as Array<{ field: string }> | undefined) ?? []).map((f) => f.field),
      ),
    ),
  ];

  // --- permissions ---------------------------------------------------------------------------

  describe('permissions', () => {
    it('declares a rule for every field of every type it adds; root fields stay nullable', async () => {
      const schema = await buildBareSchema();
      const type = schema.getType('TreatmentResource') as GraphQLObjectType;
      expect(Object.keys(type.getFields()).sort()).toEqual([...RESOURCE_FIELDS].sort());
      for (const name of [
        'TreatmentResource',
        'OpeningHours',
        'TreatmentResourceConnection',
        'TreatmentResourceEdge',
      ]) {
        const fields = Object.keys((schema.getType(name) as GraphQLObjectType).getFields());
        for (const field of fields) expect(PERMISSIONS[name]?.[field]).toBeDefined();
      }
      const roots = {
        Query: ['resources', 'resource'],
        Mutation: Object.keys(MUTATIONS),
      };
      for (const [root, names] of Object.entries(roots)) {
        const rootType = root === 'Query' ? schema.getQueryType() : schema.getMutationType();
        for (const name of names) {
          expect(PERMISSIONS[root]?.[name]).toBeDefined();
          expect(isNonNullType(rootType!.getFields()[name].type)).toBe(false);
        }
      }
    });

    it.each(READERS)('lets %s read every field, by id and in a search', async (role) => {
      const owner = await makeAgency(hub, AgencyKind.TREATMENT);
      const verifiedAt = new Date(Date.now() - 3_600_000);
      const resource = await makeResource(hub, {
        agency: owner,
        description: 'Methadone and counseling',
        services: [ResourceService.MOUD],
        moud: [MoudType.METHADONE],
        paymentAccepted: [PaymentAccepted.MEDICAID, PaymentAccepted.SELF_PAY],
        typicalCost: '$0 with Medicaid',
        hours: allDay(2),
        street: '1 Example Way',
        city: 'Asheville',
        state: 'NC',
        zip: '28801',
        phone: '828-555-0100',
        languages: ['en', 'es-MX'],
        lastVerifiedAt: verifiedAt,
      });
      const expected = {
        id: resource.id,
        agency: { id: owner.id },
        name: resource.name,
        description: 'Methadone and counseling',
        services: ['MOUD'],
        moud: ['METHADONE'],
        paymentAccepted: ['MEDICAID', 'SELF_PAY'],
        typicalCost: '$0 with Medicaid',
        hours: allDay(2),
        timeZone: 'America/New_York',
        street: '1 Example Way',
        city: 'Asheville',
        state: 'NC',
        zip: '28801',
        county: resource.county,
        phone: '828-555-0100',
        acceptingNewClients: true,
        languages: ['en', 'es-MX'],
        lastVerifiedAt: verifiedAt.toISOString(),
        active: true,
        openNow: isOpenNow(resource),
        version: 1,
        createdAt: resource.createdAt.toISOString(),
        updatedAt: resource.updatedAt.toISOString(),
      };
      const token = tokenOf(role);

      const byIdResponse = await get(resource.id, token);
      expect(byIdResponse.errors).toBeUndefined();
      expect(byIdResponse.data?.resource).toEqual(expected);

      const search = await list({ county: resource.county }, token);
      expect(search.errors).toBeUndefined();
      expect(search.data?.resources?.totalCount).toBe(1);
      expect(search.data?.resources?.edges[0].node).toEqual(expected);
    });

    it.each(DENIED_READERS)(
      'answers resource and resources to %s with FORBIDDEN, the rest intact',
      async (role) => {
        const resource = await makeResource(hub);
        const response = await hub.gql(
          `query ($id: ID!, $county: String) { me { role } resource(id: $id) { id name }
             resources(filter: { county: $county }) { totalCount } }`,
          { id: resource.id, county: resource.county },
          tokenOf(role),
        );
        expect(response.status).toBe(200);
        expect(response.data).toEqual({ me: { role }, resource: null, resources: null });
        expect(errorsAt(response).sort()).toEqual(
          [
            [['resource'], 'FORBIDDEN'],
            [['resources'], 'FORBIDDEN'],
          ].sort(),
        );
      },
    );

    const mutationCases = NON_MAINTAINERS.flatMap((role) =>
      (Object.keys(MUTATIONS) as MutationName[]).map((name) => [role, name] as const),
    );

    it.each(mutationCases)('refuses %s the mutation %s and writes nothing', async (role, name) => {
      const resource = await makeResource(hub, { active: name !== 'reactivateResource' });
      const before = await snapshot(resource.id);
      const count = await countResources();
      const variables =
        name === 'createResource'
          ? { input: validInput() }
          : name === 'updateResource'
            ? { id: resource.id, version: 1, input: { name: 'Renamed clinic' } }
            : { id: resource.id };
      const response = await hub.gql(MUTATIONS[name], variables, tokenOf(role));
      expect(response.data).toEqual({ __typename: 'Mutation', [name]: null });
      expect(errorsAt(response)).toEqual([[[name], 'FORBIDDEN']]);
      expect(await snapshot(resource.id)).toEqual(before);
      expect(await countResources()).toBe(count);
    });

    /**
     * No operation hands a listing to a role that may not read it (the root fields are refused
     * first), so the field rules themselves are exercised on a probe schema: the real types,
     * resolvers and permission rules behind the real shield layer, with root fields that return
     * each type to anyone.
     */
    describe('field by field, on a probe schema', () => {
      let probe: GraphQLSchema;
      let bare: GraphQLSchema;
      let resource: TreatmentResource;

      const PROBES = {
        TreatmentResource: 'probeResource',
        OpeningHours: 'probeHours',
        TreatmentResourceConnection: 'probeConnection',
        TreatmentResourceEdge: 'probeEdge',
      } as const;
      type ProbedType = keyof typeof PROBES;

      const SUBSELECTION: Record<string, string> = {
        agency: 'agency { id }',
        hours: 'hours { day }',
        edges: 'edges { cursor }',
        node: 'node { id }',
        pageInfo: 'pageInfo { hasNextPage }',
      };

      beforeAll(async () => {
        bare = await buildBareSchema();
        const owner = await makeAgency(hub, AgencyKind.TREATMENT);
        resource = await makeResource(hub, {
          agency: owner,
          description: 'Probe',
          typicalCost: 'Free',
          street: '1 Probe Street',
          city: 'Asheville',
          state: 'NC',
          zip: '28801',
          phone: '828-555-0199',
          lastVerifiedAt: new Date(),
        });
        const edge = { cursor: 'probe', node: resource };
        const values: Record<ProbedType, () => unknown> = {
          TreatmentResource: () => resource,
          OpeningHours: () => ({ day: 1, opens: '09:00', closes: '17:00' }),
          TreatmentResourceConnection: () => ({
            edges: [edge],
            pageInfo: { hasNextPage: false, endCursor: 'probe' },
            totalCount: 1,
          }),
          TreatmentResourceEdge: () => edge,
        };
        const query = new GraphQLObjectType<unknown, Context>({
          name: 'Query',
          fields: Object.fromEntries(
            (Object.keys(PROBES) as ProbedType[]).map((type) => [
              PROBES[type],
              { type: bare.getType(type) as GraphQLObjectType, resolve: values[type] },
            ]),
          ),
        });
        const anyone = allowRoles('probeAnyone', ALL_ROLES);
        probe = protectSchema(new GraphQLSchema({ query }), {
          Query: Object.fromEntries(Object.values(PROBES).map((f) => [f, anyone])),
          TreatmentResource: PERMISSIONS.TreatmentResource,
          OpeningHours: PERMISSIONS.OpeningHours,
          TreatmentResourceConnection: PERMISSIONS.TreatmentResourceConnection,
          TreatmentResourceEdge: PERMISSIONS.TreatmentResourceEdge,
          PageInfo: PERMISSIONS.PageInfo,
          Agency: PERMISSIONS.Agency,
        });
      });

      const run = async (role: Role, type: ProbedType, field: string): Promise<ExecutionResult> => {
        const agency = readers.get(role)!.agency;
        const ctx: Context = {
          em: hub.em(),
          viewer: { kind: 'USER', agencyId: agency.id, agencyKind: agency.kind, role },
          requestId: 'probe',
          config: hub.config,
          logger: createLogger('silent'),
        };
        return execute({
          schema: probe,
          document: parse(`{ ${PROBES[type]} { __typename ${SUBSELECTION[field] ?? field} } }`),
          contextValue: ctx,
        });
      };

      const fieldsOf = (type: ProbedType) =>
        type === 'TreatmentResource'
          ? [...RESOURCE_FIELDS]
          : Object.keys((PERMISSIONS[type] ?? {}) as object);

      const cases = (roles: readonly Role[]) =>
        roles.flatMap((role) =>
          (Object.keys(PROBES) as ProbedType[]).flatMap((type) =>
            fieldsOf(type).map((field) => [role, `${type}.${field}`] as const),
          ),
        );

      const split = (typeField: string) => typeField.split('.') as [ProbedType, string];

      it.each(cases(READERS))('%s may read %s', async (role, typeField) => {
        const [type, field] = split(typeField);
        const result = await run(role, type, field);
        expect(result.errors).toBeUndefined();
        const value = (result.data?.[PROBES[type]] as Record<string, unknown>)[field];
        expect(value).not.toBeNull();
        expect(value).toBeDefined();
      });

      it.each(cases(DENIED_READERS))(
        '%s gets null and FORBIDDEN for %s',
        async (role, typeField) => {
          const [type, field] = split(typeField);
          const result = await run(role, type, field);
          const root = PROBES[type];
          expect(result.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
            [[root, field], 'FORBIDDEN'],
          ]);
          const fieldType = (bare.getType(type) as GraphQLObjectType).getFields()[field].type;
          // A denied non-null field takes its object with it; a nullable one is null on its own.
          expect(result.data).toEqual(
            isNonNullType(fieldType)
              ? { [root]: null }
              : { [root]: { __typename: type, [field]: null } },
          );
        },
      );
    });
  });

  // --- search --------------------------------------------------------------------------------

  describe('search', () => {
    /** The four demo listings, moved to a fresh county so that no other test sees them. */
    async function demoDirectory() {
      const county = uniqueCounty();
      const made = new Map<string, TreatmentResource>();
      for (const demo of demoResources()) {
        made.set(demo.name, await makeResource(hub, { ...demo, county }));
      }
      const named = (fragment: string) => [...made.keys()].find((n) => n.includes(fragment))!;
      return {
        county,
        otp: named('Opioid Treatment'),
        bridge: named('Bridge'),
        ssp: named('Syringe'),
        detox: named('Withdrawal'),
      };
    }

    it('never shows an uninsured person (no payment or sliding scale) a clinic they cannot pay', async () => {
      const d = await demoDirectory();
      const names = await found({
        county: d.county,
        paymentAccepted: ['NO_PAYMENT', 'SLIDING_SCALE'],
      });
      expect(names).toEqual([d.bridge, d.ssp].sort());
      expect(names).not.toContain(d.detox);
    });

    it('finds resources accepting any one of the payments listed', async () => {
      const d = await demoDirectory();
      expect(await found({ county: d.county, paymentAccepted: ['PRIVATE_INSURANCE'] })).toEqual([
        d.detox,
      ]);
      expect(await found({ county: d.county, paymentAccepted: ['MEDICARE', 'MEDICAID'] })).toEqual(
        [d.otp, d.bridge].sort(),
      );
    });

    it('filters by medication: methadone finds the OTP, buprenorphine the bridge clinic', async () => {
      const d = await demoDirectory();
      expect(await found({ county: d.county, moud: 'METHADONE' })).toEqual([d.otp]);
      expect(await found({ county: d.county, moud: 'BUPRENORPHINE' })).toEqual([d.bridge]);
      expect(await found({ county: d.county, moud: 'NALTREXONE' })).toEqual([d.bridge]);
    });

    it('filters by service', async () => {
      const d = await demoDirectory();
      expect(await found({ county: d.county, service: 'SYRINGE_SERVICES' })).toEqual([d.ssp]);
      expect(await found({ county: d.county, service: 'MOUD' })).toEqual([d.otp, d.bridge].sort());
    });

    it('filters by county', async () => {
      const here = await makeResource(hub);
      await makeResource(hub);
      expect(await found({ county: here.county })).toEqual([here.name]);
    });

    it('filters by whether new clients are accepted', async () => {
      const county = uniqueCounty();
      const open = await makeResource(hub, { county });
      const full = await makeResource(hub, { county, acceptingNewClients: false });
      expect(await found({ county, acceptingNewClients: true })).toEqual([open.name]);
      expect(await found({ county, acceptingNewClients: false })).toEqual([full.name]);
    });

    it('filters by language: es finds es and es-MX; es-MX also finds es', async () => {
      const county = uniqueCounty();
      const es = await makeResource(hub, { county, languages: ['en', 'es'] });
      const mx = await makeResource(hub, { county, languages: ['es-MX'] });
      await makeResource(hub, { county, languages: ['en'] });
      await makeResource(hub, { county, languages: ['est'] });
      expect(await found({ county, language: 'es' })).toEqual([es.name, mx.name].sort());
      expect(await found({ county, language: 'ES-mx' })).toEqual([es.name, mx.name].sort());
    });

    it('combines filters with and', async () => {
      const d = await demoDirectory();
      expect(
        await found({
          county: d.county,
          service: 'MOUD',
          paymentAccepted: ['NO_PAYMENT'],
          language: 'es',
          acceptingNewClients: true,
        }),
      ).toEqual([d.bridge]);
    });

    it('leaves out withdrawn listings unless asked', async () => {
      const county = uniqueCounty();
      const active = await makeResource(hub, { county });
      const withdrawn = await makeResource(hub, { county, active: false });
      expect(await found({ county })).toEqual([active.name]);
      expect(await found({ county, includeInactive: true })).toEqual(
        [active.name, withdrawn.name].sort(),
      );
    });

    it('pages with a cursor; totalCount counts every match', async () => {
      const county = uniqueCounty();
      const made: TreatmentResource[] = [];
      for (let i = 0; i < 5; i++) made.push(await makeResource(hub, { county }));
      const seen: string[] = [];
      let after: string | undefined;
      for (const expectedSize of [2, 2, 1]) {
        const response = await list({ county }, undefined, { first: 2, after });
        expect(response.errors).toBeUndefined();
        const page = response.data!.resources!;
        expect(page.totalCount).toBe(5);
        expect(page.edges).toHaveLength(expectedSize);
        expect(page.pageInfo.hasNextPage).toBe(expectedSize === 2);
        seen.push(...page.edges.map((e) => e.node.id));
        after = page.pageInfo.endCursor ?? undefined;
      }
      expect(seen).toEqual(made.map((r) => r.id));
    });

    it.each([
      ['county', { county: '370' }, 'filter.county'],
      ['an empty payment list', { paymentAccepted: [] }, 'filter.paymentAccepted'],
      ['a language', { language: 'en_US' }, 'filter.language'],
    ])('refuses a malformed %s, naming the field', async (_label, filter, field) => {
      const response = await list(filter);
      expect(response.data?.resources).toBeNull();
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(problemFields(response)).toEqual([field]);
    });

    it('refuses a cursor it did not make', async () => {
      const response = await list({}, undefined, { after: 'not-a-cursor' });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(problemFields(response)).toEqual(['after']);
    });
  });

  // --- open now ------------------------------------------------------------------------------

  describe('open now', () => {
    it('is judged on the resource’s own clock: a zone whose day differs from UTC', async () => {
      const now = new Date();
      // At any moment, one of UTC+14 and UTC-11 is on another day than UTC.
      const offset = dayAtOffset(now, 14) !== now.getUTCDay() ? 14 : -11;
      const zone = offset === 14 ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago';
      const localDay = dayAtOffset(now, offset);
      const county = uniqueCounty();
      const openThere = await makeResource(hub, {
        county,
        timeZone: zone,
        hours: allDay(localDay),
      });
      const openOnUtcDay = await makeResource(hub, {
        county,
        timeZone: zone,
        hours: allDay(now.getUTCDay()),
      });

      expect(await found({ county, openNow: true })).toEqual([openThere.name]);
      expect(await found({ county, openNow: false })).toEqual([openOnUtcDay.name]);
      expect((await get(openThere.id, hubAdmin.token)).data?.resource?.openNow).toBe(true);
      expect((await get(openOnUtcDay.id, hubAdmin.token)).data?.resource?.openNow).toBe(false);
    });

    it('stays open past midnight: 20:00–03:00 yesterday is open at 01:xx today', async () => {
      const now = new Date();
      // A fixed-offset zone where it is now between 01:00 and 01:59.
      let offset = (((1 - now.getUTCHours()) % 24) + 24) % 24;
      if (offset > 14) offset -= 24;
      const timeZone = fixedZone(offset);
      const today = dayAtOffset(now, offset);
      const yesterday = (today + 6) % 7;
      const county = uniqueCounty();
      const lateNight = await makeResource(hub, {
        county,
        timeZone,
        hours: [{ day: yesterday, opens: '20:00', closes: '03:00' }],
      });
      const tonight = await makeResource(hub, {
        county,
        timeZone,
        hours: [{ day: today, opens: '20:00', closes: '03:00' }],
      });
      const closedAtOne = await makeResource(hub, {
        county,
        timeZone,
        hours: [{ day: yesterday, opens: '20:00', closes: '01:00' }],
      });

      expect(await found({ county, openNow: true })).toEqual([lateNight.name]);
      expect(await found({ county, openNow: false })).toEqual(
        [tonight.name, closedAtOne.name].sort(),
      );
      const openNow = async (id: string) => (await get(id, hubAdmin.token)).data?.resource?.openNow;
      expect(await openNow(lateNight.id)).toBe(true);
      expect(await openNow(tonight.id)).toBe(false);
      expect(await openNow(closedAtOne.id)).toBe(false);
    });

    it('answers the same in SQL (the filter) as in Node (the field) at fixed instants', async () => {
      const county = uniqueCounty();
      const ny = 'America/New_York';
      const make = (name: string, timeZone: string, hours: TreatmentResource['hours']) =>
        makeResource(hub, { county, name: `${name} ${unique()}`, timeZone, hours });
      const r = {
        nyFridayNight: await make('ny-fri-night', ny, [
          { day: 5, opens: '20:00', closes: '02:00' },
        ]),
        tokyoFriday: await make('tokyo-fri', 'Asia/Tokyo', [
          { day: 5, opens: '09:00', closes: '17:00' },
        ]),
        nySaturdayNight: await make('ny-sat-night', ny, [
          { day: 6, opens: '22:00', closes: '03:00' },
        ]),
        utcSaturdayEarly: await make('utc-sat', 'UTC', [
          { day: 6, opens: '03:00', closes: '04:00' },
        ]),
        nySundayDst: await make('ny-sun-dst', ny, [{ day: 0, opens: '03:00', closes: '04:00' }]),
      };
      const all = Object.values(r);
      const expectations: Array<[string, TreatmentResource[]]> = [
        // Friday 22:30 in New York, Saturday 12:30 in Tokyo, Saturday 03:30 in UTC.
        ['2024-01-06T03:30:00Z', [r.nyFridayNight, r.utcSaturdayEarly]],
        ['2024-01-06T06:59:00Z', [r.nyFridayNight]],
        ['2024-01-06T07:00:00Z', []],
        // Friday 10:00 in Tokyo, Thursday 20:00 in New York.
        ['2024-01-05T01:00:00Z', [r.tokyoFriday]],
        // Sunday 01:00 in New York: Saturday night's hours wrap the week.
        ['2024-01-07T06:00:00Z', [r.nySaturdayNight]],
        // Sunday 03:30 EDT, the first hour after clocks spring forward.
        ['2024-03-10T07:30:00Z', [r.nySundayDst]],
      ];
      for (const [iso, expected] of expectations) {
        const at = new Date(iso);
        const { rows } = await searchResources(
          hub.em(),
          { county, openNow: true },
          undefined,
          100,
          at,
        );
        const names = (list: TreatmentResource[]) => list.map((x) => x.name).sort();
        expect([iso, names(rows)]).toEqual([iso, names(expected)]);
        expect([iso, names(all.filter((x) => isOpenNow(x, at)))]).toEqual([iso, names(expected)]);
        const closed = await searchResources(
          hub.em(),
          { county, openNow: false },
          undefined,
          100,
          at,
        );
        expect(closed.totalCount).toBe(all.length - expected.length);
      }
    });
  });

  // --- maintenance ---------------------------------------------------------------------------

  describe('maintenance', () => {
    it('lets the hub admin create a listing for any agency, normalising what it stores', async () => {
      const owner = await makeAgency(hub, AgencyKind.TREATMENT);
      const input = validInput({
        agencyId: owner.id,
        name: '  Bridge Clinic North  ',
        languages: ['EN', 'es-mx'],
        street: '   ',
        hours: [
          { day: 3, opens: '09:00', closes: '17:00' },
          { day: 1, opens: '09:00', closes: '17:00' },
        ],
      });
      const response = await create(input);
      expect(response.errors).toBeUndefined();
      const made = response.data!.createResource!;
      expect(made).toMatchObject({
        agency: { id: owner.id },
        name: 'Bridge Clinic North',
        services: ['MOUD', 'OUTPATIENT'],
        moud: ['BUPRENORPHINE'],
        languages: ['en', 'es-MX'],
        street: null,
        hours: [
          { day: 1, opens: '09:00', closes: '17:00' },
          { day: 3, opens: '09:00', closes: '17:00' },
        ],
        active: true,
        version: 1,
        lastVerifiedAt: null,
      });
      expect((await hub.em().findOneOrFail(TreatmentResource, { id: made.id })).county).toBe(
        input.county,
      );
    });

    it('lets the hub admin keep a listing with no owning agency; defaults fill the rest', async () => {
      const response = await create({
        name: 'Hub-kept listing',
        services: ['PEER_SUPPORT'],
        timeZone: 'America/New_York',
        county: uniqueCounty(),
      });
      expect(response.errors).toBeUndefined();
      expect(response.data?.createResource).toMatchObject({
        agency: null,
        moud: [],
        paymentAccepted: [],
        hours: [],
        languages: ['en'],
        acceptingNewClients: true,
        openNow: false,
      });
    });

    it('makes an agency admin’s listing its own agency’s, and refuses naming another', async () => {
      const mine = await create(validInput(), ownAdmin.token);
      expect(mine.errors).toBeUndefined();
      expect(mine.data?.createResource?.agency).toEqual({ id: ownAdmin.agency.id });

      const explicit = await create(validInput({ agencyId: ownAdmin.agency.id }), ownAdmin.token);
      expect(explicit.data?.createResource?.agency).toEqual({ id: ownAdmin.agency.id });

      const count = await countResources();
      const other = await create(validInput({ agencyId: otherAdmin.agency.id }), ownAdmin.token);
      expect(other.data?.createResource).toBeNull();
      expect(errorCodes(other)).toEqual(['BAD_USER_INPUT']);
      expect(problemFields(other)).toEqual(['input.agencyId']);
      expect(await countResources()).toBe(count);
    });

    it('refuses the hub admin an owner that is not an active agency', async () => {
      const inactive = await makeAgency(hub, AgencyKind.TREATMENT, { active: false });
      for (const agencyId of [inactive.id, '00000000-0000-4000-8000-000000000000', 'nope']) {
        const response = await create(validInput({ agencyId }));
        expect(problemFields(response)).toEqual(['input.agencyId']);
      }
    });

    it('updates only the fields given, clears optional ones with null, bumps the version', async () => {
      const resource = await makeResource(hub, {
        description: 'Old description',
        phone: '828-555-0100',
        languages: ['en'],
      });
      const response = await update(resource.id, 1, {
        name: 'Renamed Clinic',
        description: null,
        paymentAccepted: ['NO_PAYMENT'],
        hours: [{ day: 5, opens: '20:00', closes: '02:00' }],
      });
      expect(response.errors).toBeUndefined();
      expect(response.data?.updateResource).toMatchObject({
        name: 'Renamed Clinic',
        description: null,
        phone: '828-555-0100',
        paymentAccepted: ['NO_PAYMENT'],
        services: ['OUTPATIENT'],
        hours: [{ day: 5, opens: '20:00', closes: '02:00' }],
        version: 2,
      });
    });

    it('lets the hub admin move a listing to another agency or to none', async () => {
      const resource = await makeResource(hub, { agency: ownAdmin.agency });
      const moved = await update(resource.id, 1, { agencyId: otherAdmin.agency.id });
      expect(moved.data?.updateResource?.agency).toEqual({ id: otherAdmin.agency.id });
      const hubKept = await update(resource.id, 2, { agencyId: null });
      expect(hubKept.errors).toBeUndefined();
      expect(hubKept.data?.updateResource?.agency).toBeNull();
    });

    it('lets an agency admin maintain its own agency’s listings', async () => {
      const resource = await makeResource(hub, { agency: ownAdmin.agency });
      const updated = await update(resource.id, 1, { acceptingNewClients: false }, ownAdmin.token);
      expect(updated.errors).toBeUndefined();
      expect(updated.data?.updateResource).toMatchObject({
        acceptingNewClients: false,
        version: 2,
      });
      expect((await verify(resource.id, ownAdmin.token)).errors).toBeUndefined();
      expect((await deactivate(resource.id, ownAdmin.token)).data?.deactivateResource?.active).toBe(
        false,
      );
      expect((await reactivate(resource.id, ownAdmin.token)).data?.reactivateResource?.active).toBe(
        true,
      );
    });

    it('refuses an agency admin moving its listing to another agency', async () => {
      const resource = await makeResource(hub, { agency: ownAdmin.agency });
      const before = await snapshot(resource.id);
      const response = await update(
        resource.id,
        1,
        { agencyId: otherAdmin.agency.id },
        ownAdmin.token,
      );
      expect(problemFields(response)).toEqual(['input.agencyId']);
      expect(await snapshot(resource.id)).toEqual(before);
    });

    it('lets an agency admin read, but not change, another agency’s listing', async () => {
      const resource = await makeResource(hub, { agency: otherAdmin.agency });
      const read = await get(resource.id, ownAdmin.token);
      expect(read.errors).toBeUndefined();
      expect(read.data?.resource?.id).toBe(resource.id);
    });

    const scopeCases: Array<[string, (id: string, token: string) => Promise<GraphQLResponse>]> = [
      ['updateResource', (id, token) => update(id, 1, { name: 'Taken over' }, token)],
      ['verifyResource', (id, token) => verify(id, token)],
      ['deactivateResource', (id, token) => deactivate(id, token)],
      ['reactivateResource', (id, token) => reactivate(id, token)],
    ];

    it.each(scopeCases)(
      '%s of another agency’s or a hub-kept listing answers an agency admin exactly like a missing id',
      async (_name, call) => {
        const missing = await call('5b0c8f7e-6a8e-4c59-9d1e-2f7a3c1d9e00', ownAdmin.token);
        expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
        for (const agency of [otherAdmin.agency, null] as Array<Agency | null>) {
          const resource = await makeResource(hub, { agency });
          const before = await snapshot(resource.id);
          const response = await call(resource.id, ownAdmin.token);
          expect({ data: response.data, errors: response.errors }).toEqual({
            data: missing.data,
            errors: missing.errors,
          });
          expect(await snapshot(resource.id)).toEqual(before);
        }
      },
    );

    it('answers an id that is not a UUID like a missing one', async () => {
      const response = await get('not-an-id', hubAdmin.token);
      expect(response.data?.resource).toBeNull();
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    });

    it('refuses a stale version with CONFLICT and writes nothing', async () => {
      const resource = await makeResource(hub);
      expect((await update(resource.id, 1, { name: 'First edit' })).errors).toBeUndefined();
      const before = await snapshot(resource.id);
      const stale = await update(resource.id, 1, { name: 'Second edit' });
      expect(stale.data?.updateResource).toBeNull();
      expect(errorCodes(stale)).toEqual(['CONFLICT']);
      expect(await snapshot(resource.id)).toEqual(before);
      expect(before.name).toBe('First edit');
    });

    it('records verification time', async () => {
      const resource = await makeResource(hub);
      const before = Date.now();
      const response = await verify(resource.id);
      expect(response.errors).toBeUndefined();
      const verifiedAt = Date.parse(response.data!.verifyResource!.lastVerifiedAt!);
      expect(verifiedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(verifiedAt).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('refuses to verify a withdrawn listing, naming the id', async () => {
      const resource = await makeResource(hub, { active: false });
      const response = await verify(resource.id);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(problemFields(response)).toEqual(['id']);
    });

    it('withdraws a listing from searches but keeps it readable by id; reactivation lists it again', async () => {
      const resource = await makeResource(hub);
      const response = await deactivate(resource.id);
      expect(response.data?.deactivateResource).toMatchObject({ active: false, version: 2 });
      expect(await found({ county: resource.county })).toEqual([]);
      expect((await get(resource.id, tokenOf(Role.OUTREACH_WORKER))).data?.resource?.active).toBe(
        false,
      );
      expect((await deactivate(resource.id)).data?.deactivateResource?.version).toBe(2);
      await reactivate(resource.id);
      expect(await found({ county: resource.county })).toEqual([resource.name]);
    });

    it('accepts every demo listing through createResource', async () => {
      for (const demo of demoResources()) {
        const response = await create({ ...demo });
        expect(response.errors).toBeUndefined();
      }
    });
  });

  // --- validation ----------------------------------------------------------------------------

  describe('validation', () => {
    const tooMany = (n: number, make: (i: number) => unknown) =>
      Array.from({ length: n }, (_, i) => make(i));

    it.each<[string, Record<string, unknown>, string]>([
      ['a one-letter name', { name: 'A' }, 'input.name'],
      ['a 201-character name', { name: 'x'.repeat(201) }, 'input.name'],
      ['a blank name', { name: '    ' }, 'input.name'],
      ['a name with a control character', { name: 'Clinic\u0007 North' }, 'input.name'],
      ['no service', { services: [], moud: [] }, 'input.services'],
      ['a repeated service', { services: ['MOUD', 'MOUD'] }, 'input.services'],
      ['medications without MOUD', { services: ['OUTPATIENT'], moud: ['METHADONE'] }, 'input.moud'],
      ['a four-digit county', { county: '3702' }, 'input.county'],
      ['a county with letters', { county: 'ABCDE' }, 'input.county'],
      ['a lower-case state', { state: 'nc' }, 'input.state'],
      ['a state name', { state: 'North Carolina' }, 'input.state'],
      ['a short zip', { zip: '2880' }, 'input.zip'],
      ['a phone with words', { phone: 'call the front desk' }, 'input.phone'],
      ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, 'input.timeZone'],
      ['an offset for a time zone', { timeZone: '+05:00' }, 'input.timeZone'],
      ['a time zone in the wrong case', { timeZone: 'america/new_york' }, 'input.timeZone'],
      ['day 7', { hours: [{ day: 7, opens: '09:00', closes: '17:00' }] }, 'input.hours.0.day'],
      [
        'opens 24:00',
        { hours: [{ day: 1, opens: '24:00', closes: '17:00' }] },
        'input.hours.0.opens',
      ],
      [
        'closes 9:5',
        { hours: [{ day: 1, opens: '09:00', closes: '9:5' }] },
        'input.hours.0.closes',
      ],
      [
        'opens equal to closes',
        { hours: [{ day: 1, opens: '09:00', closes: '09:00' }] },
        'input.hours.0.closes',
      ],
      [
        'fifteen periods',
        { hours: tooMany(15, (i) => ({ day: i % 7, opens: '09:00', closes: '10:00' })) },
        'input.hours',
      ],
      ['an underscore language', { languages: ['en_US'] }, 'input.languages'],
      ['a one-letter language', { languages: ['e'] }, 'input.languages'],
      ['a language twice', { languages: ['es', 'ES'] }, 'input.languages'],
      [
        '21 languages',
        { languages: tooMany(21, (i) => `l${String.fromCharCode(97 + i)}`) },
        'input.languages',
      ],
      ['a 2001-character description', { description: 'x'.repeat(2001) }, 'input.description'],
      ['a 501-character typical cost', { typicalCost: 'x'.repeat(501) }, 'input.typicalCost'],
    ])(
      'refuses %s on create, naming the field, and writes nothing',
      async (_label, extra, field) => {
        const count = await countResources();
        const response = await create(validInput(extra));
        expect(response.data?.createResource).toBeNull();
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(problemFields(response)).toEqual([field]);
        expect(await countResources()).toBe(count);
        // Messages name the rule, never the submitted value.
        for (const value of Object.values(extra)) {
          if (typeof value === 'string' && value.trim().length > 2) {
            expect(response.errors?.[0].message).not.toContain(value);
          }
        }
      },
    );

    it('reports every problem of one input at once', async () => {
      const response = await create(validInput({ name: 'A', county: '1', zip: 'zip' }));
      expect(problemFields(response).sort()).toEqual(['input.county', 'input.name', 'input.zip']);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['a null name', { name: null }, 'input.name'],
      ['null services', { services: null }, 'input.services'],
      ['a null time zone', { timeZone: null }, 'input.timeZone'],
      ['dropping MOUD while medications stay', { services: ['OUTPATIENT'] }, 'input.services'],
      [
        'medications for a resource without MOUD',
        { services: ['DETOX'], moud: ['NALTREXONE'] },
        'input.moud',
      ],
      ['an unknown time zone', { timeZone: 'Europe/Atlantis' }, 'input.timeZone'],
      ['a blank time zone', { timeZone: '   ' }, 'input.timeZone'],
      [
        'a bad opening time',
        { hours: [{ day: 1, opens: '9am', closes: '17:00' }] },
        'input.hours.0.opens',
      ],
    ])(
      'refuses %s on update, naming the field, and changes nothing',
      async (_label, input, field) => {
        const resource = await makeResource(hub, {
          services: [ResourceService.MOUD],
          moud: [MoudType.BUPRENORPHINE],
        });
        const before = await snapshot(resource.id);
        const response = await update(resource.id, 1, input);
        expect(response.data?.updateResource).toBeNull();
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(problemFields(response)).toEqual([field]);
        expect(await snapshot(resource.id)).toEqual(before);
      },
    );
  });
});
