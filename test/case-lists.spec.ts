import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseStatus } from '../src/modules/case/case-codes';
import { NaloxoneAdministration } from '../src/modules/incident/naloxone-administration.entity';
import {
  AdministeredBy,
  NaloxoneResponse,
  NaloxoneRoute,
} from '../src/modules/incident/incident-codes';
import {
  makeAgency,
  makeRoutedCase,
  makeUser,
  uniqueCounty,
  type RoutedCase,
} from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { makeAttempt } from './support/outreach-factory';
import { REPORT_MUTATION, reportInput } from './support/reports';

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR);

type Edge = { cursor: string; node: Record<string, unknown> & { id: string } };
type Connection = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Edge[];
};

const CASES = `query ($filter: CaseFilter, $first: Int, $after: String) {
  cases(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status followUpBucket } }
  }
}`;
const QUEUE = `query ($buckets: [FollowUpBucket!], $timeZone: String, $first: Int, $after: String) {
  followUpQueue(buckets: $buckets, timeZone: $timeZone, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id followUpBucket } }
  }
}`;
const INCIDENTS = `query ($filter: IncidentFilter, $first: Int, $after: String) {
  myAgencyIncidents(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id occurredAt naloxoneGiven naloxoneAdministrations { doseMg route } } }
  }
}`;

const forbiddenPaths = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? [])
    .filter((e) => e.extensions?.code === 'FORBIDDEN')
    .map((e) => (e.path ?? []).map((p) => (typeof p === 'number' ? 'N' : p)).join('.'))
    .filter((p, i, all) => all.indexOf(p) === i)
    .sort();
const badFields = (response: GraphQLResponse<unknown>): unknown[] =>
  (response.errors ?? []).flatMap((e) =>
    ((e.extensions?.fields as Array<{ field: string }>) ?? []).map((f) => f.field),
  );

/** The same cursor with one character of its content changed (still valid base64url JSON). */
function tamper(cursor: string): string {
  const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as string[];
  const id = parts[2];
  parts[2] = `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`;
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Minutes until the next local midnight in a fixed-offset zone (`Etc/GMT-5` is UTC+5). */
function minutesToMidnight(offsetHours: number): number {
  const now = new Date();
  const local = (now.getUTCHours() * 60 + now.getUTCMinutes() + offsetHours * 60 + 2880) % 1440;
  return 1440 - local;
}
const etcZone = (offsetHours: number) =>
  offsetHours === 0 ? 'Etc/GMT' : `Etc/GMT${offsetHours > 0 ? '-' : '+'}${Math.abs(offsetHours)}`;
/** A fixed-offset zone whose day ends between `min` and `max` minutes from now. */
function zoneEndingIn(min: number, max: number): string {
  for (let offset = -12; offset <= 14; offset++) {
    const left = minutesToMidnight(offset);
    if (left >= min && left < max) return etcZone(offset);
  }
  throw new Error('no zone found');
}

describe('case lists for dashboards', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const list = (token: string, variables: Record<string, unknown> = {}) =>
    hub.gql<{ cases: Connection | null }>(CASES, variables, token);
  const queue = (token: string, variables: Record<string, unknown> = {}) =>
    hub.gql<{ followUpQueue: Connection | null }>(QUEUE, variables, token);
  const ids = (connection: Connection | null | undefined) =>
    connection!.edges.map((e) => e.node.id);

  describe('filters', () => {
    it('narrows by agency within scope and never widens it', async () => {
      const county = uniqueCounty();
      const mine = await makeRoutedCase(hub, { county });
      const theirs = await makeRoutedCase(hub, { county });
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: mine.outreach });
      const own = await list(admin.token, { filter: { agencyId: mine.outreach.id } });
      expect(ids(own.data!.cases)).toEqual([mine.kase.id]);
      const foreign = await list(admin.token, { filter: { agencyId: theirs.outreach.id } });
      expect(foreign.data!.cases).toMatchObject({ totalCount: 0, edges: [] });

      const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
      const narrowed = await list(hubAdmin.token, {
        filter: { county, agencyId: theirs.outreach.id },
      });
      expect(ids(narrowed.data!.cases)).toEqual([theirs.kase.id]);
      expect(narrowed.data!.cases!.totalCount).toBe(1);
    });

    it('filters by assigned worker', async () => {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const [ann, bob] = [
        await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach }),
        await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach }),
      ];
      const annCase = await makeRoutedCase(hub, {
        outreach,
        status: CaseStatus.ASSIGNED,
        assignedWorker: ann.user,
      });
      await makeRoutedCase(hub, {
        outreach,
        status: CaseStatus.ASSIGNED,
        assignedWorker: bob.user,
      });
      await makeRoutedCase(hub, { outreach });
      const response = await list(bob.token, { filter: { assignedWorkerId: ann.user.id } });
      expect(ids(response.data!.cases)).toEqual([annCase.kase.id]);
      expect(response.data!.cases!.totalCount).toBe(1);
    });

    it('refuses an assigned worker that is not an id, naming it', async () => {
      const admin = await makeUser(hub, Role.AGENCY_ADMIN);
      const response = await list(admin.token, { filter: { assignedWorkerId: 'nobody' } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['filter.assignedWorkerId']);
    });

    it('filters by occurred-at range, from inclusive, to exclusive', async () => {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const at = [ago(50), ago(30), ago(10)];
      const made: RoutedCase[] = [];
      for (const occurredAt of at) made.push(await makeRoutedCase(hub, { outreach, occurredAt }));
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const response = await list(admin.token, {
        filter: { occurredFrom: at[0].toISOString(), occurredTo: at[2].toISOString() },
      });
      expect(ids(response.data!.cases)).toEqual([made[0].kase.id, made[1].kase.id]);
      expect(response.data!.cases!.totalCount).toBe(2);
    });

    it('refuses a range that ends before it starts, naming filter.occurredTo', async () => {
      const admin = await makeUser(hub, Role.AGENCY_ADMIN);
      const response = await list(admin.token, {
        filter: { occurredFrom: ago(1).toISOString(), occurredTo: ago(5).toISOString() },
      });
      expect(response.data).toEqual({ cases: null });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['filter.occurredTo']);
    });

    it('filters due: window open, not past due, no attempt yet', async () => {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const due = await makeRoutedCase(hub, { outreach, occurredAt: ago(30) });
      await makeRoutedCase(hub, { outreach, occurredAt: ago(80) }); // overdue
      await makeRoutedCase(hub, { outreach, occurredAt: ago(2) }); // window not open yet
      await makeRoutedCase(hub, { outreach, occurredAt: ago(30), status: CaseStatus.OUTREACH });
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const response = await list(admin.token, { filter: { due: true } });
      expect(ids(response.data!.cases)).toEqual([due.kase.id]);
      expect(response.data!.cases!.edges[0].node.followUpBucket).toBe('DUE');
      const notDue = await list(admin.token, { filter: { due: false } });
      expect(notDue.data!.cases!.totalCount).toBe(3);
    });

    it('counts only what matches, never another agency in the same county', async () => {
      const county = uniqueCounty();
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: [county],
      });
      await makeRoutedCase(hub, { outreach, occurredAt: ago(80) });
      await makeRoutedCase(hub, { county, occurredAt: ago(80) });
      await makeRoutedCase(hub, { county, occurredAt: ago(80), agreement: false });
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      for (const filter of [{ county }, { county, overdue: true }, { county, sealed: false }]) {
        const response = await list(admin.token, { filter });
        expect([filter, response.data!.cases!.totalCount]).toEqual([filter, 1]);
      }
    });
  });

  describe('cursors and page size', () => {
    it('refuses a tampered cursor, naming after', async () => {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      await makeRoutedCase(hub, { outreach });
      await makeRoutedCase(hub, { outreach });
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const first = await list(admin.token, { first: 1 });
      const cursor = first.data!.cases!.pageInfo.endCursor!;
      expect((await list(admin.token, { first: 1, after: cursor })).errors).toBeUndefined();
      const response = await list(admin.token, { first: 1, after: tamper(cursor) });
      expect(response.data).toEqual({ cases: null });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['after']);
    });

    it("refuses another list's cursor: a follow-up queue cursor is not a cases cursor", async () => {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      await makeRoutedCase(hub, { outreach, occurredAt: ago(80) });
      await makeRoutedCase(hub, { outreach, occurredAt: ago(81) });
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const page = await queue(admin.token, { first: 1 });
      const response = await list(admin.token, {
        after: page.data!.followUpQueue!.pageInfo.endCursor,
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['after']);
    });

    it.each([
      ['followUpQueue', QUEUE],
      ['myAgencyIncidents', INCIDENTS],
    ])('%s refuses first over 100 and a tampered cursor, naming each', async (name, query) => {
      const role = name === 'followUpQueue' ? Role.AGENCY_ADMIN : Role.EMS_PROVIDER;
      const caller = await makeUser(hub, role);
      const big = await hub.gql(query, { first: 101 }, caller.token);
      expect([errorCodes(big), badFields(big)]).toEqual([['BAD_USER_INPUT'], ['first']]);
      const cursor = Buffer.from(
        JSON.stringify([
          name,
          new Date().toISOString(),
          '3f1e2d4c-5b6a-4978-8a1b-2c3d4e5f6a7b',
          'x',
        ]),
      ).toString('base64url');
      const bad = await hub.gql(query, { after: cursor }, caller.token);
      expect([errorCodes(bad), badFields(bad)]).toEqual([['BAD_USER_INPUT'], ['after']]);
    });
  });

  describe('nested records on a page', () => {
    const PAGE = `query { cases(first: 10) { edges { node {
      id
      routedAgency { id name }
      assignedWorker { id displayName }
      lastAttempt { id outcome notes worker { id } }
      indexIncident { id county street naloxoneGiven naloxoneAdministrations { doseMg response } }
    } } } }`;

    async function workedCase(agreement = true) {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
      const routed = await makeRoutedCase(hub, {
        outreach,
        agreement,
        status: CaseStatus.OUTREACH,
        assignedWorker: worker.user,
      });
      const em = hub.em();
      for (const [minutes, doseMg] of [
        [5, '2.00'],
        [9, '4.00'],
      ] as const) {
        em.create(NaloxoneAdministration, {
          incident: routed.incident.id,
          administeredAt: new Date(routed.incident.occurredAt.getTime() + minutes * 60_000),
          doseMg,
          route: NaloxoneRoute.IN,
          administeredBy: AdministeredBy.EMS,
          response: NaloxoneResponse.IMPROVED,
        });
      }
      await em.flush();
      await makeAttempt(hub, routed.kase, worker, { minutesAgo: 40, notes: 'first' });
      const last = await makeAttempt(hub, routed.kase, worker, { minutesAgo: 20, notes: 'second' });
      return { routed, worker, last };
    }

    it('gives the outreach worker the incident, doses, last attempt, agency and worker', async () => {
      const { routed, worker, last } = await workedCase();
      const response = await hub.gql<{ cases: Connection }>(PAGE, {}, worker.token);
      expect(response.errors).toBeUndefined();
      expect(response.data!.cases.edges.map((e) => e.node)).toEqual([
        {
          id: routed.kase.id,
          routedAgency: { id: routed.outreach.id, name: routed.outreach.name },
          assignedWorker: { id: worker.user.id, displayName: worker.user.displayName },
          lastAttempt: {
            id: last.id,
            outcome: 'NO_ANSWER',
            notes: 'second',
            worker: { id: worker.user.id },
          },
          indexIncident: {
            id: routed.incident.id,
            county: routed.kase.county,
            street: '9 Elm St',
            naloxoneGiven: true,
            naloxoneAdministrations: [
              { doseMg: 2, response: 'IMPROVED' },
              { doseMg: 4, response: 'IMPROVED' },
            ],
          },
        },
      ]);
    });

    it('keeps the incident and attempts from the agency admin: null + FORBIDDEN', async () => {
      const { routed, worker } = await workedCase();
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      const response = await hub.gql<{ cases: Connection }>(PAGE, {}, admin.token);
      expect(forbiddenPaths(response)).toEqual([
        'cases.edges.N.node.indexIncident',
        'cases.edges.N.node.lastAttempt',
      ]);
      expect(response.data!.cases.edges[0].node).toMatchObject({
        assignedWorker: { id: worker.user.id },
        lastAttempt: null,
        indexIncident: null,
      });
    });

    it('seals the exact place on a list page too, without an agreement', async () => {
      const { worker } = await workedCase(false);
      const response = await hub.gql<{ cases: Connection }>(PAGE, {}, worker.token);
      expect(forbiddenPaths(response)).toEqual(['cases.edges.N.node.indexIncident.street']);
      expect(response.data!.cases.edges[0].node.indexIncident).toMatchObject({
        street: null,
        naloxoneGiven: true,
      });
    });

    it('shows every field of the hub admin list except the worker and incident', async () => {
      const { routed } = await workedCase();
      const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
      const response = await hub.gql<{ cases: Connection }>(
        `query ($filter: CaseFilter) { cases(filter: $filter) { edges { node {
          id followUpBucket routedAgency { id } assignedWorker { id } indexIncident { id }
        } } } }`,
        { filter: { agencyId: routed.outreach.id } },
        hubAdmin.token,
      );
      expect(forbiddenPaths(response)).toEqual([
        'cases.edges.N.node.assignedWorker',
        'cases.edges.N.node.indexIncident',
      ]);
      expect(response.data!.cases.edges[0].node).toMatchObject({
        id: routed.kase.id,
        followUpBucket: null,
        routedAgency: { id: routed.outreach.id },
      });
    });
  });

  describe('follow-up queue', () => {
    /** An agency with one case in each bucket, and cases that are in none. */
    async function agencyQueue() {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
      // The window opens 24 h after the overdose; this one opens in 150 minutes.
      const opensSoon = await makeRoutedCase(hub, {
        outreach,
        occurredAt: new Date(Date.now() - 24 * HOUR + 150 * 60_000),
      });
      const cases = {
        overdue: await makeRoutedCase(hub, { outreach, occurredAt: ago(80) }),
        overdueAssigned: await makeRoutedCase(hub, {
          outreach,
          occurredAt: ago(75),
          status: CaseStatus.ASSIGNED,
          assignedWorker: worker.user,
        }),
        due: await makeRoutedCase(hub, { outreach, occurredAt: ago(30) }),
        opensSoon,
      };
      // In no bucket: attempted already, closed, window opens in more than a day.
      await makeRoutedCase(hub, { outreach, occurredAt: ago(80), status: CaseStatus.OUTREACH });
      await makeRoutedCase(hub, { outreach, occurredAt: ago(80), status: CaseStatus.CLOSED });
      await makeRoutedCase(hub, { outreach, occurredAt: new Date(Date.now() + 2 * HOUR) });
      // Another agency's overdue case.
      await makeRoutedCase(hub, { county: outreach.serviceCounties[0], occurredAt: ago(90) });
      return { outreach, worker, cases };
    }

    it('lists overdue, due and opening-today cases oldest first, each with its bucket', async () => {
      const { worker, cases } = await agencyQueue();
      const timeZone = zoneEndingIn(180, 240);
      const response = await queue(worker.token, { timeZone });
      expect(response.errors).toBeUndefined();
      expect(response.data!.followUpQueue!.edges.map((e) => e.node)).toEqual([
        { id: cases.overdue.kase.id, followUpBucket: 'OVERDUE' },
        { id: cases.overdueAssigned.kase.id, followUpBucket: 'OVERDUE' },
        { id: cases.due.kase.id, followUpBucket: 'DUE' },
        { id: cases.opensSoon.kase.id, followUpBucket: 'OPENS_TODAY' },
      ]);
      expect(response.data!.followUpQueue!.totalCount).toBe(4);
    });

    it('ends "today" at midnight in the time zone asked for', async () => {
      const { worker, cases } = await agencyQueue();
      const response = await queue(worker.token, {
        timeZone: zoneEndingIn(60, 120),
        buckets: ['OPENS_TODAY'],
      });
      expect(response.data!.followUpQueue).toMatchObject({ totalCount: 0, edges: [] });
      const later = await queue(worker.token, {
        timeZone: zoneEndingIn(180, 240),
        buckets: ['OPENS_TODAY'],
      });
      expect(ids(later.data!.followUpQueue)).toEqual([cases.opensSoon.kase.id]);
    });

    it('gives each bucket its own list and count for a three-column dashboard', async () => {
      const { outreach, cases } = await agencyQueue();
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const response = await hub.gql<Record<string, Connection>>(
        `query ($timeZone: String) {
          overdue: followUpQueue(buckets: [OVERDUE], timeZone: $timeZone) { totalCount edges { node { id } } }
          due: followUpQueue(buckets: [DUE], timeZone: $timeZone) { totalCount edges { node { id } } }
          today: followUpQueue(buckets: [OPENS_TODAY], timeZone: $timeZone) { totalCount edges { node { id } } }
        }`,
        { timeZone: zoneEndingIn(180, 240) },
        admin.token,
      );
      expect(response.errors).toBeUndefined();
      expect(ids(response.data!.overdue)).toEqual([
        cases.overdue.kase.id,
        cases.overdueAssigned.kase.id,
      ]);
      expect(ids(response.data!.due)).toEqual([cases.due.kase.id]);
      expect(ids(response.data!.today)).toEqual([cases.opensSoon.kase.id]);
      expect(
        [response.data!.overdue, response.data!.due, response.data!.today].map((c) => c.totalCount),
      ).toEqual([2, 1, 1]);
    });

    it('pages the queue with its own cursors', async () => {
      const { worker, cases } = await agencyQueue();
      const timeZone = zoneEndingIn(180, 240);
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: GraphQLResponse<{ followUpQueue: Connection | null }> = await queue(
          worker.token,
          { timeZone, first: 3, after },
        );
        seen.push(...ids(page.data!.followUpQueue));
        const info = page.data!.followUpQueue!.pageInfo;
        after = info.hasNextPage ? info.endCursor : null;
      } while (after);
      expect(seen).toEqual(Object.values(cases).map((c) => c.kase.id));
    });

    it.each(['Mars/Olympus', '+05:00', 'UTC+5'])(
      'refuses the time zone %s, naming it',
      async (tz) => {
        const worker = await makeUser(hub, Role.OUTREACH_WORKER);
        const response = await queue(worker.token, { timeZone: tz });
        expect([errorCodes(response), badFields(response)]).toEqual([
          ['BAD_USER_INPUT'],
          ['timeZone'],
        ]);
      },
    );

    it('is for harm-reduction staff only: others get FORBIDDEN', async () => {
      const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT);
      const callers = [
        await makeUser(hub, Role.AGENCY_ADMIN, { agency: police }),
        await makeUser(hub, Role.HUB_ADMIN),
        await makeUser(hub, Role.EMS_PROVIDER),
        await makeUser(hub, Role.ANALYST),
      ];
      for (const caller of callers) {
        const response = await queue(caller.token);
        expect([caller.user.role, response.data, forbiddenPaths(response)]).toEqual([
          caller.user.role,
          { followUpQueue: null },
          ['followUpQueue'],
        ]);
      }
    });
  });

  describe('timeline with attempts', () => {
    const TIMELINE = `query ($id: ID!) { case(id: $id) {
      timeline(withAttempts: true) { kind at fromStatus toStatus actor attempt { id outcome } }
    } }`;
    type Timeline = { case: { timeline: Array<Record<string, unknown>> } };

    it('interleaves attempts with status changes, in the order they happened', async () => {
      const paramedicCounty = uniqueCounty();
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: [paramedicCounty],
      });
      const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [paramedicCounty] });
      const paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
      await hub.gql(REPORT_MUTATION, { input: reportInput(paramedicCounty) }, paramedic.token);
      const [listed] = ids(
        (await list(worker.token, { filter: { county: paramedicCounty } })).data!.cases,
      );
      const current = await hub.gql<{ case: { version: number } }>(
        'query ($id: ID!) { case(id: $id) { version } }',
        { id: listed },
        worker.token,
      );
      const accept = await hub.gql<{ acceptCase: { version: number } }>(
        'mutation ($id: ID!, $v: Int!) { acceptCase(caseId: $id, version: $v) { version } }',
        { id: listed, v: current.data!.case.version },
        worker.token,
      );
      expect(accept.errors).toBeUndefined();
      let version = accept.data!.acceptCase.version;
      // Attempts made after the acceptance (the clock of the test is the hub's).
      const log = async (outcome: string) => {
        const response = await hub.gql<{ logOutreachAttempt: { version: number } }>(
          `mutation ($id: ID!, $v: Int!, $input: OutreachAttemptInput!) {
            logOutreachAttempt(caseId: $id, version: $v, input: $input) { version }
          }`,
          {
            id: listed,
            v: version,
            input: { method: 'PHONE', attemptedAt: new Date().toISOString(), outcome },
          },
          worker.token,
        );
        expect(response.errors).toBeUndefined();
        version = response.data!.logOutreachAttempt.version;
      };
      await log('NO_ANSWER');
      await log('WRONG_OR_DISCONNECTED_NUMBER');

      const response = await hub.gql<Timeline>(TIMELINE, { id: listed }, worker.token);
      expect(response.errors).toBeUndefined();
      const entries = response.data!.case.timeline;
      expect(
        entries.map((e) => [e.kind, e.toStatus, (e.attempt as { outcome?: string })?.outcome]),
      ).toEqual([
        ['STATUS_CHANGE', 'REPORTED', undefined],
        ['STATUS_CHANGE', 'TRIAGE', undefined],
        ['STATUS_CHANGE', 'REFERRED', undefined],
        ['STATUS_CHANGE', 'ASSIGNED', undefined],
        ['OUTREACH_ATTEMPT', null, 'NO_ANSWER'],
        ['STATUS_CHANGE', 'OUTREACH', undefined],
        ['OUTREACH_ATTEMPT', null, 'WRONG_OR_DISCONNECTED_NUMBER'],
      ]);
      const times = entries.map((e) => new Date(e.at as string).getTime());
      expect([...times].sort((a, b) => a - b)).toEqual(times);

      // Without the argument the timeline stays the list of status changes.
      const plain = await hub.gql<Timeline>(
        'query ($id: ID!) { case(id: $id) { timeline { kind toStatus } } }',
        { id: listed },
        worker.token,
      );
      expect(plain.data!.case.timeline).toHaveLength(5);

      // The agency admin sees that attempts happened and when, not what they were.
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const adminView = await hub.gql<Timeline>(TIMELINE, { id: listed }, admin.token);
      expect(forbiddenPaths(adminView)).toEqual(['case.timeline.N.attempt']);
      expect(adminView.data!.case.timeline.map((e) => e.kind)).toEqual(entries.map((e) => e.kind));
    });

    it('shows the hub admin when attempts happened, not what they were', async () => {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
      const routed = await makeRoutedCase(hub, {
        outreach,
        status: CaseStatus.OUTREACH,
        assignedWorker: worker.user,
      });
      await makeAttempt(hub, routed.kase, worker, { minutesAgo: 5 });
      const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
      const response = await hub.gql<Timeline>(TIMELINE, { id: routed.kase.id }, hubAdmin.token);
      expect(forbiddenPaths(response)).toEqual(['case.timeline.N.attempt']);
      expect(response.data!.case.timeline).toEqual([
        expect.objectContaining({ kind: 'OUTREACH_ATTEMPT', actor: 'USER', attempt: null }),
      ]);
    });
  });

  describe('incident lists', () => {
    it('pages an agency’s incidents newest first with doses and a stable total', async () => {
      const county = uniqueCounty();
      const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
      const paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
      const reported: string[] = [];
      for (const hours of [5, 3, 4]) {
        const input = reportInput(county, { occurredAt: ago(hours).toISOString() });
        (input.naloxone as Array<Record<string, unknown>>)[0].administeredAt = ago(
          hours - 0.1,
        ).toISOString();
        const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
          REPORT_MUTATION,
          { input },
          paramedic.token,
        );
        reported.push(response.data!.reportIncident.incident.id);
      }
      const other = await makeUser(hub, Role.EMS_PROVIDER);
      await hub.gql(REPORT_MUTATION, { input: reportInput(county) }, other.token);

      const seen: Array<Record<string, unknown>> = [];
      let after: string | null = null;
      do {
        const page: GraphQLResponse<{ myAgencyIncidents: Connection }> = await hub.gql(
          INCIDENTS,
          { first: 2, after },
          paramedic.token,
        );
        expect(page.errors).toBeUndefined();
        expect(page.data!.myAgencyIncidents.totalCount).toBe(3);
        seen.push(...page.data!.myAgencyIncidents.edges.map((e) => e.node));
        const info = page.data!.myAgencyIncidents.pageInfo;
        after = info.hasNextPage ? info.endCursor : null;
      } while (after);
      expect(seen.map((n) => n.id)).toEqual([reported[1], reported[2], reported[0]]);
      for (const node of seen) {
        expect(node).toMatchObject({
          naloxoneGiven: true,
          naloxoneAdministrations: [{ doseMg: 4, route: 'IN' }],
        });
      }
    });

    it('refuses a range that ends before it starts, naming filter.occurredTo', async () => {
      const paramedic = await makeUser(hub, Role.EMS_PROVIDER);
      const response = await hub.gql(
        INCIDENTS,
        { filter: { occurredFrom: ago(1).toISOString(), occurredTo: ago(2).toISOString() } },
        paramedic.token,
      );
      expect([errorCodes(response), badFields(response)]).toEqual([
        ['BAD_USER_INPUT'],
        ['filter.occurredTo'],
      ]);
    });
  });
});
