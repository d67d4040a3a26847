import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { makeAgency, makeApiKey, makeUser, uniqueCounty, type Actor } from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { seedCases } from './support/stats-factory';

type Cell = { value: number | null; suppressed: boolean; internal: boolean };
const COUNT = '{ value suppressed internal }';
const OVERDOSE = `query($groupBy: [StatsDimension!]!, $filter: StatsFilter) {
  overdoseStats(groupBy: $groupBy, filter: $filter) { internal total { incidents ${COUNT} } } }`;
const DOWNSTREAM: Record<string, string> = {
  outcomeStats: `{ outcomeStats(groupBy: []) { total { cases ${COUNT} } } }`,
  followUpStats: `{ followUpStats(groupBy: []) { total { cases ${COUNT} } } }`,
  dashboardGrid: `{ dashboardGrid { total { incidents ${COUNT} } } }`,
};
const FEEDBACK = `query($year: Int!) { myReferralFeedback(year: $year) { total { reported ${COUNT} } } }`;

const DAY = new Date(Date.UTC(2025, 4, 3, 12));
const badFields = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? []).flatMap((e) =>
    ((e.extensions?.fields as Array<{ field: string }>) ?? []).map((f) => f.field),
  );

/** Issue 14 point 8: police get only what the matrix gives police. */
describe('statistics for law-enforcement agencies', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  /** A police department and an EMS agency reporting in one county, with follow-up there. */
  async function county() {
    const fips = uniqueCounty();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [fips] });
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [fips] });
    const program = await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [fips] });
    await seedCases(hub, {
      agencyId: police.id,
      routedAgencyId: program.id,
      county: fips,
      occurredAt: DAY,
      count: 3,
    });
    await seedCases(hub, {
      agencyId: ems.id,
      routedAgencyId: program.id,
      county: fips,
      occurredAt: DAY,
      count: 12,
    });
    return { fips, police, ems, program };
  }

  /** Who reads for a police department: its analyst, its admin, its analyst API key. */
  async function policeReaders(police: Awaited<ReturnType<typeof county>>['police']) {
    const analyst = await makeUser(hub, Role.ANALYST, { agency: police });
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: police });
    const { key } = await makeApiKey(hub, police, Role.ANALYST);
    return [
      { name: 'analyst', token: analyst.token },
      { name: 'admin', token: admin.token },
      { name: 'API key', token: key },
    ];
  }

  it("gives a police department's analyst, admin and API key exact counts of its own reports only", async () => {
    const { police } = await county();
    for (const reader of await policeReaders(police)) {
      const response = await hub.gql<{
        overdoseStats: { internal: boolean; total: { incidents: Cell } };
      }>(OVERDOSE, { groupBy: [] }, reader.token);
      expect({ reader: reader.name, errors: response.errors }).toEqual({
        reader: reader.name,
        errors: undefined,
      });
      expect(response.data!.overdoseStats.total.incidents).toEqual({
        value: 3,
        suppressed: false,
        internal: true,
      });
    }
  });

  it('refuses them outcome, follow-up and dashboard aggregates: FORBIDDEN', async () => {
    const { police } = await county();
    for (const reader of await policeReaders(police)) {
      for (const [field, query] of Object.entries(DOWNSTREAM)) {
        const response = await hub.gql(query, {}, reader.token);
        expect({ reader: reader.name, field, codes: errorCodes(response) }).toEqual({
          reader: reader.name,
          field,
          codes: ['FORBIDDEN'],
        });
      }
    }
  });

  it('still gives a public-health analyst the outcome and follow-up aggregates of its jurisdiction', async () => {
    const { fips } = await county();
    const health = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH, { serviceCounties: [fips] });
    const analyst = await makeUser(hub, Role.ANALYST, { agency: health });
    for (const query of Object.values(DOWNSTREAM)) {
      expect((await hub.gql(query, {}, analyst.token)).errors).toBeUndefined();
    }
  });

  it('refuses a police analyst the jurisdiction, and groupings by outcome or officer presence', async () => {
    const { police } = await county();
    const analyst = await makeUser(hub, Role.ANALYST, { agency: police });
    const jurisdiction = await hub.gql(
      OVERDOSE,
      { groupBy: [], filter: { scope: 'JURISDICTION' } },
      analyst.token,
    );
    expect(errorCodes(jurisdiction)).toEqual(['BAD_USER_INPUT']);
    expect(badFields(jurisdiction)).toEqual(['filter.scope']);
    for (const dimension of ['OUTCOME', 'OFFICER_PRESENCE']) {
      const response = await hub.gql(OVERDOSE, { groupBy: [dimension] }, analyst.token);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['groupBy']);
    }
  });

  it("gives a police department's analyst and admin the reached-of-reported feedback", async () => {
    const { police } = await county();
    for (const role of [Role.ANALYST, Role.AGENCY_ADMIN]) {
      const reader: Actor = await makeUser(hub, role, { agency: police });
      const response = await hub.gql<{
        myReferralFeedback: { total: { reported: Cell } };
      }>(FEEDBACK, { year: 2025 }, reader.token);
      expect(response.errors).toBeUndefined();
      expect(response.data!.myReferralFeedback.total.reported.value).toBe(3);
    }
  });

  it('keeps the reporter feedback from analysts and admins of agencies that do not report', async () => {
    const health = await makeUser(hub, Role.ANALYST, {
      agency: await makeAgency(hub, AgencyKind.PUBLIC_HEALTH),
    });
    const program = await makeUser(hub, Role.AGENCY_ADMIN);
    for (const reader of [health, program]) {
      const response = await hub.gql(FEEDBACK, { year: 2025 }, reader.token);
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    }
  });
});
