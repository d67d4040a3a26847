import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { CaseStatus, TriageReason } from '../src/modules/case/case-codes';
import { CaseEvent } from '../src/modules/case/case-event.entity';
import { Case } from '../src/modules/case/case.entity';
import { routeCase } from '../src/modules/case/workflow/routing';
import { Referral } from '../src/modules/case/referral.entity';
import {
  makeAgency,
  makeAgreement,
  makeRoutedCase,
  makeTriageCase,
  makeUser,
  type Actor,
} from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

const ACCEPT = `mutation ($caseId: ID!, $version: Int!, $workerId: ID) {
  acceptCase(caseId: $caseId, version: $version, workerId: $workerId) {
    id status version assignedWorker { id } referrals { status respondedAt }
  }
}`;
const DECLINE = `mutation ($caseId: ID!, $version: Int!, $reason: String!) {
  declineCase(caseId: $caseId, version: $version, reason: $reason) {
    id status statusReason respondedAt toAgency { id }
  }
}`;
const RETRIAGE = `mutation ($caseId: ID!, $version: Int!) {
  retriageCase(caseId: $caseId, version: $version) {
    id status triageReason version routedAgency { id } referrals { toAgency { id } status }
  }
}`;
const ADMIN_VIEW = `query ($id: ID!) {
  case(id: $id) {
    status triageReason version routedAgency { id }
    referrals { toAgency { id } status statusReason }
  }
}`;

type AdminView = {
  status: string;
  triageReason: string | null;
  version: number;
  routedAgency: { id: string } | null;
  referrals: Array<{ toAgency: { id: string }; status: string; statusReason: string | null }>;
};

const fieldsOf = (response: GraphQLResponse<unknown>) =>
  (response.errors?.[0]?.extensions?.fields as Array<{ field: string }> | undefined)?.map(
    (f) => f.field,
  );

describe('case routing, accept and decline', () => {
  let hub: TestHub;
  let hubAdmin: Actor;
  beforeAll(async () => {
    hub = await startTestHub();
    hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
  });
  afterAll(() => hub.stop());

  const accept = (actor: Actor, caseId: string, version: number, workerId?: string) =>
    hub.gql<{ acceptCase: Record<string, unknown> | null }>(
      ACCEPT,
      { caseId, version, workerId },
      actor.token,
    );
  const decline = (actor: Actor, caseId: string, version: number, reason = 'no capacity') =>
    hub.gql<{ declineCase: Record<string, unknown> | null }>(
      DECLINE,
      { caseId, version, reason },
      actor.token,
    );
  const adminView = async (caseId: string): Promise<AdminView> => {
    const response = await hub.gql<{ case: AdminView }>(ADMIN_VIEW, { id: caseId }, hubAdmin.token);
    expect(response.errors).toBeUndefined();
    return response.data!.case;
  };
  /** The case's timeline entries; one transaction may write several in the same millisecond. */
  const timeline = async (caseId: string) =>
    (await hub.em().find(CaseEvent, { case: caseId }))
      .map((e) => [e.fromStatus, e.toStatus, e.reason])
      .sort();

  /** Routes a TRIAGE case the way intake does, in a transaction of its own. */
  async function route(caseId: string, reporter: Agency): Promise<void> {
    await hub.em().transactional(async (em) => {
      await routeCase(em, await em.findOneOrFail(Case, caseId), reporter.id);
    });
  }

  describe('accept', () => {
    it('lets an outreach worker claim a referred case for themselves', async () => {
      const routed = await makeRoutedCase(hub);
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await accept(worker, routed.kase.id, 1);
      expect(response.errors).toBeUndefined();
      expect(response.data!.acceptCase).toMatchObject({
        id: routed.kase.id,
        status: 'ASSIGNED',
        version: 2,
        assignedWorker: { id: worker.user.id },
        referrals: [{ status: 'ACCEPTED', respondedAt: expect.any(String) }],
      });
      const referral = await hub.em().findOneOrFail(Referral, routed.referral.id);
      expect(referral.respondedById).toBe(worker.user.id);
      expect(await timeline(routed.kase.id)).toEqual([['REFERRED', 'ASSIGNED', 'ACCEPTED']]);
    });

    it('accepts a worker naming themselves', async () => {
      const routed = await makeRoutedCase(hub);
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await accept(worker, routed.kase.id, 1, worker.user.id);
      expect(response.data!.acceptCase).toMatchObject({ status: 'ASSIGNED' });
    });

    it('refuses a worker claiming the case for someone else, naming workerId', async () => {
      const routed = await makeRoutedCase(hub);
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const teammate = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await accept(worker, routed.kase.id, 1, teammate.user.id);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(['workerId']);
      expect((await adminView(routed.kase.id)).status).toBe('REFERRED');
    });

    it('lets the agency admin assign an active outreach worker of the agency', async () => {
      const routed = await makeRoutedCase(hub);
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await accept(admin, routed.kase.id, 1, worker.user.id);
      expect(response.errors).toBeUndefined();
      expect(response.data!.acceptCase).toMatchObject({
        status: 'ASSIGNED',
        assignedWorker: { id: worker.user.id },
      });
      const referral = await hub.em().findOneOrFail(Referral, routed.referral.id);
      expect(referral.respondedById).toBe(admin.user.id);
    });

    it('refuses the admin every unusable worker with the same BAD_USER_INPUT on workerId', async () => {
      const routed = await makeRoutedCase(hub);
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      const elsewhere = await makeUser(hub, Role.OUTREACH_WORKER);
      const inactive = await makeUser(hub, Role.OUTREACH_WORKER, {
        agency: routed.outreach,
        active: false,
      });
      const notAWorker = await makeUser(hub, Role.ANALYST, { agency: routed.outreach });
      const messages = new Set<string>();
      for (const workerId of [
        elsewhere.user.id,
        inactive.user.id,
        notAWorker.user.id,
        admin.user.id,
        '3f1e2d4c-5b6a-4978-8a1b-2c3d4e5f6a7b',
        'not-a-uuid',
      ]) {
        const response = await accept(admin, routed.kase.id, 1, workerId);
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(fieldsOf(response)).toEqual(['workerId']);
        messages.add(response.errors![0].message);
      }
      expect(messages.size).toBe(1);
      const missing = await accept(admin, routed.kase.id, 1);
      expect(fieldsOf(missing)).toEqual(['workerId']);
      expect(await adminView(routed.kase.id)).toMatchObject({ status: 'REFERRED', version: 1 });
    });

    it('answers a stale version with CONFLICT and writes nothing', async () => {
      const routed = await makeRoutedCase(hub);
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await accept(worker, routed.kase.id, 7);
      expect(response.data).toEqual({ acceptCase: null });
      expect(errorCodes(response)).toEqual(['CONFLICT']);
      expect(await adminView(routed.kase.id)).toMatchObject({
        status: 'REFERRED',
        version: 1,
        referrals: [{ status: 'REQUESTED' }],
      });
      expect(await timeline(routed.kase.id)).toEqual([]);
    });

    it('lets exactly one of two concurrent accepts win; the other gets CONFLICT', async () => {
      const routed = await makeRoutedCase(hub);
      const first = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const second = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const responses = await Promise.all([
        accept(first, routed.kase.id, 1),
        accept(second, routed.kase.id, 1),
      ]);
      const codes = responses.map((r) => errorCodes(r)).sort();
      expect(codes).toEqual([[], ['CONFLICT']]);
      const winner = responses.find((r) => !r.errors)!.data!.acceptCase!;
      expect(winner).toMatchObject({ status: 'ASSIGNED', version: 2 });
      expect(await timeline(routed.kase.id)).toEqual([['REFERRED', 'ASSIGNED', 'ACCEPTED']]);
    });

    it('refuses an illegal transition, naming the current state and the allowed ones', async () => {
      const routed = await makeRoutedCase(hub, { status: CaseStatus.OUTREACH });
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await accept(worker, routed.kase.id, 1);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].message).toBe(
        'Invalid input: caseId: the case is OUTREACH and cannot become ASSIGNED; ' +
          'allowed next: ON_HOLD, ENGAGED, CLOSED, ENTERED_IN_ERROR',
      );
    });

    it("answers another agency's case with NOT_FOUND and leaves it alone", async () => {
      const routed = await makeRoutedCase(hub);
      const stranger = await makeUser(hub, Role.OUTREACH_WORKER);
      const response = await accept(stranger, routed.kase.id, 1);
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      expect((await adminView(routed.kase.id)).status).toBe('REFERRED');
    });

    it.each([Role.HUB_ADMIN, Role.POLICE_OFFICER, Role.EMS_PROVIDER, Role.LEAD_CASE_MANAGER])(
      'forbids %s to accept or decline',
      async (role) => {
        const routed = await makeRoutedCase(hub);
        const caller = await makeUser(hub, role);
        expect(errorCodes(await accept(caller, routed.kase.id, 1))).toEqual(['FORBIDDEN']);
        expect(errorCodes(await decline(caller, routed.kase.id, 1))).toEqual(['FORBIDDEN']);
        expect((await adminView(routed.kase.id)).status).toBe('REFERRED');
      },
    );
  });

  describe('routing', () => {
    it('prefers a covering agency with an agreement over a less busy one without', async () => {
      const { kase, reporter, county } = await makeTriageCase(hub);
      await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
      const partner = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: [county],
      });
      await makeAgreement(hub, reporter, partner, { counties: [county] });
      await makeRoutedCase(hub, { outreach: partner });
      await route(kase.id, reporter);
      const view = await adminView(kase.id);
      expect(view).toMatchObject({ status: 'REFERRED', routedAgency: { id: partner.id } });
      expect(await timeline(kase.id)).toEqual([['TRIAGE', 'REFERRED', 'ROUTED']]);
    });

    it('breaks a tie by the lowest open caseload', async () => {
      const { kase, reporter, county } = await makeTriageCase(hub);
      const busy = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        name: `A busy ${county}`,
        serviceCounties: [county],
      });
      const idle = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        name: `Z idle ${county}`,
        serviceCounties: [county],
      });
      await makeRoutedCase(hub, { outreach: busy });
      await makeRoutedCase(hub, { outreach: busy });
      await makeRoutedCase(hub, { outreach: idle, status: CaseStatus.CLOSED });
      await route(kase.id, reporter);
      expect((await adminView(kase.id)).routedAgency).toEqual({ id: idle.id });
    });

    it('leaves a case without a covering agency in TRIAGE with NO_COVERING_AGENCY', async () => {
      const { kase, reporter } = await makeTriageCase(hub);
      await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [kase.county] });
      await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: [kase.county],
        active: false,
      });
      await route(kase.id, reporter);
      expect(await adminView(kase.id)).toMatchObject({
        status: 'TRIAGE',
        triageReason: 'NO_COVERING_AGENCY',
        routedAgency: null,
        referrals: [],
      });
    });
  });

  describe('decline', () => {
    it('re-routes to the next covering agency, never the same twice, then waits in triage', async () => {
      const { kase, reporter, county } = await makeTriageCase(hub);
      const first = await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
      const second = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: [county],
      });
      await makeAgreement(hub, reporter, first, { counties: [county] });
      await route(kase.id, reporter);
      const routed = await adminView(kase.id);
      expect(routed.routedAgency).toEqual({ id: first.id });

      const firstWorker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: first });
      const declined = await decline(
        firstWorker,
        kase.id,
        routed.version,
        ' no capacity this week ',
      );
      expect(declined.errors).toBeUndefined();
      expect(declined.data!.declineCase).toMatchObject({
        status: 'REJECTED',
        statusReason: 'no capacity this week',
        respondedAt: expect.any(String),
        toAgency: { id: first.id },
      });
      expect(await adminView(kase.id)).toMatchObject({
        status: 'REFERRED',
        routedAgency: { id: second.id },
        triageReason: null,
      });
      // The case left the first agency: it answers like any case it never had.
      const gone = await hub.gql(ADMIN_VIEW, { id: kase.id }, firstWorker.token);
      expect(errorCodes(gone)).toEqual(['NOT_FOUND']);

      const secondAdmin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: second });
      const version = (await adminView(kase.id)).version;
      const again = await decline(secondAdmin, kase.id, version, 'outside our area');
      expect(again.errors).toBeUndefined();
      expect(await adminView(kase.id)).toMatchObject({
        status: 'TRIAGE',
        triageReason: 'ALL_COVERING_AGENCIES_DECLINED',
        routedAgency: null,
        referrals: [
          { toAgency: { id: first.id }, status: 'REJECTED', statusReason: 'no capacity this week' },
          { toAgency: { id: second.id }, status: 'REJECTED', statusReason: 'outside our area' },
        ],
      });
      expect(await timeline(kase.id)).toEqual(
        [
          ['TRIAGE', 'REFERRED', 'ROUTED'],
          ['REFERRED', 'REFERRAL_DECLINED', 'DECLINED'],
          ['REFERRAL_DECLINED', 'TRIAGE', 'REROUTE'],
          ['TRIAGE', 'REFERRED', 'ROUTED'],
          ['REFERRED', 'REFERRAL_DECLINED', 'DECLINED'],
          ['REFERRAL_DECLINED', 'TRIAGE', 'REROUTE'],
        ].sort(),
      );
    });

    it('refuses a blank reason, naming reason, and writes nothing', async () => {
      const routed = await makeRoutedCase(hub);
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await decline(worker, routed.kase.id, 1, '   ');
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(['reason']);
      expect((await adminView(routed.kase.id)).status).toBe('REFERRED');
    });

    it('refuses to decline an assigned case, and a stale version', async () => {
      const routed = await makeRoutedCase(hub);
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      expect(errorCodes(await accept(worker, routed.kase.id, 1))).toEqual([]);
      expect(errorCodes(await decline(worker, routed.kase.id, 1))).toEqual(['CONFLICT']);
      const illegal = await decline(worker, routed.kase.id, 2);
      expect(errorCodes(illegal)).toEqual(['BAD_USER_INPUT']);
      expect(illegal.errors![0].message).toContain('the case is ASSIGNED');
      expect(illegal.errors![0].message).toContain('allowed next: OUTREACH, CLOSED');
      expect(await adminView(routed.kase.id)).toMatchObject({ status: 'ASSIGNED', version: 2 });
    });
  });

  describe('retriage', () => {
    const retriage = (actor: Actor, caseId: string, version: number) =>
      hub.gql<{ retriageCase: Record<string, unknown> | null }>(
        RETRIAGE,
        { caseId, version },
        actor.token,
      );

    it('lets the hub admin route a waiting case once an agency covers the county', async () => {
      const { kase, reporter, county } = await makeTriageCase(hub);
      await route(kase.id, reporter);
      const waiting = await adminView(kase.id);
      expect(waiting.triageReason).toBe('NO_COVERING_AGENCY');

      const created = await hub.gql<{ createAgency: { id: string } }>(
        'mutation ($county: String!) { createAgency(input: { name: $county, kind: HARM_REDUCTION, serviceCounties: [$county] }) { id } }',
        { county },
        hubAdmin.token,
      );
      const agencyId = created.data!.createAgency.id;
      const response = await retriage(hubAdmin, kase.id, waiting.version);
      expect(response.errors).toBeUndefined();
      expect(response.data!.retriageCase).toMatchObject({
        id: kase.id,
        status: 'REFERRED',
        triageReason: null,
        routedAgency: { id: agencyId },
        referrals: [{ toAgency: { id: agencyId }, status: 'REQUESTED' }],
      });
    });

    it('keeps the case in triage when still no agency covers it', async () => {
      const { kase } = await makeTriageCase(hub);
      const response = await retriage(hubAdmin, kase.id, 1);
      expect(response.data!.retriageCase).toMatchObject({
        status: 'TRIAGE',
        triageReason: TriageReason.NO_COVERING_AGENCY,
      });
    });

    it('refuses a case that is not in triage, naming its state', async () => {
      const routed = await makeRoutedCase(hub);
      const response = await retriage(hubAdmin, routed.kase.id, 1);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].message).toContain(
        'the case is REFERRED and cannot become REFERRED; allowed next: ASSIGNED, REFERRAL_DECLINED',
      );
    });

    it('is for the hub admin only', async () => {
      const routed = await makeRoutedCase(hub, { status: CaseStatus.TRIAGE });
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      expect(errorCodes(await retriage(admin, routed.kase.id, 1))).toEqual(['FORBIDDEN']);
    });
  });
});
