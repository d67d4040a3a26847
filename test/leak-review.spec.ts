import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseStatus } from '../src/modules/case/case-codes';
import { ConsentScope } from '../src/modules/outreach/outreach-codes';
import { makeConsent, makeLeadReferral, makeLeadWorld } from './support/consent-factory';
import { makeAgency, makeRoutedCase, makeUser, type Actor } from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { makeResource } from './support/resource-factory';

/**
 * Security review: paths by which survivor identity, treatment or LEAD information could reach
 * a role or agency the DESIGN.md matrix keeps it from. Each finding has a test that failed
 * before its fix; the rest pin down non-leaks that were checked.
 */

const CREATE_REFERRAL = `mutation($caseId: ID!, $version: Int!, $input: ServiceReferralInput!) {
  createServiceReferral(caseId: $caseId, version: $version, input: $input) { id } }`;
const INCOMING = `{ incomingServiceReferrals { totalCount edges { node { id type status } } } }`;
const UPDATE_REFERRAL = `mutation($referralId: ID!, $status: ReferralStatus!, $reason: String) {
  updateServiceReferralStatus(referralId: $referralId, status: $status, reason: $reason) { id status } }`;
const CASE = `query ($id: ID!) { case(id: $id) {
  id status person { id firstName } indexIncident { id street } } }`;
const CASES = `{ cases { totalCount edges { node { id } } } }`;
const INCIDENT = `query ($id: ID!) { incident(id: $id) { id } }`;
const LEAD = `query ($id: ID!) { leadReferral(id: $id) {
  id releaseInForce person { id firstName } incidentAddress { street } } }`;
const FLAGS = `{ myLeadReferrals { totalCount edges { node { id enrolled } } } }`;

const forbiddenPaths = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? [])
    .filter((e) => e.extensions?.code === 'FORBIDDEN')
    .map((e) => (e.path ?? []).join('.'))
    .sort();

/** The error a by-id lookup gives, without anything that names the record. */
const answerOf = (response: GraphQLResponse<unknown>) => ({
  data: response.data,
  errors: (response.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code })),
});

describe('leak review', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  /** An engaged case, its worker, and a treatment referral from it to `resourceAgency`'s listing. */
  async function referralToListingOf(resourceAgency: AgencyKind) {
    const routed = await makeRoutedCase(hub, { status: CaseStatus.ENGAGED });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
    const owner = await makeAgency(hub, resourceAgency);
    const resource = await makeResource(hub, { agency: owner });
    const created = await hub.gql<{ createServiceReferral: { id: string } | null }>(
      CREATE_REFERRAL,
      {
        caseId: routed.kase.id,
        version: routed.kase.version,
        input: { type: 'TREATMENT_MOUD', toResourceId: resource.id },
      },
      worker.token,
    );
    return { routed, worker, owner, resource, created };
  }

  describe('finding: treatment referrals reaching a non-health agency through a listing it owns', () => {
    it.each([AgencyKind.LAW_ENFORCEMENT, AgencyKind.LEAD_PROGRAM])(
      'a %s agency admin does not receive a treatment referral to its listing',
      async (kind) => {
        const { owner, created } = await referralToListingOf(kind);
        const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: owner });
        // Whether the referral is refused or made, the agency never learns of it.
        const incoming = await hub.gql<{
          incomingServiceReferrals: { totalCount: number; edges: unknown[] };
        }>(INCOMING, {}, admin.token);
        expect(incoming.errors).toBeUndefined();
        expect(incoming.data!.incomingServiceReferrals).toEqual({ totalCount: 0, edges: [] });

        const referralId = created.data?.createServiceReferral?.id ?? randomUUID();
        const moved = await hub.gql(
          UPDATE_REFERRAL,
          { referralId, status: 'ACCEPTED' },
          admin.token,
        );
        const missing = await hub.gql(
          UPDATE_REFERRAL,
          { referralId: randomUUID(), status: 'ACCEPTED' },
          admin.token,
        );
        expect(answerOf(moved)).toEqual(answerOf(missing));
        expect(errorCodes(moved)).toEqual(['NOT_FOUND']);
      },
    );

    it('an outreach worker cannot refer a person to a listing kept by a police department', async () => {
      const { created } = await referralToListingOf(AgencyKind.LAW_ENFORCEMENT);
      expect(errorCodes(created)).toEqual(['BAD_USER_INPUT']);
      expect(created.errors![0].extensions?.fields).toEqual([
        expect.objectContaining({ field: 'input.toResourceId' }),
      ]);
    });

    it('the receiving treatment agency still gets it (not a regression)', async () => {
      const { owner, created } = await referralToListingOf(AgencyKind.TREATMENT);
      expect(created.errors).toBeUndefined();
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: owner });
      const incoming = await hub.gql<{
        incomingServiceReferrals: { totalCount: number; edges: Array<{ node: { id: string } }> };
      }>(INCOMING, {}, admin.token);
      expect(incoming.data!.incomingServiceReferrals.totalCount).toBe(1);
      expect(incoming.data!.incomingServiceReferrals.edges[0].node.id).toBe(
        created.data!.createServiceReferral!.id,
      );
    });
  });

  describe('verified non-leaks', () => {
    it("an outreach worker of agency B gets agency A's case exactly like a missing one, and never counts it", async () => {
      const routed = await makeRoutedCase(hub);
      const other = await makeUser(hub, Role.OUTREACH_WORKER);
      const foreign = await hub.gql(CASE, { id: routed.kase.id }, other.token);
      const missing = await hub.gql(CASE, { id: randomUUID() }, other.token);
      expect(errorCodes(foreign)).toEqual(['NOT_FOUND']);
      expect(answerOf(foreign)).toEqual(answerOf(missing));
      const list = await hub.gql<{ cases: { totalCount: number } }>(CASES, {}, other.token);
      expect(list.data!.cases.totalCount).toBe(0);
    });

    it("an outreach worker of agency B cannot move agency A's onward referral", async () => {
      const { created } = await referralToListingOf(AgencyKind.TREATMENT);
      const other = await makeUser(hub, Role.OUTREACH_WORKER);
      const moved = await hub.gql(
        UPDATE_REFERRAL,
        { referralId: created.data!.createServiceReferral!.id, status: 'CANCELLED' },
        other.token,
      );
      expect(errorCodes(moved)).toEqual(['NOT_FOUND']);
    });

    it("a reporter gets another agency's incident exactly like a missing one", async () => {
      const routed = await makeRoutedCase(hub);
      const officer = await makeUser(hub, Role.POLICE_OFFICER);
      const foreign = await hub.gql(INCIDENT, { id: routed.incident.id }, officer.token);
      const missing = await hub.gql(INCIDENT, { id: randomUUID() }, officer.token);
      expect(errorCodes(foreign)).toEqual(['NOT_FOUND']);
      expect(answerOf(foreign)).toEqual(answerOf(missing));
    });

    it.each([Role.POLICE_OFFICER, Role.EMS_PROVIDER, Role.ANALYST, Role.RESEARCHER])(
      '%s reaches no case at all (status included)',
      async (role) => {
        const routed = await makeRoutedCase(hub);
        const actor = await makeUser(hub, role, {
          agency: role === Role.EMS_PROVIDER ? routed.reporter : undefined,
        });
        const one = await hub.gql<{ case: unknown }>(CASE, { id: routed.kase.id }, actor.token);
        expect(one.data?.case ?? null).toBeNull();
        expect(errorCodes(one)).toEqual(['FORBIDDEN']);
        const list = await hub.gql<{ cases: unknown }>(CASES, {}, actor.token);
        expect(list.data?.cases ?? null).toBeNull();
        expect(errorCodes(list)).toEqual(['FORBIDDEN']);
      },
    );

    it.each([Role.HUB_ADMIN, Role.AGENCY_ADMIN])(
      '%s sees neither the person nor the incident address of a case',
      async (role) => {
        const routed = await makeRoutedCase(hub);
        const admin: Actor = await makeUser(hub, role, {
          agency: role === Role.AGENCY_ADMIN ? routed.outreach : undefined,
        });
        const response = await hub.gql<{ case: Record<string, unknown> }>(
          CASE,
          { id: routed.kase.id },
          admin.token,
        );
        expect(forbiddenPaths(response)).toEqual(['case.indexIncident', 'case.person']);
        expect(response.data!.case).toMatchObject({ person: null, indexIncident: null });
        expect(JSON.stringify(response)).not.toContain(routed.person!.firstName!);
        expect(JSON.stringify(response)).not.toContain('9 Elm St');
      },
    );

    it('a LEAD case manager sees no person or address without a release in force', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      // A revoked release and one to another program open nothing.
      const elsewhere = await makeAgency(hub, AgencyKind.LEAD_PROGRAM);
      await makeConsent(hub, world.routed.kase, {
        scope: ConsentScope.SHARE_WITH_LEAD,
        grantedTo: world.program,
        revokedAt: new Date(),
        recordedBy: world.caseManager,
      });
      await makeConsent(hub, world.routed.kase, {
        scope: ConsentScope.SHARE_WITH_LEAD,
        grantedTo: elsewhere,
        recordedBy: world.worker,
      });
      const response = await hub.gql<{ leadReferral: Record<string, unknown> }>(
        LEAD,
        { id: lead.id },
        world.caseManager.token,
      );
      expect(forbiddenPaths(response)).toEqual([
        'leadReferral.incidentAddress',
        'leadReferral.person',
      ]);
      expect(response.data!.leadReferral).toMatchObject({ releaseInForce: false, person: null });
    });

    it('police learn nothing downstream of a LEAD referral without a release covering them', async () => {
      const world = await makeLeadWorld(hub);
      await makeLeadReferral(hub, world);
      await makeConsent(hub, world.routed.kase, {
        scope: ConsentScope.SHARE_WITH_LEAD,
        grantedTo: world.program,
        coversPolice: false,
        recordedBy: world.caseManager,
      });
      const response = await hub.gql<{
        myLeadReferrals: { totalCount: number; edges: Array<{ node: { enrolled: unknown } }> };
      }>(FLAGS, {}, world.officer.token);
      expect(response.data!.myLeadReferrals.totalCount).toBe(1);
      expect(response.data!.myLeadReferrals.edges[0].node.enrolled).toBeNull();
      expect(forbiddenPaths(response)).toEqual(['myLeadReferrals.edges.0.node.enrolled']);
    });
  });
});
