import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';
import { randomBirthDate, REPORT_MUTATION, reportInput } from './support/reports';

/**
 * Who may read which incident field (DESIGN.md matrix): reporters their own incidents; outreach
 * workers reach incidents only through a case (tested with cases); nobody else at all.
 */
describe('reading incidents', () => {
  let hub: TestHub;
  let county: string;
  let paramedic: Actor;
  let officer: Actor;
  let emsIncidentId: string;
  let policeIncidentId: string;

  beforeAll(async () => {
    hub = await startTestHub();
    county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    officer = await makeUser(hub, Role.POLICE_OFFICER, { agency: police });
    emsIncidentId = await report(paramedic, { emsDisposition: 'REFUSED_TRANSPORT' });
    policeIncidentId = await report(officer, { officerWarmHandoff: true });
  });
  afterAll(() => hub.stop());

  async function report(actor: Actor, overrides: Record<string, unknown> = {}): Promise<string> {
    const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
      REPORT_MUTATION,
      { input: reportInput(county, overrides) },
      actor.token,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.reportIncident.incident.id;
  }

  const ALL_FIELDS = `id externalId occurredAt county street city state zip latitude longitude fatal
    naloxoneGiven suspectedSubstances substanceCategories emsDisposition officerWarmHandoff version
    createdAt updatedAt reportingAgency { id }
    naloxoneAdministrations { id administeredAt doseMg route administeredBy response }
    reportedIdentity { firstName lastName dateOfBirth }`;

  it('gives EMS every field of its own incident, including the identity as entered', async () => {
    const response = await hub.gql<{ incident: Record<string, unknown> }>(
      `query($id: ID!) { incident(id: $id) { ${ALL_FIELDS} } }`,
      { id: emsIncidentId },
      paramedic.token,
    );
    expect(response.errors).toBeUndefined();
    const incident = response.data!.incident;
    expect(incident).toMatchObject({
      id: emsIncidentId,
      county,
      fatal: false,
      naloxoneGiven: true,
      emsDisposition: 'REFUSED_TRANSPORT',
      suspectedSubstances: ['FENTANYL', 'XYLAZINE'],
      substanceCategories: ['FENTANYL', 'SEDATIVE'],
      version: 1,
      reportedIdentity: { dateOfBirth: '1990-04-12' },
      naloxoneAdministrations: [
        { doseMg: 4, route: 'IN', administeredBy: 'EMS', response: 'IMPROVED' },
      ],
    });
    for (const [field, value] of Object.entries(incident))
      expect([field, value]).not.toEqual([field, null]);
  });

  it('denies police the EMS disposition, keeping every other field of its own incident', async () => {
    const response = await hub.gql<{ incident: Record<string, unknown> }>(
      `query($id: ID!) { incident(id: $id) { id officerWarmHandoff emsDisposition reportedIdentity { lastName } } }`,
      { id: policeIncidentId },
      officer.token,
    );
    expect(response.data?.incident).toMatchObject({
      id: policeIncidentId,
      officerWarmHandoff: true,
      emsDisposition: null,
    });
    expect((response.data?.incident.reportedIdentity as { lastName: string }).lastName).toMatch(
      /^Rivera/,
    );
    expect(response.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['incident.emsDisposition', 'FORBIDDEN'],
    ]);
  });

  it('answers another agency’s incident exactly like a missing one', async () => {
    const other = await hub.gql(
      `query($id: ID!) { incident(id: $id) { id } }`,
      { id: emsIncidentId },
      officer.token,
    );
    const missing = await hub.gql(
      `query($id: ID!) { incident(id: $id) { id } }`,
      { id: '00000000-0000-4000-8000-000000000000' },
      officer.token,
    );
    const malformed = await hub.gql(
      `query($id: ID!) { incident(id: $id) { id } }`,
      { id: 'nope' },
      officer.token,
    );
    expect(other.errors).toEqual(missing.errors);
    expect(malformed.errors).toEqual(missing.errors);
    expect(errorCodes(other)).toEqual(['NOT_FOUND']);
  });

  it.each([
    Role.OUTREACH_WORKER,
    Role.LEAD_CASE_MANAGER,
    Role.AGENCY_ADMIN,
    Role.ANALYST,
    Role.RESEARCHER,
    Role.HUB_ADMIN,
  ])('refuses %s the incident queries', async (role) => {
    const caller = await makeUser(hub, role);
    const response = await hub.gql<Record<string, unknown>>(
      `query($id: ID!) { me { role } incident(id: $id) { id } myAgencyIncidents { totalCount } }`,
      { id: emsIncidentId },
      caller.token,
    );
    expect(response.data).toEqual({ me: { role }, incident: null, myAgencyIncidents: null });
    expect(errorCodes(response)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  });

  it('lists only the caller’s agency’s incidents, newest first, page by page', async () => {
    const county2 = county;
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county2] });
    const medic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    const hour = 3_600_000;
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      ids.push(
        await report(medic, {
          occurredAt: new Date(Date.now() - i * hour).toISOString(),
          naloxone: [],
        }),
      );
    }
    const query = `query($first: Int, $after: String) {
      myAgencyIncidents(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`;
    type Page = {
      myAgencyIncidents: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: Array<{ node: { id: string } }>;
      };
    };
    const first = await hub.gql<Page>(query, { first: 2 }, medic.token);
    expect(first.data?.myAgencyIncidents.totalCount).toBe(5);
    expect(first.data?.myAgencyIncidents.edges.map((e) => e.node.id)).toEqual(ids.slice(0, 2));
    const seen = [...first.data!.myAgencyIncidents.edges.map((e) => e.node.id)];
    let cursor = first.data!.myAgencyIncidents.pageInfo.endCursor;
    for (;;) {
      const page = await hub.gql<Page>(query, { first: 2, after: cursor }, medic.token);
      seen.push(...page.data!.myAgencyIncidents.edges.map((e) => e.node.id));
      if (!page.data!.myAgencyIncidents.pageInfo.hasNextPage) break;
      cursor = page.data!.myAgencyIncidents.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
  });

  it.each([
    [{ first: 101 }, 'first'],
    [{ first: 0 }, 'first'],
    [{ after: 'bm90LWEtY3Vyc29y' }, 'after'],
  ])('refuses page arguments %j naming %s', async (variables, field) => {
    const response = await hub.gql(
      `query($first: Int, $after: String) { myAgencyIncidents(first: $first, after: $after) { totalCount } }`,
      variables,
      paramedic.token,
    );
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0].extensions?.fields).toEqual([expect.objectContaining({ field })]);
  });

  it('refuses a date range that ends before it starts', async () => {
    const response = await hub.gql(
      `{ myAgencyIncidents(filter: { occurredFrom: "2026-02-01T00:00:00Z", occurredTo: "2026-01-01T00:00:00Z" }) { totalCount } }`,
      {},
      paramedic.token,
    );
    expect(response.errors?.[0].extensions?.fields).toEqual([
      expect.objectContaining({ field: 'filter.occurredTo' }),
    ]);
  });
});

describe('amending incidents', () => {
  let hub: TestHub;
  let county: string;
  let paramedic: Actor;
  beforeAll(async () => {
    hub = await startTestHub();
    county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
  });
  afterAll(() => hub.stop());

  const AMEND = `mutation($id: ID!, $version: Int!, $input: ReportIncidentInput!) {
    amendIncident(id: $id, version: $version, input: $input) {
      id version county naloxoneAdministrations { doseMg } reportedIdentity { firstName } } }`;

  async function reported() {
    const input = reportInput(county);
    const response = await hub.gql<{
      reportIncident: { incident: { id: string; version: number } };
    }>(REPORT_MUTATION, { input }, paramedic.token);
    return { input, ...response.data!.reportIncident.incident };
  }

  it('replaces the report with the corrected one and moves the version', async () => {
    const { input, id, version } = await reported();
    const corrected = {
      ...input,
      naloxone: [
        { doseMg: 2, route: 'IN', administeredBy: 'EMS' },
        { doseMg: 2, route: 'IN', administeredBy: 'EMS' },
      ],
      survivor: { firstName: 'Jordan', lastName: 'Miles', dateOfBirth: randomBirthDate() },
    };
    const response = await hub.gql<{ amendIncident: Record<string, unknown> }>(
      AMEND,
      { id, version, input: corrected },
      paramedic.token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.amendIncident).toEqual({
      id,
      version: version + 1,
      county,
      naloxoneAdministrations: [{ doseMg: 2 }, { doseMg: 2 }],
      reportedIdentity: { firstName: 'Jordan' },
    });
  });

  it('refuses a stale version with CONFLICT and changes nothing', async () => {
    const { input, id, version } = await reported();
    await hub.gql(AMEND, { id, version, input: { ...input, fatal: false } }, paramedic.token);
    const stale = await hub.gql(
      AMEND,
      { id, version, input: { ...input, naloxone: [] } },
      paramedic.token,
    );
    expect(errorCodes(stale)).toEqual(['CONFLICT']);
    const now = await hub.gql<{ incident: { version: number; naloxoneGiven: boolean } }>(
      `query($id: ID!) { incident(id: $id) { version naloxoneGiven } }`,
      { id },
      paramedic.token,
    );
    expect(now.data?.incident).toEqual({ version: version + 1, naloxoneGiven: true });
  });

  it('does not let another agency amend (it answers like a missing incident)', async () => {
    const { input, id, version } = await reported();
    const otherEms = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const stranger = await makeUser(hub, Role.EMS_PROVIDER, { agency: otherEms });
    const response = await hub.gql(AMEND, { id, version, input }, stranger.token);
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
  });

  it('refuses a changed external id', async () => {
    const { input, id, version } = await reported();
    const response = await hub.gql(
      AMEND,
      { id, version, input: { ...input, externalId: 'OTHER-1' } },
      paramedic.token,
    );
    expect(response.errors?.[0].extensions?.fields).toEqual([
      expect.objectContaining({ field: 'input.externalId' }),
    ]);
  });
});
