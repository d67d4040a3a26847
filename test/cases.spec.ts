import { isObjectType } from 'graphql';
import { Role } from '../src/common/role';
import { PERMISSIONS } from '../src/permissions';
import { buildBareSchema } from '../src/schema';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseStatus } from '../src/modules/case/case-codes';
import {
  makeAgency,
  makeAgreement,
  makeRoutedCase,
  makeUser,
  uniqueCounty,
  type Actor,
  type RoutedCase,
} from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

const CASE_FIELDS = `id status closeReason triageReason county
  routedAgency { id name } assignedWorker { id displayName }
  followUpOpensAt followUpDueAt overdue identitySealed sealedReason
  person { id firstName lastName dateOfBirth phone street city state zip sex raceEthnicity doNotContact }
  indexIncident { id county }
  referrals { id toAgency { id } type status statusReason createdAt respondedAt }
  priorCaseCount repeatOverdose version createdAt updatedAt`;
const CASE = `query ($id: ID!) { case(id: $id) { ${CASE_FIELDS} } }`;
const CASES = `query ($filter: CaseFilter, $first: Int, $after: String) {
  cases(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status } }
  }
}`;

type CaseData = Record<string, unknown> & { person: Record<string, unknown> | null };
type CasesData = {
  cases: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: Array<{ cursor: string; node: { id: string; status: string } }>;
  } | null;
};

const HOUR = 3_600_000;
const forbiddenPaths = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? [])
    .filter((e) => e.extensions?.code === 'FORBIDDEN')
    .map((e) => (e.path ?? []).join('.'))
    .sort();

describe('case queries', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const readCase = (id: string, actor: Actor) =>
    hub.gql<{ case: CaseData | null }>(CASE, { id }, actor.token);
  const listCases = (actor: Actor, variables: Record<string, unknown> = {}) =>
    hub.gql<CasesData>(CASES, variables, actor.token);

  /** An assigned, unsealed repeat-overdose case: every field has a value to show or hide. */
  async function fullCase(): Promise<{ routed: RoutedCase; worker: Actor }> {
    const first = await makeRoutedCase(hub, { status: CaseStatus.CLOSED });
    const outreach = first.outreach;
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
    const routed = await makeRoutedCase(hub, {
      outreach,
      reporter: first.reporter,
      agreement: false,
      status: CaseStatus.ASSIGNED,
      assignedWorker: worker.user,
      priorCases: [first.kase],
    });
    return { routed, worker };
  }

  describe('field permissions', () => {
    it('has an explicit rule for every field of the case types and operations', async () => {
      const schema = await buildBareSchema();
      const missing: string[] = [];
      for (const typeName of ['Case', 'CaseConnection', 'CaseEdge', 'Referral', 'Person']) {
        const type = schema.getType(typeName);
        if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
        for (const field of Object.keys(type.getFields())) {
          if (!PERMISSIONS[typeName]?.[field]) missing.push(`${typeName}.${field}`);
        }
      }
      for (const [typeName, field] of [
        ['Query', 'case'],
        ['Query', 'cases'],
        ['Mutation', 'acceptCase'],
        ['Mutation', 'declineCase'],
        ['Mutation', 'retriageCase'],
      ]) {
        if (!PERMISSIONS[typeName]?.[field]) missing.push(`${typeName}.${field}`);
      }
      expect(missing).toEqual([]);
    });

    const EVERY_FIELD = [
      'id',
      'status',
      'closeReason',
      'triageReason',
      'county',
      'routedAgency',
      'assignedWorker',
      'followUpOpensAt',
      'followUpDueAt',
      'overdue',
      'identitySealed',
      'sealedReason',
      'person',
      'indexIncident',
      'referrals',
      'priorCaseCount',
      'repeatOverdose',
      'version',
      'createdAt',
      'updatedAt',
    ];

    it('shows an outreach worker every field of an unsealed case of its agency', async () => {
      const { routed, worker } = await fullCase();
      const response = await readCase(routed.kase.id, worker);
      expect(response.errors).toBeUndefined();
      const kase = response.data!.case!;
      expect(Object.keys(kase).sort()).toEqual([...EVERY_FIELD].sort());
      expect(kase).toMatchObject({
        id: routed.kase.id,
        status: 'ASSIGNED',
        closeReason: null,
        triageReason: null,
        county: routed.kase.county,
        routedAgency: { id: routed.outreach.id },
        assignedWorker: { id: worker.user.id, displayName: worker.user.displayName },
        followUpOpensAt: routed.kase.followUpOpensAt.toISOString(),
        followUpDueAt: routed.kase.followUpDueAt.toISOString(),
        overdue: false,
        identitySealed: false,
        sealedReason: null,
        indexIncident: { id: routed.incident.id, county: routed.kase.county },
        priorCaseCount: 1,
        repeatOverdose: true,
        version: 1,
      });
      expect(kase.person).toMatchObject({
        id: routed.person!.id,
        firstName: routed.person!.firstName,
        lastName: routed.person!.lastName,
        dateOfBirth: '1990-04-01',
        phone: '555-0100',
        street: '1 Main St',
        city: 'Springfield',
        state: 'NC',
        zip: '27000',
        raceEthnicity: [],
        doNotContact: false,
      });
      expect(kase.referrals).toEqual([
        expect.objectContaining({
          toAgency: { id: routed.outreach.id },
          type: 'FOLLOW_UP_OUTREACH',
          status: 'ACCEPTED',
        }),
      ]);
    });

    it('hides identity, incident and history from the agency admin, keeping the queue', async () => {
      const { routed } = await fullCase();
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      const response = await readCase(routed.kase.id, admin);
      expect(forbiddenPaths(response)).toEqual([
        'case.indexIncident',
        'case.person',
        'case.priorCaseCount',
        'case.repeatOverdose',
      ]);
      const kase = response.data!.case!;
      expect(kase).toMatchObject({
        person: null,
        indexIncident: null,
        priorCaseCount: null,
        repeatOverdose: null,
        id: routed.kase.id,
        status: 'ASSIGNED',
        routedAgency: { id: routed.outreach.id },
        assignedWorker: { id: routed.kase.assignedWorker!.id },
        identitySealed: false,
        version: 1,
      });
      expect(kase.referrals).toHaveLength(1);
    });

    it('shows the hub admin routing and timing but no identity, incident or worker', async () => {
      const { routed } = await fullCase();
      const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
      const response = await readCase(routed.kase.id, hubAdmin);
      expect(forbiddenPaths(response)).toEqual([
        'case.assignedWorker',
        'case.indexIncident',
        'case.person',
        'case.priorCaseCount',
        'case.repeatOverdose',
      ]);
      expect(response.data!.case).toMatchObject({
        id: routed.kase.id,
        status: 'ASSIGNED',
        county: routed.kase.county,
        routedAgency: { id: routed.outreach.id },
        followUpDueAt: routed.kase.followUpDueAt.toISOString(),
        version: 1,
        assignedWorker: null,
        person: null,
      });
    });

    it.each([
      Role.POLICE_OFFICER,
      Role.EMS_PROVIDER,
      Role.LEAD_CASE_MANAGER,
      Role.ANALYST,
      Role.RESEARCHER,
    ])('gives %s nothing: case and cases are FORBIDDEN', async (role) => {
      const { routed } = await fullCase();
      const caller = await makeUser(hub, role);
      const one = await readCase(routed.kase.id, caller);
      expect(one.data).toEqual({ case: null });
      expect(forbiddenPaths(one)).toEqual(['case']);
      const list = await listCases(caller);
      expect(list.data).toEqual({ cases: null });
      expect(forbiddenPaths(list)).toEqual(['cases']);
    });

    it('lets the reporting police officer see nothing of the case, even with its id', async () => {
      const { routed } = await fullCase();
      const officer = await makeUser(hub, Role.POLICE_OFFICER, { agency: routed.reporter });
      const response = await readCase(routed.kase.id, officer);
      expect(response.data).toEqual({ case: null });
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    });

    it("shows a worker a teammate's name as the assigned worker, but not their email", async () => {
      const { routed, worker } = await fullCase();
      const teammate = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await hub.gql<{ case: { assignedWorker: Record<string, unknown> } }>(
        'query ($id: ID!) { case(id: $id) { assignedWorker { id displayName email } } }',
        { id: routed.kase.id },
        teammate.token,
      );
      expect(response.data!.case.assignedWorker).toEqual({
        id: worker.user.id,
        displayName: worker.user.displayName,
        email: null,
      });
      expect(forbiddenPaths(response)).toEqual(['case.assignedWorker.email']);
    });

    it('shows referrals to every case reader, each field', async () => {
      const routed = await makeRoutedCase(hub);
      for (const role of [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN]) {
        const caller = await makeUser(hub, role, { agency: routed.outreach });
        const response = await readCase(routed.kase.id, caller);
        expect(response.data!.case!.referrals).toEqual([
          {
            id: routed.referral.id,
            toAgency: { id: routed.outreach.id },
            type: 'FOLLOW_UP_OUTREACH',
            status: 'REQUESTED',
            statusReason: null,
            createdAt: routed.referral.createdAt.toISOString(),
            respondedAt: null,
          },
        ]);
      }
      const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
      const response = await readCase(routed.kase.id, hubAdmin);
      expect(response.data!.case!.referrals).toHaveLength(1);
    });
  });

  describe('sealed identity', () => {
    it('seals the exact place of the overdose too, keeping the county', async () => {
      const routed = await makeRoutedCase(hub, { agreement: false });
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const query = `query ($id: ID!) { case(id: $id) { id indexIncident { id county street city zip latitude longitude } } }`;
      const sealed = await hub.gql<{ case: { indexIncident: Record<string, unknown> } }>(
        query,
        { id: routed.kase.id },
        worker.token,
      );
      expect(sealed.data!.case.indexIncident).toEqual({
        id: routed.incident.id,
        county: routed.kase.county,
        street: null,
        city: null,
        zip: null,
        latitude: null,
        longitude: null,
      });
      expect(forbiddenPaths(sealed)).toEqual(
        ['city', 'latitude', 'longitude', 'street', 'zip'].map((f) => `case.indexIncident.${f}`),
      );
      await makeAgreement(hub, routed.reporter, routed.outreach, {
        counties: [routed.kase.county],
      });
      const open = await hub.gql(query, { id: routed.kase.id }, worker.token);
      expect(open.errors).toBeUndefined();
    });

    it('seals the person without an agreement: null + FORBIDDEN at case.person only', async () => {
      const routed = await makeRoutedCase(hub, { agreement: false });
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await readCase(routed.kase.id, worker);
      expect(forbiddenPaths(response)).toEqual(['case.person']);
      expect(response.data!.case).toMatchObject({
        id: routed.kase.id,
        status: 'REFERRED',
        identitySealed: true,
        sealedReason: 'NO_DATA_SHARING_AGREEMENT',
        person: null,
        indexIncident: { id: routed.incident.id },
      });
    });

    it('unseals as soon as an agreement is in force, and not for an ended one', async () => {
      const routed = await makeRoutedCase(hub, { agreement: false });
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      await makeAgreement(hub, routed.reporter, routed.outreach, {
        counties: [routed.kase.county],
        endedAt: new Date(),
      });
      await makeAgreement(hub, routed.reporter, routed.outreach, {
        counties: [uniqueCounty()],
      });
      const stillSealed = await readCase(routed.kase.id, worker);
      expect(stillSealed.data!.case!.identitySealed).toBe(true);

      await makeAgreement(hub, routed.reporter, routed.outreach, {
        counties: [routed.kase.county],
      });
      const open = await readCase(routed.kase.id, worker);
      expect(open.errors).toBeUndefined();
      expect(open.data!.case).toMatchObject({
        identitySealed: false,
        sealedReason: null,
        person: { id: routed.person!.id },
      });
    });

    it('is not sealed when there is no person to protect', async () => {
      const routed = await makeRoutedCase(hub, { agreement: false, withPerson: false });
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await readCase(routed.kase.id, worker);
      expect(response.errors).toBeUndefined();
      expect(response.data!.case).toMatchObject({ identitySealed: false, person: null });
    });
  });

  describe('scope', () => {
    it("answers another agency's case exactly like a missing or malformed id", async () => {
      const mine = await makeRoutedCase(hub);
      const theirs = await makeRoutedCase(hub);
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: mine.outreach });
      const strip = (r: GraphQLResponse<unknown>) => ({ data: r.data, errors: r.errors });
      const other = strip(await readCase(theirs.kase.id, worker));
      const random = strip(await readCase('3f1e2d4c-5b6a-4978-8a1b-2c3d4e5f6a7b', worker));
      const malformed = strip(await readCase('not-a-uuid', worker));
      expect(other).toEqual(random);
      expect(malformed).toEqual(random);
      expect(random.data).toEqual({ case: null });
      expect(random.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    });

    it("never lists or counts another agency's cases; the hub admin sees every case", async () => {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const county = outreach.serviceCounties[0];
      const own = [
        await makeRoutedCase(hub, { outreach }),
        await makeRoutedCase(hub, { outreach }),
      ];
      const foreign = await makeRoutedCase(hub, { county });
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const response = await listCases(admin, { filter: { county } });
      expect(response.data!.cases!.totalCount).toBe(2);
      expect(response.data!.cases!.edges.map((e) => e.node.id).sort()).toEqual(
        own.map((r) => r.kase.id).sort(),
      );

      const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
      const all = await listCases(hubAdmin, { filter: { county } });
      expect(all.data!.cases!.totalCount).toBe(3);
      expect(all.data!.cases!.edges.map((e) => e.node.id)).toContain(foreign.kase.id);
    });

    it('shows an agency only its own referrals of a case, the hub admin all of them', async () => {
      const routed = await makeRoutedCase(hub);
      const earlier = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: [routed.kase.county],
      });
      const em = hub.em();
      em.create('Referral', {
        case: routed.kase.id,
        toAgency: earlier.id,
        type: 'FOLLOW_UP_OUTREACH',
        status: 'REJECTED',
        statusReason: 'no capacity',
        createdAt: new Date(Date.now() - HOUR),
      });
      await em.flush();
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const mine = await readCase(routed.kase.id, worker);
      expect((mine.data!.case!.referrals as unknown[]).length).toBe(1);
      const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
      const all = await readCase(routed.kase.id, hubAdmin);
      expect(all.data!.case!.referrals).toEqual([
        expect.objectContaining({ toAgency: { id: earlier.id }, status: 'REJECTED' }),
        expect.objectContaining({ toAgency: { id: routed.outreach.id }, status: 'REQUESTED' }),
      ]);
    });
  });

  describe('filters, order and pages', () => {
    /** One agency with a spread of cases; returns them keyed by name. */
    async function queue() {
      const counties = [uniqueCounty(), uniqueCounty()];
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: counties,
      });
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const ago = (hours: number) => new Date(Date.now() - hours * HOUR);
      const cases = {
        overdueReferred: await makeRoutedCase(hub, { outreach, occurredAt: ago(80) }),
        overdueAssigned: await makeRoutedCase(hub, {
          outreach,
          occurredAt: ago(75),
          status: CaseStatus.ASSIGNED,
          assignedWorker: worker.user,
        }),
        pastDueInOutreach: await makeRoutedCase(hub, {
          outreach,
          occurredAt: ago(90),
          status: CaseStatus.OUTREACH,
          assignedWorker: worker.user,
        }),
        freshSealed: await makeRoutedCase(hub, {
          outreach,
          occurredAt: ago(2),
          agreement: false,
        }),
        otherCounty: await makeRoutedCase(hub, {
          outreach,
          county: counties[1],
          occurredAt: ago(10),
        }),
      };
      return { outreach, worker, admin, counties, cases };
    }

    const ids = (response: GraphQLResponse<CasesData>) =>
      response.data!.cases!.edges.map((e) => e.node.id);

    it('orders by due time, oldest first', async () => {
      const { admin, cases } = await queue();
      const response = await listCases(admin);
      expect(response.errors).toBeUndefined();
      expect(ids(response)).toEqual([
        cases.pastDueInOutreach.kase.id,
        cases.overdueReferred.kase.id,
        cases.overdueAssigned.kase.id,
        cases.otherCounty.kase.id,
        cases.freshSealed.kase.id,
      ]);
      expect(response.data!.cases!.totalCount).toBe(5);
    });

    it('filters overdue: past due and no attempt yet', async () => {
      const { admin, cases } = await queue();
      const overdue = await listCases(admin, { filter: { overdue: true } });
      expect(ids(overdue)).toEqual([cases.overdueReferred.kase.id, cases.overdueAssigned.kase.id]);
      expect(overdue.data!.cases!.totalCount).toBe(2);
      const notOverdue = await listCases(admin, { filter: { overdue: false } });
      expect(notOverdue.data!.cases!.totalCount).toBe(3);
    });

    it('filters sealed, status, county and assignedToMe', async () => {
      const { admin, worker, counties, cases } = await queue();
      const sealed = await listCases(admin, { filter: { sealed: true } });
      expect(ids(sealed)).toEqual([cases.freshSealed.kase.id]);
      expect((await listCases(admin, { filter: { sealed: false } })).data!.cases!.totalCount).toBe(
        4,
      );

      const status = await listCases(admin, {
        filter: { status: ['ASSIGNED', 'OUTREACH'] },
      });
      expect(ids(status)).toEqual([cases.pastDueInOutreach.kase.id, cases.overdueAssigned.kase.id]);

      const county = await listCases(admin, { filter: { county: counties[1] } });
      expect(ids(county)).toEqual([cases.otherCounty.kase.id]);

      const mine = await listCases(worker, { filter: { assignedToMe: true } });
      expect(ids(mine)).toEqual([cases.pastDueInOutreach.kase.id, cases.overdueAssigned.kase.id]);
      const notMine = await listCases(worker, { filter: { assignedToMe: false } });
      expect(notMine.data!.cases!.totalCount).toBe(3);

      const combined = await listCases(worker, {
        filter: { assignedToMe: true, overdue: true, status: ['ASSIGNED'] },
      });
      expect(ids(combined)).toEqual([cases.overdueAssigned.kase.id]);
    });

    it('refuses a malformed county filter, naming it', async () => {
      const { admin } = await queue();
      const response = await listCases(admin, { filter: { county: '123' } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].extensions!.fields).toEqual([
        expect.objectContaining({ field: 'filter.county' }),
      ]);
    });

    it('pages with first/after; totalCount stays the whole filtered set', async () => {
      const { admin, cases } = await queue();
      const first = await listCases(admin, { first: 2 });
      expect(ids(first)).toEqual([cases.pastDueInOutreach.kase.id, cases.overdueReferred.kase.id]);
      expect(first.data!.cases!.pageInfo.hasNextPage).toBe(true);
      expect(first.data!.cases!.totalCount).toBe(5);

      const second = await listCases(admin, {
        first: 2,
        after: first.data!.cases!.pageInfo.endCursor,
      });
      expect(ids(second)).toEqual([cases.overdueAssigned.kase.id, cases.otherCounty.kase.id]);
      const third = await listCases(admin, {
        first: 2,
        after: second.data!.cases!.pageInfo.endCursor,
      });
      expect(ids(third)).toEqual([cases.freshSealed.kase.id]);
      expect(third.data!.cases!.pageInfo).toEqual({
        hasNextPage: false,
        endCursor: third.data!.cases!.edges[0].cursor,
      });
      expect(third.data!.cases!.totalCount).toBe(5);

      const beyond = await listCases(admin, { after: third.data!.cases!.pageInfo.endCursor });
      expect(beyond.data!.cases).toEqual({
        totalCount: 5,
        edges: [],
        pageInfo: { hasNextPage: false, endCursor: null },
      });
    });

    it('keeps ties in due time in id order across pages', async () => {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const occurredAt = new Date(Date.now() - 5 * HOUR);
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await makeRoutedCase(hub, { outreach, occurredAt }));
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: GraphQLResponse<CasesData> = await listCases(admin, { first: 1, after });
        seen.push(...ids(page));
        after = page.data!.cases!.pageInfo.hasNextPage
          ? page.data!.cases!.pageInfo.endCursor
          : null;
      } while (after);
      expect(seen).toEqual(made.map((m) => m.kase.id).sort());
    });

    it('refuses a cursor it did not make, naming after', async () => {
      const { admin } = await queue();
      const response = await listCases(admin, { after: 'bm90LWEtY3Vyc29y' });
      expect(response.data).toEqual({ cases: null });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].extensions!.fields).toEqual([
        expect.objectContaining({ field: 'after' }),
      ]);
    });

    it.each([0, 101])('refuses first: %d, naming first', async (first) => {
      const { admin } = await queue();
      const response = await listCases(admin, { first });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].extensions!.fields).toEqual([
        expect.objectContaining({ field: 'first' }),
      ]);
    });

    it('pages 25 by default and up to 100', async () => {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      for (let i = 0; i < 26; i++) await makeRoutedCase(hub, { outreach, withPerson: false });
      const byDefault = await listCases(admin);
      expect(byDefault.data!.cases!.edges).toHaveLength(25);
      expect(byDefault.data!.cases!.pageInfo.hasNextPage).toBe(true);
      const max = await listCases(admin, { first: 100 });
      expect(max.data!.cases!.edges).toHaveLength(26);
      expect(max.data!.cases!.totalCount).toBe(26);
    });
  });
});
