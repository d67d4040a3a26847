import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import {
  CaseStatus,
  CloseReason,
  HoldReason,
  ReferralStatus,
} from '../src/modules/case/case-codes';
import { CaseEvent } from '../src/modules/case/case-event.entity';
import { Case } from '../src/modules/case/case.entity';
import { Referral } from '../src/modules/case/referral.entity';
import { ConsentMethod, ConsentScope } from '../src/modules/outreach/outreach-codes';
import { Consent } from '../src/modules/outreach/consent.entity';
import { makeAgency, makeAgreement, makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { REPORT_MUTATION, reportInput, type ReportBody } from './support/reports';

const DAY = 86_400_000;

/**
 * Every close goes through one function (issue 13 point 5): whatever closes a case, its hold is
 * cleared, a routing request still waiting is cancelled, the person's other open cases are closed
 * where the reason requires it (a death), and each closed case gets exactly one timeline entry.
 */
describe('every close through one function', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
  });

  afterAll(async () => {
    await hub.stop();
  });

  interface World {
    county: string;
    paramedic: Actor;
    worker: Actor;
    admin: Actor;
    survivor: ReportBody['survivor'];
    /** Routed, its routing request still REQUESTED. */
    pending: Case;
    /** ON_HOLD with a reason and a resume date, accepted by the worker. */
    held: Case;
    /** In OUTREACH, accepted by the worker. */
    worked: Case;
  }

  /** One person with three open cases at one harm-reduction agency, reported through GraphQL. */
  async function world(): Promise<World> {
    const county = uniqueCounty();
    const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    await makeAgreement(hub, ems, outreach, { counties: [county] });
    const paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
    // Three overdoses ten hours apart (closer together they would be reports of one overdose).
    const hoursAgo = (i: number) => new Date(Date.now() - (32 - 10 * i) * 3_600_000).toISOString();
    const first = reportInput(county, { occurredAt: hoursAgo(0) });
    const survivor = first.survivor;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const input = i === 0 ? first : reportInput(county, { survivor, occurredAt: hoursAgo(i) });
      ids.push(await report(paramedic, input));
    }
    const em = hub.em();
    const [pending, held, worked] = await Promise.all(
      ids.map((id) => em.findOneOrFail(Case, { indexIncident: id })),
    );
    // The held and the worked case as a worker leaves them (accepted, then outreach).
    for (const kase of [held, worked]) {
      kase.status = CaseStatus.OUTREACH;
      kase.assignedWorker = worker.user as never;
      await em.nativeUpdate(
        Referral,
        { case: kase.id, status: ReferralStatus.REQUESTED },
        { status: ReferralStatus.ACCEPTED },
      );
    }
    held.status = CaseStatus.ON_HOLD;
    held.holdReason = HoldReason.ASKED_FOR_LATER_CONTACT;
    held.resumeOn = new Date(Date.now() + 7 * DAY);
    await em.flush();
    return { county, paramedic, worker, admin, survivor, pending, held, worked };
  }

  async function report(reporter: Actor, input: ReportBody): Promise<string> {
    const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
      REPORT_MUTATION,
      { input },
      reporter.token,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.reportIncident.incident.id;
  }

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  async function fresh(kase: Case): Promise<Case> {
    return hub.em().findOneOrFail(Case, kase.id, { refresh: true });
  }

  async function closesOf(kase: Case): Promise<number> {
    return hub.em().count(CaseEvent, { case: kase.id, toStatus: CaseStatus.CLOSED });
  }

  async function openRoutingRequests(kase: Case): Promise<number> {
    return hub.em().count(Referral, { case: kase.id, status: ReferralStatus.REQUESTED });
  }

  /** Closed with `reason`, no hold, no routing request waiting, one timeline entry. */
  async function expectClosed(kase: Case, reason: CloseReason): Promise<void> {
    const now = await fresh(kase);
    expect([now.status, now.closeReason, now.holdReason ?? null, now.resumeOn ?? null]).toEqual([
      CaseStatus.CLOSED,
      reason,
      null,
      null,
    ]);
    expect(await openRoutingRequests(kase)).toBe(0);
    expect(await closesOf(kase)).toBe(1);
  }

  async function expectOpen(kase: Case, status: CaseStatus): Promise<void> {
    expect((await fresh(kase)).status).toBe(status);
    expect(await closesOf(kase)).toBe(0);
  }

  async function expectEveryCaseClosedDeceased(w: World): Promise<void> {
    for (const kase of [w.pending, w.held, w.worked]) {
      await expectClosed(kase, CloseReason.DECEASED);
    }
  }

  it('a fatal report of a known person closes every open case of the person DECEASED', async () => {
    const w = await world();
    const fatalId = await report(
      w.paramedic,
      reportInput(w.county, { survivor: w.survivor, fatal: true }),
    );
    await expectEveryCaseClosedDeceased(w);
    const fatal = await hub.em().findOneOrFail(Case, { indexIncident: fatalId });
    await expectClosed(fatal, CloseReason.DECEASED);
    expect(await hub.em().count(Referral, { case: fatal.id })).toBe(0);
  });

  it('a FATAL_OVERDOSE outcome closes the case and the person’s other open cases', async () => {
    const w = await world();
    const worked = await fresh(w.worked);
    ok(
      await hub.gql(
        `mutation ($caseId: ID!, $version: Int!, $input: OutcomeInput!) {
          recordOutcome(caseId: $caseId, version: $version, input: $input) { id }
        }`,
        {
          caseId: worked.id,
          version: worked.version,
          input: { type: 'FATAL_OVERDOSE', occurredAt: new Date().toISOString() },
        },
        w.worker.token,
      ),
    );
    await expectEveryCaseClosedDeceased(w);
  });

  it('a DECEASED attempt closes the case and the person’s other open cases', async () => {
    const w = await world();
    const worked = await fresh(w.worked);
    ok(
      await hub.gql(
        `mutation ($caseId: ID!, $version: Int!, $input: OutreachAttemptInput!) {
          logOutreachAttempt(caseId: $caseId, version: $version, input: $input) { id }
        }`,
        {
          caseId: worked.id,
          version: worked.version,
          input: { method: 'PHONE', attemptedAt: new Date().toISOString(), outcome: 'DECEASED' },
        },
        w.worker.token,
      ),
    );
    await expectEveryCaseClosedDeceased(w);
  });

  it('revoking consent to follow-up closes that case only, clearing its hold', async () => {
    const w = await world();
    const em = hub.em();
    const consent = em.create(Consent, {
      person: w.held.person!.id,
      case: w.held.id,
      scope: ConsentScope.CONTACT_FOR_FOLLOW_UP,
      grantedTo: w.worker.agency.id,
      coversPolice: false,
      purpose: 'Follow-up visit and referrals',
      method: ConsentMethod.WRITTEN,
      grantedAt: new Date(Date.now() - DAY),
      recordedById: w.worker.user.id,
    });
    await em.flush();
    ok(
      await hub.gql(
        `mutation ($id: ID!) { revokeConsent(consentId: $id, reason: "asked to stop") { id } }`,
        { id: consent.id },
        w.worker.token,
      ),
    );
    await expectClosed(w.held, CloseReason.CONSENT_REVOKED);
    await expectOpen(w.pending, CaseStatus.REFERRED);
    await expectOpen(w.worked, CaseStatus.OUTREACH);
  });

  it('closeCase from ON_HOLD clears the hold and leaves the person’s other cases open', async () => {
    const w = await world();
    const held = await fresh(w.held);
    ok(
      await hub.gql(
        `mutation ($caseId: ID!, $version: Int!) {
          closeCase(caseId: $caseId, version: $version, reason: UNABLE_TO_CONTACT) { id }
        }`,
        { caseId: held.id, version: held.version },
        w.worker.token,
      ),
    );
    await expectClosed(w.held, CloseReason.UNABLE_TO_CONTACT);
    await expectOpen(w.pending, CaseStatus.REFERRED);
    await expectOpen(w.worked, CaseStatus.OUTREACH);
  });

  it('closeCase of a referred case cancels its routing request', async () => {
    const w = await world();
    const pending = await fresh(w.pending);
    expect(await openRoutingRequests(pending)).toBe(1);
    ok(
      await hub.gql(
        `mutation ($caseId: ID!, $version: Int!) {
          closeCase(caseId: $caseId, version: $version, reason: NOT_ELIGIBLE) { id }
        }`,
        { caseId: pending.id, version: pending.version },
        w.admin.token,
      ),
    );
    await expectClosed(w.pending, CloseReason.NOT_ELIGIBLE);
    await expectOpen(w.held, CaseStatus.ON_HOLD);
  });

  it('closeCase DECEASED by the agency admin closes the person’s other open cases', async () => {
    const w = await world();
    const pending = await fresh(w.pending);
    ok(
      await hub.gql(
        `mutation ($caseId: ID!, $version: Int!) {
          closeCase(caseId: $caseId, version: $version, reason: DECEASED) { id }
        }`,
        { caseId: pending.id, version: pending.version },
        w.admin.token,
      ),
    );
    await expectEveryCaseClosedDeceased(w);
  });
});
