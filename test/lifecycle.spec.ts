import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { AgreementPurpose } from '../src/modules/agency/agreement-codes';
import {
  makeAgency,
  makeAgreement,
  makeApiKey,
  makeUser,
  uniqueCounty,
  type Actor,
} from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { makeResource } from './support/resource-factory';
import { BATCH_MUTATION, reportInput } from './support/reports';

/**
 * The whole story of one survivor, through GraphQL as each agency would play it: an EMS system
 * reports a reversal; the hub routes it to the harm-reduction agency; a peer worker accepts it,
 * tries twice, engages the person with consent, refers to LEAD and to MOUD, records the outcome
 * and closes the case. At each step every other role is checked for what it must not see.
 */
describe('full case lifecycle', () => {
  let hub: TestHub;
  let county: string;
  let emsKey: string;
  let officer: Actor;
  let worker: Actor;
  let outreachAdmin: Actor;
  let caseManager: Actor;
  let analyst: Actor;
  let researcher: Actor;
  let hubAdmin: Actor;
  let leadProgramId: string;
  let incidentId: string;
  let caseId: string;
  let version: number;

  beforeAll(async () => {
    hub = await startTestHub();
    county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    const harmReduction = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    const lead = await makeAgency(hub, AgencyKind.LEAD_PROGRAM, { serviceCounties: [county] });
    leadProgramId = lead.id;
    await makeAgreement(hub, ems, harmReduction, { counties: [county] });
    await makeAgreement(hub, police, lead, { counties: [county], purpose: AgreementPurpose.LEAD });
    emsKey = (await makeApiKey(hub, ems, Role.EMS_PROVIDER)).key;
    officer = await makeUser(hub, Role.POLICE_OFFICER, { agency: police });
    worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: harmReduction });
    outreachAdmin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: harmReduction });
    caseManager = await makeUser(hub, Role.LEAD_CASE_MANAGER, { agency: lead });
    analyst = await makeUser(hub, Role.ANALYST);
    researcher = await makeUser(hub, Role.RESEARCHER);
    hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
  });
  afterAll(() => hub.stop());

  const ok = <T>(response: GraphQLResponse<T>): T => {
    expect(response.errors).toBeUndefined();
    return response.data as T;
  };

  const CASE = `query($id: ID!) { case(id: $id) { id status version identitySealed
    person { firstName lastName phone } } }`;
  type CaseView = {
    case: { status: string; version: number; person: { firstName: string } | null } | null;
  };

  /** What the outreach worker sees; also refreshes the version for the next change. */
  async function workerView(): Promise<CaseView['case']> {
    const view = ok(await hub.gql<CaseView>(CASE, { id: caseId }, worker.token)).case!;
    version = view.version;
    return view;
  }

  /** Roles that must never see the case at all, whatever its state. */
  async function expectInvisibleToOthers(): Promise<void> {
    for (const actor of [officer, analyst, researcher]) {
      const response = await hub.gql(CASE, { id: caseId }, actor.token);
      expect(response.data).toEqual({ case: null });
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    }
    const asEms = await hub.gql(CASE, { id: caseId }, emsKey);
    expect(errorCodes(asEms)).toEqual(['FORBIDDEN']);
    // The hub operator and the agency admin see the queue, never the person.
    for (const admin of [hubAdmin, outreachAdmin]) {
      const response = await hub.gql<CaseView>(CASE, { id: caseId }, admin.token);
      expect(response.data?.case?.person).toBeNull();
      expect(response.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
        ['case.person', 'FORBIDDEN'],
      ]);
    }
  }

  it('1. EMS reports a reversal in a batch; re-posting it changes nothing', async () => {
    const input = reportInput(county, { emsDisposition: 'REFUSED_TRANSPORT' });
    type Batch = {
      reportIncidents: {
        createdCount: number;
        items: Array<{ status: string; incident: { id: string } }>;
      };
    };
    const first = ok(await hub.gql<Batch>(BATCH_MUTATION, { inputs: [input] }, emsKey));
    expect(first.reportIncidents.items[0].status).toBe('CREATED');
    incidentId = first.reportIncidents.items[0].incident.id;
    const again = ok(await hub.gql<Batch>(BATCH_MUTATION, { inputs: [input] }, emsKey));
    expect(again.reportIncidents.items[0]).toEqual({
      status: 'ALREADY_REPORTED',
      incident: { id: incidentId },
      index: 0,
      externalId: input.externalId,
      errors: [],
    });
  });

  it('2. the case is routed to the harm-reduction agency, due 72 h after the overdose; police see none of it', async () => {
    type Cases = {
      cases: {
        edges: Array<{
          node: {
            id: string;
            status: string;
            followUpDueAt: string;
            indexIncident: { id: string; occurredAt: string };
          };
        }>;
      };
    };
    const listed = ok(
      await hub.gql<Cases>(
        `{ cases(filter: { status: [REFERRED] }) { edges { node { id status followUpDueAt indexIncident { id occurredAt } } } } }`,
        {},
        worker.token,
      ),
    );
    const node = listed.cases.edges.find((e) => e.node.indexIncident.id === incidentId)!.node;
    caseId = node.id;
    expect(
      new Date(node.followUpDueAt).getTime() - new Date(node.indexIncident.occurredAt).getTime(),
    ).toBe(72 * 3_600_000);
    expect((await workerView())?.person?.firstName).toMatch(/^Alex/);
    const policeRead = await hub.gql(
      `query($id: ID!) { incident(id: $id) { id } }`,
      { id: incidentId },
      officer.token,
    );
    expect(errorCodes(policeRead)).toEqual(['NOT_FOUND']);
    await expectInvisibleToOthers();
  });

  it('3. a peer worker accepts the case and tries twice; the second try reaches the person', async () => {
    ok(
      await hub.gql(
        `mutation($id: ID!, $v: Int!) { acceptCase(caseId: $id, version: $v) { status } }`,
        { id: caseId, v: version },
        worker.token,
      ),
    );
    expect((await workerView())?.status).toBe('ASSIGNED');
    const attempt = (outcome: string, extra: Record<string, unknown> = {}) =>
      hub.gql(
        `mutation($id: ID!, $v: Int!, $input: OutreachAttemptInput!) { logOutreachAttempt(caseId: $id, version: $v, input: $input) { status attemptCount } }`,
        {
          id: caseId,
          v: version,
          input: {
            method: 'VISIT',
            attemptedAt: new Date().toISOString(),
            outcome,
            officerPresence: 'NONE',
            ...extra,
          },
        },
        worker.token,
      );
    ok(await attempt('NO_ANSWER'));
    expect((await workerView())?.status).toBe('OUTREACH');
    const reached = ok(
      await attempt('CONTACT_SURVIVOR_ENGAGED', {
        naloxoneKitsForPerson: 2,
        naloxoneKitsForFamily: 1,
        fentanylTestStrips: 10,
        peerSupportContactCard: true,
      }),
    );
    expect(reached).toEqual({ logOutreachAttempt: { status: 'OUTREACH', attemptCount: 2 } });
    await workerView();
    await expectInvisibleToOthers();
  });

  it('4. the person agrees to follow-up and to LEAD; the case becomes ENGAGED', async () => {
    const consent = (scope: string, extra: Record<string, unknown> = {}) =>
      hub.gql<{ recordConsent: { id: string; inForce: boolean } }>(
        `mutation($id: ID!, $v: Int!, $input: RecordConsentInput!) { recordConsent(caseId: $id, version: $v, input: $input) { id inForce } }`,
        {
          id: caseId,
          v: version,
          input: {
            scope,
            purpose: 'post-overdose follow-up',
            method: 'VERBAL',
            grantedAt: new Date().toISOString(),
            ...extra,
          },
        },
        worker.token,
      );
    expect(ok(await consent('CONTACT_FOR_FOLLOW_UP')).recordConsent.inForce).toBe(true);
    await workerView();
    ok(await consent('SHARE_WITH_LEAD', { grantedToAgencyId: leadProgramId }));
    await workerView();
    ok(
      await hub.gql(
        `mutation($id: ID!, $v: Int!) { markCaseEngaged(caseId: $id, version: $v) { status } }`,
        { id: caseId, v: version },
        worker.token,
      ),
    );
    expect((await workerView())?.status).toBe('ENGAGED');
    const adminView = await hub.gql<{ case: { consentOnFile: boolean; consents: unknown } }>(
      `query($id: ID!) { case(id: $id) { consentOnFile consents { id } } }`,
      { id: caseId },
      outreachAdmin.token,
    );
    expect(adminView.data?.case).toEqual({ consentOnFile: true, consents: null });
  });

  let leadReferralId: string;
  it('5. the worker refers to LEAD; the case manager sees the person while the release is in force', async () => {
    const referred = ok(
      await hub.gql<{ referToLead: { id: string } }>(
        `mutation($input: ReferToLeadInput!) { referToLead(input: $input) { id } }`,
        { input: { caseId, door: 'COMMUNITY', programId: leadProgramId } },
        worker.token,
      ),
    );
    leadReferralId = referred.referToLead.id;
    const seen = ok(
      await hub.gql<{ leadReferral: { status: string; person: { lastName: string } | null } }>(
        `query($id: ID!) { leadReferral(id: $id) { status person { lastName } } }`,
        { id: leadReferralId },
        caseManager.token,
      ),
    );
    expect(seen.leadReferral.status).toBe('REFERRED');
    expect(seen.leadReferral.person?.lastName).toMatch(/^Rivera/);
    // The police department did not refer and sees nothing of it.
    const police = await hub.gql<{ myLeadReferrals: { totalCount: number } }>(
      `{ myLeadReferrals { totalCount } }`,
      {},
      officer.token,
    );
    expect(police.data?.myLeadReferrals.totalCount).toBe(0);
    await workerView();
  });

  it('6. the worker refers to a buprenorphine clinic the person can pay for; the case becomes LINKED', async () => {
    const clinic = await makeResource(hub, {
      county,
      services: ['MOUD' as never],
      moud: ['BUPRENORPHINE' as never],
      paymentAccepted: ['SLIDING_SCALE' as never, 'NO_PAYMENT' as never],
    });
    const found = ok(
      await hub.gql<{ resources: { edges: Array<{ node: { id: string } }> } }>(
        `query($county: String!) { resources(filter: { county: $county, moud: BUPRENORPHINE, paymentAccepted: [NO_PAYMENT] }) { edges { node { id } } } }`,
        { county },
        worker.token,
      ),
    );
    expect(found.resources.edges.map((e) => e.node.id)).toEqual([clinic.id]);
    ok(
      await hub.gql(
        `mutation($id: ID!, $v: Int!, $input: ServiceReferralInput!) { createServiceReferral(caseId: $id, version: $v, input: $input) { id } }`,
        { id: caseId, v: version, input: { type: 'TREATMENT_MOUD', toResourceId: clinic.id } },
        worker.token,
      ),
    );
    await workerView();
    ok(
      await hub.gql(
        `mutation($id: ID!, $v: Int!) { markCaseLinked(caseId: $id, version: $v) { status } }`,
        { id: caseId, v: version },
        worker.token,
      ),
    );
    expect((await workerView())?.status).toBe('LINKED');
    await expectInvisibleToOthers();
  });

  it('7. MOUD starts; the case closes LINKED_TO_CARE with its whole timeline', async () => {
    ok(
      await hub.gql(
        `mutation($id: ID!, $v: Int!, $input: OutcomeInput!) { recordOutcome(caseId: $id, version: $v, input: $input) { id } }`,
        {
          id: caseId,
          v: version,
          input: {
            type: 'MOUD_STARTED',
            moudType: 'BUPRENORPHINE',
            occurredAt: new Date().toISOString(),
          },
        },
        worker.token,
      ),
    );
    await workerView();
    ok(
      await hub.gql(
        `mutation($id: ID!, $v: Int!) { closeCase(caseId: $id, version: $v, reason: LINKED_TO_CARE) { status } }`,
        { id: caseId, v: version },
        worker.token,
      ),
    );
    const closed = ok(
      await hub.gql<{
        case: {
          status: string;
          closeReason: string;
          timeline: Array<{ toStatus: string }>;
          outcomes: Array<{ type: string }>;
        };
      }>(
        `query($id: ID!) { case(id: $id) { status closeReason timeline { toStatus } outcomes { type } } }`,
        { id: caseId },
        worker.token,
      ),
    );
    expect([closed.case.status, closed.case.closeReason]).toEqual(['CLOSED', 'LINKED_TO_CARE']);
    const moves = closed.case.timeline
      .map((e) => e.toStatus)
      .filter((s, i, all) => s !== all[i - 1]);
    expect(moves).toEqual([
      'REPORTED',
      'TRIAGE',
      'REFERRED',
      'ASSIGNED',
      'OUTREACH',
      'ENGAGED',
      'LINKED',
      'CLOSED',
    ]);
    expect(closed.case.outcomes.map((o) => o.type)).toEqual(['MOUD_STARTED']);
    await expectInvisibleToOthers();
  });

  it('8. the reporter still reads its own report and learns only suppressed counts', async () => {
    const own = ok(
      await hub.gql<{ incident: { id: string; emsDisposition: string } }>(
        `query($id: ID!) { incident(id: $id) { id emsDisposition } }`,
        { id: incidentId },
        emsKey,
      ),
    );
    expect(own.incident).toEqual({ id: incidentId, emsDisposition: 'REFUSED_TRANSPORT' });
    const feedback = ok(
      await hub.gql<{
        myReferralFeedback: { total: { reached: { value: number | null; suppressed: boolean } } };
      }>(
        `query($y: Int!) { myReferralFeedback(year: $y) { total { reached { value suppressed } } } }`,
        { y: new Date().getUTCFullYear() },
        emsKey,
      ),
    );
    expect(feedback.myReferralFeedback.total.reached).toEqual({ value: null, suppressed: true });
  });

  it('9. when the person withdraws the LEAD release, the case manager loses the identity at once', async () => {
    const consents = ok(
      await hub.gql<{ case: { consents: Array<{ id: string; scope: string }> } }>(
        `query($id: ID!) { case(id: $id) { consents { id scope } } }`,
        { id: caseId },
        worker.token,
      ),
    );
    const release = consents.case.consents.find((c) => c.scope === 'SHARE_WITH_LEAD')!;
    ok(
      await hub.gql(
        `mutation($id: ID!) { revokeConsent(consentId: $id, reason: "asked to stop sharing") { revokedAt } }`,
        { id: release.id },
        worker.token,
      ),
    );
    const after = await hub.gql<{ leadReferral: { status: string; person: unknown } }>(
      `query($id: ID!) { leadReferral(id: $id) { status person { lastName } } }`,
      { id: leadReferralId },
      caseManager.token,
    );
    expect(after.data?.leadReferral).toEqual({ status: 'REFERRED', person: null });
    expect(after.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['leadReferral.person', 'FORBIDDEN'],
    ]);
  });
});
