import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Agency } from '../src/modules/agency/agency.entity';
import { CaseStatus } from '../src/modules/case/case-codes';
import { Referral } from '../src/modules/case/referral.entity';
import { ConsentScope } from '../src/modules/outreach/outreach-codes';
import { makeConsent } from './support/consent-factory';
import {
  makeAgency,
  makeRoutedCase,
  makeUser,
  type Actor,
  type RoutedCase,
} from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

const DAY = 86_400_000;
const CREATE = `mutation($caseId: ID!, $version: Int!, $input: ServiceReferralInput!) {
  createServiceReferral(caseId: $caseId, version: $version, input: $input) { id status } }`;
const INCOMING = `{ incomingServiceReferrals { totalCount edges { node {
  id type status person { firstName lastName dateOfBirth phone } } } } }`;
const UPDATE = `mutation($referralId: ID!, $status: ReferralStatus!, $reason: String) {
  updateServiceReferralStatus(referralId: $referralId, status: $status, reason: $reason) { id status statusReason } }`;

interface Incoming {
  incomingServiceReferrals: {
    totalCount: number;
    edges: Array<{ node: { id: string; status: string; person: Record<string, string> | null } }>;
  } | null;
}

const forbiddenPaths = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? [])
    .filter((e) => e.extensions?.code === 'FORBIDDEN')
    .map((e) => (e.path ?? []).join('.'))
    .sort();

/** Issue 14 point 6: a treatment agency receiving an onward referral, under consent. */
describe('treatment staff and onward referrals', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  interface World {
    routed: RoutedCase;
    worker: Actor;
    clinic: Agency;
    staff: Actor;
    referralId: string;
  }

  /** An engaged case referred to a treatment clinic by its outreach worker. */
  async function referred(): Promise<World> {
    const routed = await makeRoutedCase(hub, {
      status: CaseStatus.ENGAGED,
      person: { firstName: 'Casey', lastName: 'Morrow', phone: '828-555-0107' },
    });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
    const clinic = await makeAgency(hub, AgencyKind.TREATMENT);
    const staff = await makeUser(hub, Role.TREATMENT_PROVIDER, { agency: clinic });
    const created = await hub.gql<{ createServiceReferral: { id: string } }>(
      CREATE,
      {
        caseId: routed.kase.id,
        version: routed.kase.version,
        input: { type: 'TREATMENT_MOUD', toAgencyId: clinic.id },
      },
      worker.token,
    );
    expect(created.errors).toBeUndefined();
    return { routed, worker, clinic, staff, referralId: created.data!.createServiceReferral.id };
  }

  const consent = (world: World, overrides: { grantedTo?: Agency; revokedAt?: Date } = {}) =>
    makeConsent(hub, world.routed.kase, {
      recordedBy: world.worker,
      scope: ConsentScope.SHARE_WITH_TREATMENT_PROVIDER,
      grantedTo: overrides.grantedTo ?? world.clinic,
      revokedAt: overrides.revokedAt,
    });

  it('lets a treatment agency hold TREATMENT_PROVIDER staff', async () => {
    const clinic = await makeAgency(hub, AgencyKind.TREATMENT);
    const staff = await makeUser(hub, Role.TREATMENT_PROVIDER, { agency: clinic });
    expect(staff.user.role).toBe(Role.TREATMENT_PROVIDER);
  });

  it('shows the clinic the person while a consent naming it is in force', async () => {
    const world = await referred();
    await consent(world);
    const response = await hub.gql<Incoming>(INCOMING, {}, world.staff.token);
    expect(response.errors).toBeUndefined();
    expect(response.data!.incomingServiceReferrals!.edges).toEqual([
      {
        node: {
          id: world.referralId,
          type: 'TREATMENT_MOUD',
          status: 'REQUESTED',
          person: {
            firstName: 'Casey',
            lastName: 'Morrow',
            dateOfBirth: '1990-04-01',
            phone: '828-555-0107',
          },
        },
      },
    ]);
  });

  it.each([
    ['no consent', undefined],
    ['a consent naming another clinic', 'other'],
    ['a revoked consent', 'revoked'],
  ])('refuses the person with %s (FORBIDDEN at the field, the rest stands)', async (_l, kind) => {
    const world = await referred();
    if (kind === 'other') {
      await consent(world, { grantedTo: await makeAgency(hub, AgencyKind.TREATMENT) });
    } else if (kind === 'revoked') {
      await consent(world, { revokedAt: new Date(Date.now() - DAY / 2) });
    }
    const response = await hub.gql<Incoming>(INCOMING, {}, world.staff.token);
    const [edge] = response.data!.incomingServiceReferrals!.edges;
    expect(edge.node).toMatchObject({ id: world.referralId, person: null });
    expect(forbiddenPaths(response)).toEqual(['incomingServiceReferrals.edges.0.node.person']);
    expect(JSON.stringify(response)).not.toContain('Morrow');
  });

  it('shows the referral to no other clinic', async () => {
    const world = await referred();
    await consent(world);
    const other = await makeUser(hub, Role.TREATMENT_PROVIDER, {
      agency: await makeAgency(hub, AgencyKind.TREATMENT),
    });
    const response = await hub.gql<Incoming>(INCOMING, {}, other.token);
    expect(response.data!.incomingServiceReferrals).toEqual({ totalCount: 0, edges: [] });
    const update = await hub.gql(
      UPDATE,
      { referralId: world.referralId, status: 'ACCEPTED' },
      other.token,
    );
    expect(errorCodes(update)).toEqual(['NOT_FOUND']);
    expect((await hub.em().findOneOrFail(Referral, world.referralId)).status).toBe('REQUESTED');
  });

  it('closes the loop: the clinic accepts and confirms admission', async () => {
    const world = await referred();
    await consent(world);
    const accepted = await hub.gql(
      UPDATE,
      { referralId: world.referralId, status: 'ACCEPTED' },
      world.staff.token,
    );
    expect(accepted.errors).toBeUndefined();
    const completed = await hub.gql<{ updateServiceReferralStatus: { status: string } }>(
      UPDATE,
      { referralId: world.referralId, status: 'COMPLETED', reason: 'Admitted, first dose given' },
      world.staff.token,
    );
    expect(completed.errors).toBeUndefined();
    expect(completed.data!.updateServiceReferralStatus.status).toBe('COMPLETED');
    // The outreach worker sees the result on the case.
    const onCase = await hub.gql<{ case: { serviceReferrals: Array<{ status: string }> } }>(
      `query($id: ID!) { case(id: $id) { serviceReferrals { status } } }`,
      { id: world.routed.kase.id },
      world.worker.token,
    );
    expect(onCase.data!.case.serviceReferrals).toEqual([{ status: 'COMPLETED' }]);
  });

  it('lets the clinic decline with a reason, and refuses a decline without one', async () => {
    const world = await referred();
    const bare = await hub.gql(
      UPDATE,
      { referralId: world.referralId, status: 'REJECTED' },
      world.staff.token,
    );
    expect(errorCodes(bare)).toEqual(['BAD_USER_INPUT']);
    expect((await hub.em().findOneOrFail(Referral, world.referralId)).status).toBe('REQUESTED');
    const declined = await hub.gql(
      UPDATE,
      { referralId: world.referralId, status: 'REJECTED', reason: 'No MOUD slots this month' },
      world.staff.token,
    );
    expect(declined.errors).toBeUndefined();
  });

  it.each([Role.OUTREACH_WORKER, Role.AGENCY_ADMIN, Role.ANALYST])(
    'gives the person of a referral to no %s, even of the receiving clinic',
    async (role) => {
      const world = await referred();
      await consent(world);
      const caller = await makeUser(hub, role, { agency: world.clinic });
      const response = await hub.gql<Incoming>(INCOMING, {}, caller.token);
      expect(JSON.stringify(response.data)).not.toContain('Morrow');
      expect(forbiddenPaths(response).length).toBeGreaterThan(0);
    },
  );

  it('gives the case outreach worker nothing of the person through the referral', async () => {
    const world = await referred();
    await consent(world);
    const response = await hub.gql(
      `query($id: ID!) { case(id: $id) { serviceReferrals { id person { firstName } } } }`,
      { id: world.routed.kase.id },
      world.worker.token,
    );
    expect(forbiddenPaths(response)).toEqual(['case.serviceReferrals.0.person']);
  });
});
