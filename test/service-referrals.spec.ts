import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseStatus } from '../src/modules/case/case-codes';
import { Case } from '../src/modules/case/case.entity';
import { Referral } from '../src/modules/case/referral.entity';
import { Outcome } from '../src/modules/outcome/outcome.entity';
import {
  makeAgency,
  makeRoutedCase,
  makeUser,
  type Actor,
  type RoutedCase,
} from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';
import { makeResource } from './support/resource-factory';

const CREATE = `mutation($caseId: ID!, $version: Int!, $input: ServiceReferralInput!) {
  createServiceReferral(caseId: $caseId, version: $version, input: $input) {
    id type status toResource { id name } toAgency { id } } }`;
const UPDATE = `mutation($referralId: ID!, $status: ReferralStatus!, $reason: String) {
  updateServiceReferralStatus(referralId: $referralId, status: $status, reason: $reason) { id status statusReason } }`;
const RECORD = `mutation($caseId: ID!, $version: Int!, $input: OutcomeInput!) {
  recordOutcome(caseId: $caseId, version: $version, input: $input) { id type moudType automatic occurredAt } }`;

describe('onward referrals and outcomes', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  /** An engaged case and a worker of the agency it is routed to. */
  async function engaged(status = CaseStatus.ENGAGED): Promise<RoutedCase & { worker: Actor }> {
    const routed = await makeRoutedCase(hub, { status });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
    return { ...routed, worker };
  }

  const version = async (caseId: string) => (await hub.em().findOneOrFail(Case, caseId)).version;

  describe('createServiceReferral', () => {
    it('refers an engaged person to an active directory resource', async () => {
      const { kase, worker } = await engaged();
      const resource = await makeResource(hub, {
        services: ['MOUD' as never],
        moud: ['BUPRENORPHINE' as never],
      });
      const response = await hub.gql<{ createServiceReferral: Record<string, unknown> }>(
        CREATE,
        {
          caseId: kase.id,
          version: kase.version,
          input: { type: 'TREATMENT_MOUD', toResourceId: resource.id },
        },
        worker.token,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data?.createServiceReferral).toMatchObject({
        type: 'TREATMENT_MOUD',
        status: 'REQUESTED',
        toResource: { id: resource.id, name: resource.name },
        toAgency: null,
      });
      const listed = await hub.gql<{ case: { serviceReferrals: Array<{ type: string }> } }>(
        `query($id: ID!) { case(id: $id) { serviceReferrals { type status } } }`,
        { id: kase.id },
        worker.token,
      );
      expect(listed.data?.case.serviceReferrals).toEqual([
        { type: 'TREATMENT_MOUD', status: 'REQUESTED' },
      ]);
    });

    it.each([
      ['an inactive resource', { active: false }, 'is no longer active'],
      [
        'a resource not accepting new clients',
        { acceptingNewClients: false },
        'is not accepting new clients',
      ],
    ])(
      'refuses %s, naming input.toResourceId, and writes nothing',
      async (_name, overrides, message) => {
        const { kase, worker } = await engaged();
        const resource = await makeResource(hub, overrides);
        const response = await hub.gql(
          CREATE,
          {
            caseId: kase.id,
            version: kase.version,
            input: { type: 'DETOX', toResourceId: resource.id },
          },
          worker.token,
        );
        expect(response.errors?.[0].extensions?.fields).toEqual([
          { field: 'input.toResourceId', message },
        ]);
        expect(await hub.em().count(Referral, { case: kase.id, type: 'DETOX' as never })).toBe(0);
      },
    );

    it('refuses a law-enforcement agency as the receiver of a treatment referral', async () => {
      const { kase, worker } = await engaged();
      const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT);
      const response = await hub.gql(
        CREATE,
        {
          caseId: kase.id,
          version: kase.version,
          input: { type: 'TREATMENT_MOUD', toAgencyId: police.id },
        },
        worker.token,
      );
      expect(response.errors?.[0].extensions?.fields).toEqual([
        expect.objectContaining({ field: 'input.toAgencyId' }),
      ]);
    });

    it('refuses a referral before the person has engaged, naming the state', async () => {
      const { kase, worker } = await engaged(CaseStatus.OUTREACH);
      const resource = await makeResource(hub);
      const response = await hub.gql(
        CREATE,
        {
          caseId: kase.id,
          version: kase.version,
          input: { type: 'PEER_SUPPORT', toResourceId: resource.id },
        },
        worker.token,
      );
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0].message).toContain('the case is OUTREACH');
    });

    it.each([['FOLLOW_UP_OUTREACH'], ['LEAD']])('refuses type %s here', async (type) => {
      const { kase, worker } = await engaged();
      const resource = await makeResource(hub);
      const response = await hub.gql(
        CREATE,
        { caseId: kase.id, version: kase.version, input: { type, toResourceId: resource.id } },
        worker.token,
      );
      expect(response.errors?.[0].extensions?.fields).toEqual([
        expect.objectContaining({ field: 'input.type' }),
      ]);
    });

    it('answers another agency’s case like a missing one', async () => {
      const { kase } = await engaged();
      const stranger = await makeUser(hub, Role.OUTREACH_WORKER);
      const resource = await makeResource(hub);
      const response = await hub.gql(
        CREATE,
        {
          caseId: kase.id,
          version: kase.version,
          input: { type: 'HOUSING', toResourceId: resource.id },
        },
        stranger.token,
      );
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    });

    it.each([Role.AGENCY_ADMIN, Role.POLICE_OFFICER, Role.EMS_PROVIDER, Role.ANALYST])(
      'is not for %s',
      async (role) => {
        const { kase } = await engaged();
        const caller = await makeUser(hub, role);
        const response = await hub.gql(
          CREATE,
          {
            caseId: kase.id,
            version: kase.version,
            input: { type: 'HOUSING', toResourceId: kase.id },
          },
          caller.token,
        );
        expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      },
    );
  });

  describe('updateServiceReferralStatus', () => {
    async function referredTo(receiverKind = AgencyKind.TREATMENT) {
      const setup = await engaged();
      const receiver = await makeAgency(hub, receiverKind);
      const staff = await makeUser(
        hub,
        receiverKind === AgencyKind.TREATMENT ? Role.OUTREACH_WORKER : Role.AGENCY_ADMIN,
        {
          agency: receiver,
        },
      );
      const created = await hub.gql<{ createServiceReferral: { id: string } }>(
        CREATE,
        {
          caseId: setup.kase.id,
          version: setup.kase.version,
          input: { type: 'TREATMENT_MOUD', toAgencyId: receiver.id },
        },
        setup.worker.token,
      );
      return { ...setup, staff, referralId: created.data!.createServiceReferral.id };
    }

    it('lets the receiving agency accept and then complete the referral', async () => {
      const { staff, referralId } = await referredTo();
      const incoming = await hub.gql<{
        incomingServiceReferrals: { totalCount: number; edges: Array<{ node: { id: string } }> };
      }>(
        `{ incomingServiceReferrals { totalCount edges { node { id type status } } } }`,
        {},
        staff.token,
      );
      expect(incoming.data?.incomingServiceReferrals.edges.map((e) => e.node.id)).toEqual([
        referralId,
      ]);
      const accepted = await hub.gql(UPDATE, { referralId, status: 'ACCEPTED' }, staff.token);
      expect(accepted.data).toEqual({
        updateServiceReferralStatus: { id: referralId, status: 'ACCEPTED', statusReason: null },
      });
      const completed = await hub.gql(UPDATE, { referralId, status: 'COMPLETED' }, staff.token);
      expect(
        (completed.data as { updateServiceReferralStatus: { status: string } })
          .updateServiceReferralStatus.status,
      ).toBe('COMPLETED');
    });

    it('lets the referring worker cancel but not accept a referral another agency receives', async () => {
      const { worker, referralId } = await referredTo();
      const accept = await hub.gql(UPDATE, { referralId, status: 'ACCEPTED' }, worker.token);
      expect(accept.errors?.[0].message).toContain('you may set: CANCELLED');
      const cancel = await hub.gql(UPDATE, { referralId, status: 'CANCELLED' }, worker.token);
      expect(cancel.errors).toBeUndefined();
    });

    it('needs a reason to reject', async () => {
      const { staff, referralId } = await referredTo();
      const response = await hub.gql(UPDATE, { referralId, status: 'REJECTED' }, staff.token);
      expect(response.errors?.[0].extensions?.fields).toEqual([
        expect.objectContaining({ field: 'reason' }),
      ]);
    });

    it('refuses moves out of a final status', async () => {
      const { staff, referralId } = await referredTo();
      await hub.gql(
        UPDATE,
        { referralId, status: 'REJECTED', reason: 'no capacity this month' },
        staff.token,
      );
      const response = await hub.gql(UPDATE, { referralId, status: 'ACCEPTED' }, staff.token);
      expect(response.errors?.[0].message).toContain(
        'the referral is REJECTED; you may set: nothing',
      );
    });

    it('hides the referral from uninvolved agencies', async () => {
      const { referralId } = await referredTo();
      const stranger = await makeUser(hub, Role.OUTREACH_WORKER);
      const response = await hub.gql(UPDATE, { referralId, status: 'ACCEPTED' }, stranger.token);
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    });

    it('lets the worker record the result when no agency on the hub receives it', async () => {
      const { kase, worker } = await engaged();
      const resource = await makeResource(hub);
      const created = await hub.gql<{ createServiceReferral: { id: string } }>(
        CREATE,
        {
          caseId: kase.id,
          version: kase.version,
          input: { type: 'SYRINGE_SERVICES', toResourceId: resource.id },
        },
        worker.token,
      );
      const referralId = created.data!.createServiceReferral.id;
      await hub.gql(UPDATE, { referralId, status: 'ACCEPTED' }, worker.token);
      const done = await hub.gql<{ updateServiceReferralStatus: { status: string } }>(
        UPDATE,
        { referralId, status: 'COMPLETED' },
        worker.token,
      );
      expect(done.data?.updateServiceReferralStatus.status).toBe('COMPLETED');
    });
  });

  describe('recordOutcome', () => {
    it('records MOUD started with its medication and lists it on the case', async () => {
      const { kase, worker } = await engaged(CaseStatus.LINKED);
      const response = await hub.gql<{ recordOutcome: Record<string, unknown> }>(
        RECORD,
        {
          caseId: kase.id,
          version: kase.version,
          input: {
            type: 'MOUD_STARTED',
            moudType: 'BUPRENORPHINE',
            occurredAt: new Date().toISOString(),
          },
        },
        worker.token,
      );
      expect(response.data?.recordOutcome).toMatchObject({
        type: 'MOUD_STARTED',
        moudType: 'BUPRENORPHINE',
        automatic: false,
      });
      const listed = await hub.gql<{ case: { outcomes: Array<{ type: string }> } }>(
        `query($id: ID!) { case(id: $id) { outcomes { type moudType } } }`,
        { id: kase.id },
        worker.token,
      );
      expect(listed.data?.case.outcomes).toEqual([
        { type: 'MOUD_STARTED', moudType: 'BUPRENORPHINE' },
      ]);
    });

    it.each([
      [{ type: 'MOUD_STARTED' }, 'input.moudType'],
      [{ type: 'DETOX', moudType: 'METHADONE' }, 'input.moudType'],
      [{ type: 'REPEAT_OVERDOSE' }, 'input.type'],
      [
        { type: 'DETOX', occurredAt: new Date(Date.now() + 86_400_000).toISOString() },
        'input.occurredAt',
      ],
      [{ type: 'DETOX', occurredAt: '2001-01-01T00:00:00Z' }, 'input.occurredAt'],
    ])('refuses %j naming %s and writes nothing', async (input, field) => {
      const { kase, worker } = await engaged();
      const response = await hub.gql(
        RECORD,
        {
          caseId: kase.id,
          version: kase.version,
          input: { occurredAt: new Date().toISOString(), ...input },
        },
        worker.token,
      );
      expect(response.errors?.[0].extensions?.fields).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
      expect(await hub.em().count(Outcome, { case: kase.id })).toBe(0);
    });

    it('closes the case DECEASED when a death is recorded', async () => {
      const { kase, worker } = await engaged(CaseStatus.OUTREACH);
      await hub.gql(
        RECORD,
        {
          caseId: kase.id,
          version: kase.version,
          input: { type: 'FATAL_OVERDOSE', occurredAt: new Date().toISOString() },
        },
        worker.token,
      );
      const after = await hub.gql<{ case: { status: string; closeReason: string } }>(
        `query($id: ID!) { case(id: $id) { status closeReason } }`,
        { id: kase.id },
        worker.token,
      );
      expect(after.data?.case).toEqual({ status: 'CLOSED', closeReason: 'DECEASED' });
    });

    it('refuses a stale version', async () => {
      const { kase, worker } = await engaged();
      const input = { type: 'DETOX', occurredAt: new Date().toISOString() };
      await hub.gql(RECORD, { caseId: kase.id, version: kase.version, input }, worker.token);
      expect(await version(kase.id)).toBe(kase.version + 1);
      const stale = await hub.gql(
        RECORD,
        { caseId: kase.id, version: kase.version, input },
        worker.token,
      );
      expect(errorCodes(stale)).toEqual(['CONFLICT']);
    });

    it('shows outcomes and onward referrals to no one but the outreach worker', async () => {
      const { kase, outreach } = await engaged();
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const response = await hub.gql<{ case: Record<string, unknown> }>(
        `query($id: ID!) { case(id: $id) { id status outcomes { type } serviceReferrals { type } } }`,
        { id: kase.id },
        admin.token,
      );
      expect(response.data?.case).toEqual({
        id: kase.id,
        status: 'ENGAGED',
        outcomes: null,
        serviceReferrals: null,
      });
      expect(response.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
        ['case.outcomes', 'FORBIDDEN'],
        ['case.serviceReferrals', 'FORBIDDEN'],
      ]);
    });
  });
});
