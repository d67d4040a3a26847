import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { makeWorkedCase } from './support/consent-factory';
import { makeUser, type Actor } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';

const EVENTS = `query ($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id action actorUserId agencyId entityType entityIds personIds fields outcome purpose } }
  }
}`;
const DISCLOSURES = `query ($personId: ID!) {
  disclosuresForPerson(personId: $personId) {
    totalCount
    edges { node { actorUserId agencyId role purpose fields occurredAt requestId } }
  }
}`;
const READ_PERSON = `query ($id: ID!) { case(id: $id) { id person { firstName phone } } }`;

interface EventNode {
  id: string;
  action: string;
  actorUserId: string | null;
  agencyId: string | null;
  entityIds: string[];
  personIds: string[];
  fields: string[];
  outcome: string;
}
type Events = {
  auditEvents: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: Array<{ node: EventNode }>;
  } | null;
};
type Disclosures = {
  disclosuresForPerson: {
    totalCount: number;
    edges: Array<{ node: Record<string, unknown> }>;
  } | null;
};

describe('audit queries', () => {
  let hub: TestHub;
  let hubAdmin: Actor;
  beforeAll(async () => {
    hub = await startTestHub();
    hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
  });
  afterAll(() => hub.stop());

  /** A worker who read their case's person once: one READ_IDENTITY event of their agency. */
  const workerWhoReadIdentity = async () => {
    const { routed, worker } = await makeWorkedCase(hub);
    const read = await hub.gql(READ_PERSON, { id: routed.kase.id }, worker.token);
    expect(read.errors).toBeUndefined();
    return { routed, worker, requestId: read.headers.get('x-request-id') };
  };

  const events = (actor: Actor, filter: object, extra: object = {}) =>
    hub.gql<Events>(EVENTS, { filter, ...extra }, actor.token);

  describe('auditEvents', () => {
    it('shows the hub admin any agency’s events, filtered by actor', async () => {
      const { worker, routed } = await workerWhoReadIdentity();
      const response = await events(hubAdmin, { actorId: worker.user.id });
      expect(response.errors).toBeUndefined();
      expect(response.data!.auditEvents!.totalCount).toBe(1);
      expect(response.data!.auditEvents!.edges[0].node).toMatchObject({
        action: 'READ_IDENTITY',
        actorUserId: worker.user.id,
        agencyId: worker.agency.id,
        entityType: 'Person',
        personIds: [routed.person!.id],
        fields: ['firstName', 'phone'],
        outcome: 'ALLOWED',
        purpose: 'FOLLOW_UP_OUTREACH',
      });
    });

    it('shows an agency admin the events of their own agency’s actors', async () => {
      const { worker } = await workerWhoReadIdentity();
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: worker.agency });
      const response = await events(admin, { actorId: worker.user.id });
      expect(response.errors).toBeUndefined();
      expect(response.data!.auditEvents!.totalCount).toBe(1);
    });

    it('hides another agency’s events from an agency admin, even when asked by actor or agency', async () => {
      const { worker } = await workerWhoReadIdentity();
      const otherAdmin = await makeUser(hub, Role.AGENCY_ADMIN);
      const byActor = await events(otherAdmin, { actorId: worker.user.id });
      const byAgency = await events(otherAdmin, { agencyId: worker.agency.id });
      expect(byActor.data!.auditEvents).toMatchObject({ totalCount: 0, edges: [] });
      expect(byAgency.data!.auditEvents).toMatchObject({ totalCount: 0, edges: [] });
    });

    it.each([Role.OUTREACH_WORKER, Role.ANALYST, Role.RESEARCHER, Role.POLICE_OFFICER])(
      'refuses %s',
      async (role) => {
        const actor = await makeUser(hub, role);
        const response = await events(actor, {});
        expect(errorCodes(response)).toEqual(['FORBIDDEN']);
        expect(response.data?.auditEvents ?? null).toBeNull();
      },
    );

    it('filters by action, outcome, entity and time range', async () => {
      const { worker, routed } = await workerWhoReadIdentity();
      const since = new Date(Date.now() - 60_000).toISOString();
      const base = { actorId: worker.user.id, from: since };
      const read = await events(hubAdmin, {
        ...base,
        action: 'READ_IDENTITY',
        outcome: 'ALLOWED',
        entityId: routed.person!.id,
      });
      const denied = await events(hubAdmin, { ...base, outcome: 'DENIED' });
      const later = await events(hubAdmin, { ...base, from: new Date(Date.now() + 60_000) });
      const earlier = await events(hubAdmin, { ...base, to: since });
      expect(read.data!.auditEvents!.totalCount).toBe(1);
      expect(denied.data!.auditEvents!.totalCount).toBe(0);
      expect(later.data!.auditEvents!.totalCount).toBe(0);
      expect(earlier.data!.auditEvents!.totalCount).toBe(0);
    });

    it('pages newest first with stable cursors', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      for (let i = 0; i < 3; i++) await hub.gql(READ_PERSON, { id: routed.kase.id }, worker.token);
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 3; page++) {
        const response = await events(hubAdmin, { actorId: worker.user.id }, { first: 1, after });
        const list = response.data!.auditEvents!;
        expect(list.totalCount).toBe(3);
        seen.push(list.edges[0].node.id);
        expect(list.pageInfo.hasNextPage).toBe(page < 2);
        after = list.pageInfo.endCursor ?? undefined;
      }
      expect(new Set(seen).size).toBe(3);
    });

    it('refuses a malformed filter with BAD_USER_INPUT', async () => {
      const response = await events(hubAdmin, { actorId: "x' or 1=1 --" });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('disclosuresForPerson', () => {
    it('tells the hub admin who saw the identity, when and for what purpose', async () => {
      const { routed, worker, requestId } = await workerWhoReadIdentity();
      const response = await hub.gql<Disclosures>(
        DISCLOSURES,
        { personId: routed.person!.id },
        hubAdmin.token,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.disclosuresForPerson).toEqual({
        totalCount: 1,
        edges: [
          {
            node: {
              actorUserId: worker.user.id,
              agencyId: worker.agency.id,
              role: 'OUTREACH_WORKER',
              purpose: 'FOLLOW_UP_OUTREACH',
              fields: ['firstName', 'phone'],
              occurredAt: expect.any(String),
              requestId,
            },
          },
        ],
      });
    });

    it('answers an unknown person id like a person never disclosed', async () => {
      const response = await hub.gql<Disclosures>(
        DISCLOSURES,
        { personId: randomUUID() },
        hubAdmin.token,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.disclosuresForPerson).toEqual({ totalCount: 0, edges: [] });
    });

    it.each([Role.AGENCY_ADMIN, Role.OUTREACH_WORKER, Role.LEAD_CASE_MANAGER, Role.RESEARCHER])(
      'refuses %s the same way whether the person exists or not',
      async (role) => {
        const { routed } = await workerWhoReadIdentity();
        const actor = await makeUser(
          hub,
          role,
          role === Role.OUTREACH_WORKER ? { agency: routed.outreach } : {},
        );
        const existing = await hub.gql(DISCLOSURES, { personId: routed.person!.id }, actor.token);
        const missing = await hub.gql(DISCLOSURES, { personId: randomUUID() }, actor.token);
        expect(errorCodes(existing)).toEqual(['FORBIDDEN']);
        const strip = (r: typeof existing) => ({
          data: r.data,
          errors: r.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })),
        });
        expect(strip(existing)).toEqual(strip(missing));
      },
    );

    it('is itself audited', async () => {
      const { routed } = await workerWhoReadIdentity();
      const response = await hub.gql(DISCLOSURES, { personId: routed.person!.id }, hubAdmin.token);
      const rows = await hub
        .em()
        .execute('select action, entity_ids, person_ids from audit_event where request_id = ?', [
          response.headers.get('x-request-id'),
        ]);
      expect(rows).toEqual([
        {
          action: 'Query.disclosuresForPerson',
          entity_ids: [routed.person!.id],
          person_ids: [],
        },
      ]);
    });
  });
});
