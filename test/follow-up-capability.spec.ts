import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Agency } from '../src/modules/agency/agency.entity';
import { User } from '../src/modules/agency/user.entity';
import {
  makeAgency,
  makeRoutedCase,
  makeUser,
  unique,
  uniqueCounty,
  type Actor,
} from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { caseOfIncident, REPORT_MUTATION, reportInput } from './support/reports';

const UPDATE_AGENCY = `mutation($id: ID!, $input: UpdateAgencyInput!) {
  updateAgency(id: $id, input: $input) { id kind runsFollowUp } }`;
const CREATE_AGENCY = `mutation($input: CreateAgencyInput!) {
  createAgency(input: $input) { id kind runsFollowUp } }`;
const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) { id role } }`;
const CREATE_AGREEMENT = `mutation($input: CreateDataSharingAgreementInput!) {
  createDataSharingAgreement(input: $input) { id } }`;
const QUEUE = `{ followUpQueue { totalCount edges { node { id } } } }`;
const CASE = `query($id: ID!) { case(id: $id) { id status identitySealed person { firstName lastName } } }`;

const badFields = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? []).flatMap((e) =>
    ((e.extensions?.fields as Array<{ field: string }>) ?? []).map((f) => f.field),
  );

/** Issue 14 point 1: follow-up is a capability the hub admin gives, not an agency kind. */
describe('follow-up as a capability', () => {
  let hub: TestHub;
  let hubAdmin: Actor;
  beforeAll(async () => {
    hub = await startTestHub();
    hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
  });
  afterAll(() => hub.stop());

  const markFollowUp = (actor: Actor, agency: Agency, runsFollowUp: boolean) =>
    hub.gql<{ updateAgency: { runsFollowUp: boolean } | null }>(
      UPDATE_AGENCY,
      { id: agency.id, input: { runsFollowUp } },
      actor.token,
    );
  const createWorker = (actor: Actor, agency: Agency) =>
    hub.gql<{ createUser: { id: string } | null }>(
      CREATE_USER,
      {
        input: {
          agencyId: agency.id,
          email: `${unique()}@test.example`,
          displayName: 'Community paramedic',
          role: 'OUTREACH_WORKER',
        },
      },
      actor.token,
    );
  const runsFollowUp = async (agency: Agency) =>
    (await hub.em().findOneOrFail(Agency, agency.id)).runsFollowUp;

  it('lets the hub admin mark an EMS agency as running follow-up, which then holds outreach workers', async () => {
    const ems = await makeAgency(hub, AgencyKind.EMS);
    expect(ems.runsFollowUp).toBe(false);
    const before = await createWorker(hubAdmin, ems);
    expect(errorCodes(before)).toEqual(['BAD_USER_INPUT']);
    expect(badFields(before)).toEqual(['input.role']);

    const marked = await markFollowUp(hubAdmin, ems, true);
    expect(marked.errors).toBeUndefined();
    expect(marked.data?.updateAgency).toMatchObject({ kind: 'EMS', runsFollowUp: true });

    const after = await createWorker(hubAdmin, ems);
    expect(after.errors).toBeUndefined();
    expect(after.data?.createUser).toMatchObject({ role: 'OUTREACH_WORKER' });
  });

  it('refuses the mark from an agency admin, even for their own agency', async () => {
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, {
      agency: await makeAgency(hub, AgencyKind.EMS),
    });
    const response = await markFollowUp(admin, admin.agency, true);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(await runsFollowUp(admin.agency)).toBe(false);
  });

  it('never lets law enforcement or research run follow-up', async () => {
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT);
    const update = await markFollowUp(hubAdmin, police, true);
    expect(errorCodes(update)).toEqual(['BAD_USER_INPUT']);
    expect(badFields(update)).toEqual(['input.runsFollowUp']);
    expect(await runsFollowUp(police)).toBe(false);

    const name = `Research ${unique()}`;
    const create = await hub.gql(
      CREATE_AGENCY,
      { input: { name, kind: 'RESEARCH', serviceCounties: [], runsFollowUp: true } },
      hubAdmin.token,
    );
    expect(errorCodes(create)).toEqual(['BAD_USER_INPUT']);
    expect(badFields(create)).toEqual(['input.runsFollowUp']);
    expect(await hub.em().count(Agency, { name })).toBe(0);
  });

  it('gives a new harm-reduction agency follow-up by default, and others only when asked', async () => {
    const create = (kind: string, runs?: boolean) =>
      hub.gql<{ createAgency: { kind: string; runsFollowUp: boolean } }>(
        CREATE_AGENCY,
        {
          input: { name: `${kind} ${unique()}`, kind, serviceCounties: [], runsFollowUp: runs },
        },
        hubAdmin.token,
      );
    expect((await create('HARM_REDUCTION')).data?.createAgency.runsFollowUp).toBe(true);
    expect((await create('PUBLIC_HEALTH')).data?.createAgency.runsFollowUp).toBe(false);
    expect((await create('PUBLIC_HEALTH', true)).data?.createAgency.runsFollowUp).toBe(true);
  });

  it('routes an overdose to an EMS agency running follow-up, not to one without it', async () => {
    const county = uniqueCounty();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    const officer = await makeUser(hub, Role.POLICE_OFFICER, { agency: police });
    const plainEms = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const paramedicProgram = await makeAgency(hub, AgencyKind.EMS, {
      serviceCounties: [county],
      runsFollowUp: true,
    });

    const report = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
      REPORT_MUTATION,
      { input: reportInput(county) },
      officer.token,
    );
    expect(report.errors).toBeUndefined();
    const kase = await caseOfIncident(hub, report.data!.reportIncident.incident.id);
    expect(kase.status).toBe('REFERRED');
    expect(kase.routedAgency?.id).toBe(paramedicProgram.id);
    expect(kase.routedAgency?.id).not.toBe(plainEms.id);
  });

  it('routes nothing to a harm-reduction agency whose follow-up the hub admin turned off', async () => {
    const county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    const syringeProgram = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    expect((await markFollowUp(hubAdmin, syringeProgram, false)).errors).toBeUndefined();

    const report = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
      REPORT_MUTATION,
      { input: reportInput(county) },
      paramedic.token,
    );
    const kase = await caseOfIncident(hub, report.data!.reportIncident.incident.id);
    expect(kase.status).toBe('TRIAGE');
    expect(kase.routedAgency).toBeFalsy();
  });

  it('refuses to turn follow-up off while the agency has active outreach workers, and changes nothing', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const response = await markFollowUp(hubAdmin, worker.agency, false);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(badFields(response)).toEqual(['input.runsFollowUp']);
    expect(await runsFollowUp(worker.agency)).toBe(true);

    await hub.em().nativeUpdate(User, { id: worker.user.id }, { active: false });
    expect((await markFollowUp(hubAdmin, worker.agency, false)).errors).toBeUndefined();
  });

  it('shows an EMS follow-up worker what a harm-reduction worker sees: the queue and the person', async () => {
    const program = await makeAgency(hub, AgencyKind.EMS, { runsFollowUp: true });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: program });
    // In its follow-up window (24–72 h after the overdose), so it is on today's queue.
    const routed = await makeRoutedCase(hub, {
      outreach: program,
      person: { firstName: 'Dana' },
      occurredAt: new Date(Date.now() - 30 * 3_600_000),
    });

    const queue = await hub.gql<{ followUpQueue: { edges: Array<{ node: { id: string } }> } }>(
      QUEUE,
      {},
      worker.token,
    );
    expect(queue.errors).toBeUndefined();
    expect(queue.data!.followUpQueue.edges.map((e) => e.node.id)).toContain(routed.kase.id);

    const read = await hub.gql<{
      case: { identitySealed: boolean; person: { firstName: string } };
    }>(CASE, { id: routed.kase.id }, worker.token);
    expect(read.errors).toBeUndefined();
    expect(read.data!.case).toMatchObject({ identitySealed: false, person: { firstName: 'Dana' } });
  });

  it('keeps the follow-up queue from the admin of an EMS agency that does not run follow-up', async () => {
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, {
      agency: await makeAgency(hub, AgencyKind.EMS),
    });
    const response = await hub.gql(QUEUE, {}, admin.token);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });

  it('lets identity for follow-up be shared with an EMS program only while it runs follow-up', async () => {
    const county = uniqueCounty();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const agreement = () =>
      hub.gql<{ createDataSharingAgreement: { id: string } | null }>(
        CREATE_AGREEMENT,
        {
          input: {
            sourceAgencyId: police.id,
            recipientAgencyId: ems.id,
            purpose: 'FOLLOW_UP_OUTREACH',
            lawfulBasis: 'PUBLIC_HEALTH_AUTHORITY',
            counties: [county],
          },
        },
        hubAdmin.token,
      );
    const refused = await agreement();
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(badFields(refused)).toEqual(['input.recipientAgencyId']);

    await markFollowUp(hubAdmin, ems, true);
    const made = await agreement();
    expect(made.errors).toBeUndefined();
    expect(made.data?.createDataSharingAgreement?.id).toBeDefined();
  });
});
