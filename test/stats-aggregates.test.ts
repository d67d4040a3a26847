import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { seedCases } from './support/stats-factory';

type Cell = { value: number | null; suppressed: boolean };
type Rate = { value: number | null; suppressed: boolean; unstable: boolean };
type Group = Record<string, string | null>;

const COUNT = '{ value suppressed }';
const RATE = '{ value suppressed unstable }';
const GROUP = '{ month week county agencyId officerPresence ageBand sex outcome }';

const OVERDOSE = `query($groupBy: [StatsDimension!]!, $filter: StatsFilter) {
  overdoseStats(groupBy: $groupBy, filter: $filter) {
    groupBy
    rows { group ${GROUP} incidents ${COUNT} naloxoneDoses ${COUNT} naloxonePerIncident ${RATE} }
    subtotals { group ${GROUP} incidents ${COUNT} }
    total { incidents ${COUNT} naloxoneDoses ${COUNT} naloxonePerIncident ${RATE} } } }`;

const FOLLOW_UP = `query($groupBy: [StatsDimension!]!, $filter: StatsFilter) {
  followUpStats(groupBy: $groupBy, filter: $filter) {
    rows { group ${GROUP} cases ${COUNT} contacted ${COUNT} contactRate ${RATE} }
    total { cases ${COUNT} attempted ${COUNT} contacted ${COUNT} contactRate ${RATE}
      timeToFirstAttempt { medianHours p90Hours within24h ${RATE} within72h ${RATE} suppressed } } } }`;

interface OverdoseRow {
  group: Group;
  incidents: Cell;
  naloxoneDoses: Cell;
  naloxonePerIncident: Rate;
}
type OverdoseStats = {
  overdoseStats: {
    groupBy: string[];
    rows: OverdoseRow[];
    subtotals: OverdoseRow[];
    total: OverdoseRow;
  };
};

const MONDAY = new Date('2025-03-03T00:00:00Z');
const WEEK_MS = 7 * 24 * 3_600_000;
const week = (n: number) => new Date(MONDAY.getTime() + n * WEEK_MS);

describe('aggregate statistics', () => {
  let hub: TestHub;
  let reporter: Agency;

  /** An analyst whose jurisdiction is `counties`. */
  const analystFor = async (counties: string[]): Promise<Actor> => {
    const agency = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH, { serviceCounties: counties });
    return makeUser(hub, Role.ANALYST, { agency });
  };
  const overdose = (actor: Actor, groupBy: string[], filter: Record<string, unknown> = {}) =>
    hub.gql<OverdoseStats>(OVERDOSE, { groupBy, filter }, actor.token);

  beforeAll(async () => {
    hub = await startTestHub();
    reporter = await makeAgency(hub, AgencyKind.EMS);
  });
  afterAll(() => hub.stop());

  it('gives an analyst the counts of its own jurisdiction only', async () => {
    const [mine, other] = [uniqueCounty(), uniqueCounty()];
    await seedCases(hub, {
      agencyId: reporter.id,
      county: mine,
      occurredAt: week(0),
      count: 25,
      doses: 2,
    });
    await seedCases(hub, { agencyId: reporter.id, county: other, occurredAt: week(0), count: 30 });
    const analyst = await analystFor([mine]);
    const response = await overdose(analyst, ['COUNTY']);
    expect(response.errors).toBeUndefined();
    const stats = response.data!.overdoseStats;
    expect(stats.rows.map((r) => r.group.county)).toEqual([mine]);
    expect(stats.total.incidents).toEqual({ value: 25, suppressed: false });
    expect(stats.total.naloxoneDoses).toEqual({ value: 50, suppressed: false });
    expect(stats.total.naloxonePerIncident).toEqual({
      value: 2,
      suppressed: false,
      unstable: false,
    });
  });

  it('suppresses a count from 1 to 10 and hides a partner so the total cannot give it back', async () => {
    const [small, big, bigger] = [uniqueCounty(), uniqueCounty(), uniqueCounty()];
    await seedCases(hub, { agencyId: reporter.id, county: small, occurredAt: week(0), count: 4 });
    await seedCases(hub, { agencyId: reporter.id, county: big, occurredAt: week(0), count: 15 });
    await seedCases(hub, { agencyId: reporter.id, county: bigger, occurredAt: week(0), count: 40 });
    const analyst = await analystFor([small, big, bigger]);
    const { data } = await overdose(analyst, ['COUNTY']);
    const byCounty = new Map(data!.overdoseStats.rows.map((r) => [r.group.county, r]));
    expect(byCounty.get(small)!.incidents).toEqual({ value: null, suppressed: true });
    expect(byCounty.get(big)!.incidents).toEqual({ value: null, suppressed: true });
    expect(byCounty.get(bigger)!.incidents).toEqual({ value: 40, suppressed: false });
    expect(data!.overdoseStats.total.incidents).toEqual({ value: 59, suppressed: false });
    // Rates over a suppressed count are suppressed too.
    expect(byCounty.get(small)!.naloxonePerIncident.suppressed).toBe(true);
  });

  it('protects a two-way table in both directions', async () => {
    const [a, b, c] = [uniqueCounty(), uniqueCounty(), uniqueCounty()];
    const cells: Array<[string, number, number]> = [
      [a, 0, 3],
      [a, 1, 20],
      [a, 2, 25],
      [b, 0, 30],
      [b, 1, 35],
      [b, 2, 12],
      [c, 0, 22],
      [c, 1, 28],
      [c, 2, 33],
    ];
    for (const [county, w, count] of cells) {
      await seedCases(hub, { agencyId: reporter.id, county, occurredAt: week(w), count });
    }
    const analyst = await analystFor([a, b, c]);
    const { data, errors } = await overdose(analyst, ['COUNTY', 'WEEK'], {
      from: week(0).toISOString(),
      to: week(3).toISOString(),
    });
    expect(errors).toBeUndefined();
    const { rows, subtotals, total } = data!.overdoseStats;
    expect(rows).toHaveLength(9);
    const hidden = (r: OverdoseRow) => r.incidents.suppressed;
    const small = rows.find((r) => r.group.county === a && r.group.week === '2025-03-03')!;
    expect(small.incidents).toEqual({ value: null, suppressed: true });
    // No row, column or margin relation may be left with exactly one unknown.
    for (const [key, other] of [
      ['county', 'week'],
      ['week', 'county'],
    ] as const) {
      for (const margin of subtotals.filter((s) => s.group[key] && !s.group[other])) {
        const members = [margin, ...rows.filter((r) => r.group[key] === margin.group[key])];
        expect(members.filter(hidden).length).not.toBe(1);
      }
      const margins = subtotals.filter((s) => s.group[key] && !s.group[other]);
      expect([total, ...margins].filter(hidden).length).not.toBe(1);
    }
    // The published cells still add up where nothing is hidden.
    expect(total.incidents.value).toBe(208);
  });

  it('flags a rate on a numerator of 20 or less as unstable, and suppresses one on a hidden numerator', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const [few, many, tiny, partner] = [
      uniqueCounty(),
      uniqueCounty(),
      uniqueCounty(),
      uniqueCounty(),
    ];
    const seed = { agencyId: reporter.id, occurredAt: week(0), workerId: worker.user.id };
    await seedCases(hub, { ...seed, county: few, count: 40, contacted: 15 });
    await seedCases(hub, { ...seed, county: many, count: 40, contacted: 30 });
    await seedCases(hub, { ...seed, county: tiny, count: 30, contacted: 5 });
    await seedCases(hub, { ...seed, county: partner, count: 30, contacted: 12 });
    const analyst = await analystFor([few, many, tiny, partner]);
    const response = await hub.gql<{
      followUpStats: { rows: Array<{ group: Group; contacted: Cell; contactRate: Rate }> };
    }>(FOLLOW_UP, { groupBy: ['COUNTY'] }, analyst.token);
    expect(response.errors).toBeUndefined();
    const rate = (county: string) =>
      response.data!.followUpStats.rows.find((r) => r.group.county === county)!.contactRate;
    expect(rate(few)).toEqual({ value: 0.375, suppressed: false, unstable: true });
    expect(rate(many)).toEqual({ value: 0.75, suppressed: false, unstable: false });
    expect(rate(tiny)).toEqual({ value: null, suppressed: true, unstable: false });
    // The smallest other numerator is hidden with it, or the total would give it back.
    expect(rate(partner)).toEqual({ value: null, suppressed: true, unstable: false });
  });

  it('measures the time from overdose to first attempt with median, p90 and 24/72 h shares', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const county = uniqueCounty();
    const seed = { agencyId: reporter.id, county, workerId: worker.user.id };
    await seedCases(hub, {
      ...seed,
      occurredAt: week(0),
      count: 12,
      contacted: 12,
      attemptAfterHours: 10,
    });
    await seedCases(hub, {
      ...seed,
      occurredAt: week(1),
      count: 12,
      contacted: 12,
      attemptAfterHours: 48,
    });
    await seedCases(hub, {
      ...seed,
      occurredAt: week(2),
      count: 6,
      contacted: 6,
      attemptAfterHours: 100,
    });
    const analyst = await analystFor([county]);
    const { data, errors } = await hub.gql<{
      followUpStats: { total: { attempted: Cell; timeToFirstAttempt: Record<string, unknown> } };
    }>(FOLLOW_UP, { groupBy: [] }, analyst.token);
    expect(errors).toBeUndefined();
    expect(data!.followUpStats.total.attempted).toEqual({ value: 30, suppressed: false });
    expect(data!.followUpStats.total.timeToFirstAttempt).toEqual({
      medianHours: 48,
      p90Hours: 100,
      within24h: { value: 0.4, suppressed: false, unstable: true },
      within72h: { value: 0.8, suppressed: false, unstable: false },
      suppressed: false,
    });
  });

  it('gives an agency admin its own agency only', async () => {
    const county = uniqueCounty();
    const own = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    await seedCases(hub, { agencyId: own.id, county, occurredAt: week(0), count: 13 });
    await seedCases(hub, { agencyId: reporter.id, county, occurredAt: week(0), count: 50 });
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: own });
    const { data, errors } = await overdose(admin, ['AGENCY']);
    expect(errors).toBeUndefined();
    expect(data!.overdoseStats.rows.map((r) => r.group.agencyId)).toEqual([own.id]);
    expect(data!.overdoseStats.total.incidents).toEqual({ value: 13, suppressed: false });
  });

  it.each([
    Role.POLICE_OFFICER,
    Role.EMS_PROVIDER,
    Role.OUTREACH_WORKER,
    Role.LEAD_CASE_MANAGER,
    Role.HUB_ADMIN,
    Role.RESEARCHER,
  ])('denies %s on the main endpoint', async (role) => {
    const actor = await makeUser(hub, role);
    for (const query of [OVERDOSE, FOLLOW_UP]) {
      const response = await hub.gql(query, { groupBy: [] }, actor.token);
      expect(errorCodes(response)).toContain('FORBIDDEN');
      expect(response.data?.overdoseStats ?? response.data?.followUpStats ?? null).toBeNull();
    }
  });

  it('refuses a group-by the query does not support, or more than two, naming groupBy', async () => {
    const analyst = await analystFor([uniqueCounty()]);
    const expectGroupBy = (response: GraphQLResponse<unknown>) => {
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(response.errors)).toContain('groupBy');
    };
    expectGroupBy(await overdose(analyst, ['OFFICER_PRESENCE']));
    expectGroupBy(await overdose(analyst, ['MONTH', 'COUNTY', 'SEX']));
    expectGroupBy(await overdose(analyst, ['COUNTY', 'COUNTY']));
  });

  it('refuses dates finer than a week for an analyst, naming the argument', async () => {
    const analyst = await analystFor([uniqueCounty()]);
    const response = await overdose(analyst, [], {
      from: week(0).toISOString(),
      to: '2025-03-11T00:00:00Z',
    });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(response.errors)).toContain('filter.to');
    const backwards = await overdose(analyst, [], {
      from: week(2).toISOString(),
      to: week(1).toISOString(),
    });
    expect(JSON.stringify(backwards.errors)).toContain('filter.to');
  });

  it('does not reveal one person through two date ranges a day apart', async () => {
    const county = uniqueCounty();
    await seedCases(hub, { agencyId: reporter.id, county, occurredAt: week(0), count: 30 });
    // One more person on the day after the week ends.
    await seedCases(hub, {
      agencyId: reporter.id,
      county,
      occurredAt: new Date(week(1).getTime() + 3_600_000),
      count: 1,
    });
    const analyst = await analystFor([county]);
    const weekOnly = await overdose(analyst, [], {
      from: week(0).toISOString(),
      to: week(1).toISOString(),
    });
    expect(weekOnly.data!.overdoseStats.total.incidents).toEqual({ value: 30, suppressed: false });
    const dayLonger = await overdose(analyst, [], {
      from: week(0).toISOString(),
      to: new Date(week(1).getTime() + 24 * 3_600_000).toISOString(),
    });
    expect(errorCodes(dayLonger)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(dayLonger.data ?? null)).not.toContain('31');
    // As a cell of its own, the week holding that one person is suppressed with a partner.
    // (Two ranges a whole week apart can still be differenced: see the stats README section.)
    const byWeek = await overdose(analyst, ['WEEK'], {
      from: week(0).toISOString(),
      to: week(2).toISOString(),
    });
    const cells = byWeek.data!.overdoseStats.rows.map((r) => r.incidents);
    expect(cells).toContainEqual({ value: null, suppressed: true });
    expect(byWeek.data!.overdoseStats.rows.filter((r) => r.incidents.suppressed)).toHaveLength(2);
  });
});
