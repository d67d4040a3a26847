import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { User } from '../src/modules/agency/user.entity';
import { CaseStatus } from '../src/modules/case/case-codes';
import { Case } from '../src/modules/case/case.entity';
import { makeAgency, makeRoutedCase, makeUser, type Actor } from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

const REASSIGN = `mutation($caseId: ID!, $version: Int!, $workerId: ID!) {
  reassignCase(caseId: $caseId, version: $version, workerId: $workerId) {
    id status version assignedWorker { id } } }`;
const TIMELINE = `query($id: ID!) { case(id: $id) { timeline { fromStatus toStatus reason actor } } }`;
const DEACTIVATE = `mutation($id: ID!) { deactivateUser(id: $id) { id active } }`;
const CASELOAD = `{ agencyCaseload { unassignedOpenCases unassignedOverdueCases
  workers { worker { id displayName } openCases overdueCases } } }`;

const HOUR = 3_600_000;
const badFields = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? []).flatMap((e) =>
    ((e.extensions?.fields as Array<{ field: string }>) ?? []).map((f) => f.field),
  );

interface Caseload {
  unassignedOpenCases: number;
  unassignedOverdueCases: number;
  workers: Array<{ worker: { id: string }; openCases: number; overdueCases: number }>;
}

/** Issue 14 point 3: the agency admin supervises who holds the agency's cases. */
describe('caseload supervision', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  interface Team {
    agency: Agency;
    admin: Actor;
    alex: Actor;
    blair: Actor;
  }

  async function team(): Promise<Team> {
    const agency = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
    return {
      agency,
      admin: await makeUser(hub, Role.AGENCY_ADMIN, { agency }),
      alex: await makeUser(hub, Role.OUTREACH_WORKER, { agency }),
      blair: await makeUser(hub, Role.OUTREACH_WORKER, { agency }),
    };
  }

  const caseHeldBy = (t: Team, worker: Actor, status: CaseStatus, occurredAt?: Date) =>
    makeRoutedCase(hub, { outreach: t.agency, status, assignedWorker: worker.user, occurredAt });
  const reassign = (actor: Actor, kase: Case, workerId: string, version = kase.version) =>
    hub.gql<{ reassignCase: { status: string; version: number; assignedWorker: { id: string } } }>(
      REASSIGN,
      { caseId: kase.id, version, workerId },
      actor.token,
    );
  const stored = (kase: Case) => hub.em().findOneOrFail(Case, kase.id, { refresh: true });
  const timeline = async (actor: Actor, kase: Case) =>
    (
      await hub.gql<{ case: { timeline: Array<{ reason: string | null; actor: string }> } }>(
        TIMELINE,
        { id: kase.id },
        actor.token,
      )
    ).data!.case.timeline;

  it('lets the agency admin give a case in OUTREACH to another worker: audited, on the timeline', async () => {
    const t = await team();
    const { kase } = await caseHeldBy(t, t.alex, CaseStatus.OUTREACH);

    const response = await reassign(t.admin, kase, t.blair.user.id);
    expect(response.errors).toBeUndefined();
    expect(response.data!.reassignCase).toMatchObject({
      status: 'OUTREACH',
      version: kase.version + 1,
      assignedWorker: { id: t.blair.user.id },
    });
    expect((await stored(kase)).assignedWorker?.id).toBe(t.blair.user.id);
    expect(await timeline(t.admin, kase)).toContainEqual(
      expect.objectContaining({ reason: 'REASSIGNED', actor: 'USER' }),
    );
    const audit = await hub
      .em()
      .execute<Array<{ actor_user_id: string; entity_ids: string[]; outcome: string }>>(
        `select actor_user_id, entity_ids, outcome from audit_event
          where action = 'Mutation.reassignCase' and ?::uuid = any(entity_ids)`,
        [kase.id],
      );
    expect(audit).toEqual([
      expect.objectContaining({
        actor_user_id: t.admin.user.id,
        outcome: 'ALLOWED',
        entity_ids: expect.arrayContaining([kase.id, t.blair.user.id]),
      }),
    ]);
  });

  it('refuses reassignment to an outreach worker: FORBIDDEN, nothing changes', async () => {
    const t = await team();
    const { kase } = await caseHeldBy(t, t.alex, CaseStatus.ENGAGED);
    const response = await reassign(t.alex, kase, t.blair.user.id);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect((await stored(kase)).assignedWorker?.id).toBe(t.alex.user.id);
  });

  it("answers another agency's admin as if the case did not exist", async () => {
    const t = await team();
    const other = await team();
    const { kase } = await caseHeldBy(t, t.alex, CaseStatus.OUTREACH);
    const response = await reassign(other.admin, kase, other.blair.user.id);
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    expect((await stored(kase)).assignedWorker?.id).toBe(t.alex.user.id);
  });

  it('refuses a worker of another agency, an inactive worker and the current holder, and writes nothing', async () => {
    const t = await team();
    const { kase } = await caseHeldBy(t, t.alex, CaseStatus.OUTREACH);
    const stranger = await makeUser(hub, Role.OUTREACH_WORKER);
    const gone = await makeUser(hub, Role.OUTREACH_WORKER, { agency: t.agency, active: false });
    for (const workerId of [stranger.user.id, gone.user.id, t.alex.user.id, 'not-an-id']) {
      const response = await reassign(t.admin, kase, workerId);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['workerId']);
    }
    const after = await stored(kase);
    expect(after.assignedWorker?.id).toBe(t.alex.user.id);
    expect(after.version).toBe(kase.version);
  });

  it('refuses to reassign a closed case or one not yet accepted, naming the case', async () => {
    const t = await team();
    const { kase: closed } = await caseHeldBy(t, t.alex, CaseStatus.CLOSED);
    const { kase: referred } = await makeRoutedCase(hub, { outreach: t.agency });
    for (const kase of [closed, referred]) {
      const response = await reassign(t.admin, kase, t.blair.user.id);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['caseId']);
    }
  });

  it("returns a deactivated worker's open cases to the agency queue, unassigned, and keeps closed ones", async () => {
    const t = await team();
    const { kase: outreach } = await caseHeldBy(t, t.alex, CaseStatus.OUTREACH);
    const { kase: onHold } = await caseHeldBy(t, t.alex, CaseStatus.ON_HOLD);
    const { kase: closed } = await caseHeldBy(t, t.alex, CaseStatus.CLOSED);
    const { kase: blairs } = await caseHeldBy(t, t.blair, CaseStatus.OUTREACH);

    const response = await hub.gql(DEACTIVATE, { id: t.alex.user.id }, t.admin.token);
    expect(response.errors).toBeUndefined();

    for (const kase of [outreach, onHold]) {
      const after = await stored(kase);
      expect(after.assignedWorker).toBeFalsy();
      expect(after.status).toBe(kase.status);
      expect(await timeline(t.admin, kase)).toContainEqual(
        expect.objectContaining({ reason: 'WORKER_DEACTIVATED' }),
      );
    }
    expect((await stored(closed)).assignedWorker?.id).toBe(t.alex.user.id);
    expect((await stored(blairs)).assignedWorker?.id).toBe(t.blair.user.id);

    // The admin hands a released case on.
    const handed = await reassign(t.admin, outreach, t.blair.user.id, outreach.version + 1);
    expect(handed.errors).toBeUndefined();
    expect(handed.data!.reassignCase.assignedWorker.id).toBe(t.blair.user.id);
  });

  it('deactivates nobody and releases nothing when the admin may not deactivate the user', async () => {
    const t = await team();
    const other = await team();
    const { kase } = await caseHeldBy(t, t.alex, CaseStatus.OUTREACH);
    const response = await hub.gql(DEACTIVATE, { id: t.alex.user.id }, other.admin.token);
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    expect((await hub.em().findOneOrFail(User, t.alex.user.id, { refresh: true })).active).toBe(
      true,
    );
    expect((await stored(kase)).assignedWorker?.id).toBe(t.alex.user.id);
  });

  it('shows the agency admin open and overdue cases per worker, and the unassigned ones', async () => {
    const t = await team();
    const overdueAt = new Date(Date.now() - 80 * HOUR);
    await caseHeldBy(t, t.alex, CaseStatus.ASSIGNED, overdueAt);
    await caseHeldBy(t, t.alex, CaseStatus.OUTREACH);
    await caseHeldBy(t, t.alex, CaseStatus.CLOSED);
    await caseHeldBy(t, t.blair, CaseStatus.ENGAGED);
    await makeRoutedCase(hub, { outreach: t.agency, occurredAt: overdueAt });
    const quiet = await makeUser(hub, Role.OUTREACH_WORKER, { agency: t.agency });

    const response = await hub.gql<{ agencyCaseload: Caseload }>(CASELOAD, {}, t.admin.token);
    expect(response.errors).toBeUndefined();
    const load = response.data!.agencyCaseload;
    expect(load.unassignedOpenCases).toBe(1);
    expect(load.unassignedOverdueCases).toBe(1);
    const of = (actor: Actor) => load.workers.find((w) => w.worker.id === actor.user.id);
    expect(of(t.alex)).toMatchObject({ openCases: 2, overdueCases: 1 });
    expect(of(t.blair)).toMatchObject({ openCases: 1, overdueCases: 0 });
    expect(of(quiet)).toMatchObject({ openCases: 0, overdueCases: 0 });
    expect(load.workers).toHaveLength(3);
  });

  it('keeps the caseload from outreach workers and analysts', async () => {
    const t = await team();
    const analyst = await makeUser(hub, Role.ANALYST, { agency: t.agency });
    for (const actor of [t.alex, analyst]) {
      expect(errorCodes(await hub.gql(CASELOAD, {}, actor.token))).toEqual(['FORBIDDEN']);
    }
  });
});
