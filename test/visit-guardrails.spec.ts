import { Role } from '../src/common/role';
import { CaseStatus } from '../src/modules/case/case-codes';
import { ConsentScope } from '../src/modules/outreach/outreach-codes';
import { makeConsent } from './support/consent-factory';
import { makeAgency, makeUser, type Actor } from './support/factories';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { footprint, makeWorkedCase } from './support/outreach-factory';

const MINUTE = 60_000;
const LOG = `mutation ($caseId: ID!, $version: Int!, $input: OutreachAttemptInput!) {
  logOutreachAttempt(caseId: $caseId, version: $version, input: $input) {
    id outreachAttempts { outcome officerPresence naloxoneKitsForPerson fentanylTestStrips } } }`;
const RECORD_CONSENT = `mutation ($caseId: ID!, $version: Int!, $input: RecordConsentInput!) {
  recordConsent(caseId: $caseId, version: $version, input: $input) { id scope } }`;
const POLICY = `mutation ($refuse: Boolean!, $agencyId: ID) {
  setVisitPolicy(refuseUniformedOfficers: $refuse, agencyId: $agencyId) { id refuseUniformedOfficers } }`;
const FLAG = `{ agencyCaseload { uniformedOfficerVisits } }`;

const fieldsOf = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? []).flatMap((e) =>
    ((e.extensions?.fields as Array<{ field: string }>) ?? []).map((f) => f.field),
  );

/** A visit where nobody answered, with supplies recorded as left at the door. */
const dropOff = (overrides: Record<string, unknown> = {}) => ({
  method: 'VISIT',
  attemptedAt: new Date(Date.now() - 10 * MINUTE).toISOString(),
  outcome: 'NO_ANSWER',
  officerPresence: 'NONE',
  naloxoneKitsForPerson: 2,
  fentanylTestStrips: 10,
  peerSupportContactCard: true,
  ...overrides,
});

/** Issue 14 point 4: guardrails as practice says. */
describe('visit guardrails', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const log = (worker: Actor, caseId: string, version: number, input: Record<string, unknown>) =>
    hub.gql<{ logOutreachAttempt: { outreachAttempts: Array<Record<string, unknown>> } }>(
      LOG,
      { caseId, version, input },
      worker.token,
    );

  it('lets supplies be left unreached when the person consented to drop-offs by this agency', async () => {
    const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
    await makeConsent(hub, routed.kase, {
      scope: ConsentScope.DROP_OFF_SUPPLIES,
      recordedBy: routed.worker,
    });
    const response = await log(routed.worker, routed.kase.id, 1, dropOff());
    expect(response.errors).toBeUndefined();
    expect(response.data!.logOutreachAttempt.outreachAttempts.at(-1)).toMatchObject({
      outcome: 'NO_ANSWER',
      naloxoneKitsForPerson: 2,
      fentanylTestStrips: 10,
    });
  });

  it('refuses the drop-off under a revoked consent, or one naming another agency; writes nothing', async () => {
    const revoked = await makeWorkedCase(hub, CaseStatus.OUTREACH);
    await makeConsent(hub, revoked.kase, {
      scope: ConsentScope.DROP_OFF_SUPPLIES,
      recordedBy: revoked.worker,
      revokedAt: new Date(Date.now() - MINUTE),
    });
    const elsewhere = await makeWorkedCase(hub, CaseStatus.OUTREACH);
    await makeConsent(hub, elsewhere.kase, {
      scope: ConsentScope.DROP_OFF_SUPPLIES,
      recordedBy: elsewhere.worker,
      grantedTo: await makeAgency(hub, AgencyKind.HARM_REDUCTION),
    });
    for (const routed of [revoked, elsewhere]) {
      const before = await footprint(hub, routed.kase.id);
      const response = await log(routed.worker, routed.kase.id, 1, dropOff());
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual([
        'input.naloxoneKitsForPerson',
        'input.fentanylTestStrips',
      ]);
      expect(await footprint(hub, routed.kase.id)).toEqual(before);
    }
  });

  it('records a drop-off consent through GraphQL for the agency the worker belongs to', async () => {
    const routed = await makeWorkedCase(hub, CaseStatus.ENGAGED);
    const response = await hub.gql<{ recordConsent: { scope: string } }>(
      RECORD_CONSENT,
      {
        caseId: routed.kase.id,
        version: 1,
        input: {
          scope: 'DROP_OFF_SUPPLIES',
          method: 'VERBAL',
          purpose: 'Leave naloxone at the door if I am out',
          grantedAt: new Date(Date.now() - MINUTE).toISOString(),
        },
      },
      routed.worker.token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.recordConsent.scope).toBe('DROP_OFF_SUPPLIES');
  });

  it('records a uniformed officer at a visit and flags it on the agency dashboard', async () => {
    const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
    const flag = async () =>
      (await hub.gql<{ agencyCaseload: { uniformedOfficerVisits: number } }>(FLAG, {}, admin.token))
        .data!.agencyCaseload.uniformedOfficerVisits;
    expect(await flag()).toBe(0);
    const response = await log(
      routed.worker,
      routed.kase.id,
      1,
      dropOff({ outcome: 'CONTACT_SURVIVOR_ENGAGED', officerPresence: 'UNIFORMED' }),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.logOutreachAttempt.outreachAttempts.at(-1)!.officerPresence).toBe(
      'UNIFORMED',
    );
    expect(await flag()).toBe(1);
  });

  it('refuses a uniformed officer once the agency admin sets the policy, and writes nothing', async () => {
    const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
    const policy = await hub.gql(POLICY, { refuse: true }, admin.token);
    expect(policy.errors).toBeUndefined();

    const before = await footprint(hub, routed.kase.id);
    const uniformed = await log(
      routed.worker,
      routed.kase.id,
      1,
      dropOff({ outcome: 'CONTACT_SURVIVOR_ENGAGED', officerPresence: 'UNIFORMED' }),
    );
    expect(errorCodes(uniformed)).toEqual(['BAD_USER_INPUT']);
    expect(fieldsOf(uniformed)).toEqual(['input.officerPresence']);
    expect(await footprint(hub, routed.kase.id)).toEqual(before);

    const plainClothes = await log(
      routed.worker,
      routed.kase.id,
      1,
      dropOff({ outcome: 'CONTACT_SURVIVOR_ENGAGED', officerPresence: 'PLAIN_CLOTHES' }),
    );
    expect(plainClothes.errors).toBeUndefined();
  });

  it('lets only admins set the visit policy, an agency admin for their own agency only', async () => {
    const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
    expect(errorCodes(await hub.gql(POLICY, { refuse: true }, routed.worker.token))).toEqual([
      'FORBIDDEN',
    ]);
    const otherAdmin = await makeUser(hub, Role.AGENCY_ADMIN);
    const response = await hub.gql(
      POLICY,
      { refuse: true, agencyId: routed.outreach.id },
      otherAdmin.token,
    );
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    const uniformed = await log(
      routed.worker,
      routed.kase.id,
      1,
      dropOff({ outcome: 'CONTACT_SURVIVOR_ENGAGED', officerPresence: 'UNIFORMED' }),
    );
    expect(uniformed.errors).toBeUndefined();
  });
});
