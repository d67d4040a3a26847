import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { seedCases } from './support/stats-factory';

type Cell = { value: number | null; suppressed: boolean };
/** A shared count: published within the perturbation table's ±2 of the truth. */
const near = (truth: number) => ({
  value: {
    asymmetricMatch: (v: unknown) => typeof v === 'number' && Math.abs(v - truth) <= 2,
    toAsymmetricMatcher: () => `${truth} ± 2`,
  },
  suppressed: false,
});
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
  // Only this run's agency: the database may hold other runs' data in the same counties.
  const mine = (filter: Record<string, unknown> = {}) => ({ agencyIds: [reporter.id], ...filter });
  const overdose = (actor: Actor, groupBy: string[], filter: Record<string, unknown> = {}) =>
    hub.gql<OverdoseStats>(OVERDOSE, { groupBy, filter: mine(filter) }, actor.token);

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
    // Shared numbers: perturbed by at most 2, never exact by promise.
    expect(stats.total.incidents).toEqual(near(25));
    expect(stats.total.naloxoneDoses).toEqual(near(50));
    expect(stats.total.naloxonePerIncident.value).toBeCloseTo(
      stats.total.naloxoneDoses.value! / stats.total.incidents.value!,
      3,
    );
  });

  it('suppresses a count from 1 to 10, hides the smallest other cell with it so the total cannot give it back, and perturbs the rest', async () => {
    const [small, big, bigger] = [uniqueCounty(), uniqueCounty(), uniqueCounty()];
    await seedCases(hub, { agencyId: reporter.id, county: small, occurredAt: week(0), count: 4 });
    await seedCases(hub, { agencyId: reporter.id, county: big, occurredAt: week(0), count: 15 });
    await seedCases(hub, { agencyId: reporter.id, county: bigger, occurredAt: week(0), count: 40 });
    const analyst = await analystFor([small, big, bigger]);
    const { data } = await overdose(analyst, ['COUNTY']);
    const byCounty = new Map(data!.overdoseStats.rows.map((r) => [r.group.county, r]));
    expect(byCounty.get(small)!.incidents).toEqual({ value: null, suppressed: true });
    // Total minus bigger would be small + big = 19: no longer a small count.
    expect(byCounty.get(big)!.incidents).toEqual({ value: null, suppressed: true });
    expect(byCounty.get(bigger)!.incidents).toEqual(near(40));
    expect(data!.overdoseStats.total.incidents).toEqual(near(59));
    // Rates over a suppressed count are suppressed too.
    expect(byCounty.get(small)!.naloxonePerIncident.suppressed).toBe(true);
  });

  it('protects a two-way table in both directions: small cells suppressed with their complements, every other cell and margin perturbed', async () => {
    const [a, b, c] = [uniqueCounty(), uniqueCounty(), uniqueCounty()];
    const cells: Array<[string, number, number]> = [
      [a, 0, 3],
      [a, 1, 20],
      [a, 2, 25],
      [b, 0, 30],
      [b, 1, 35],
      // 13, not 12: a noise of −2 would take 12 to 10, suppressed (a flaky test).
      [b, 2, 13],
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
      timeZone: 'UTC',
    });
    expect(errors).toBeUndefined();
    const { rows, subtotals, total } = data!.overdoseStats;
    expect(rows).toHaveLength(9);
    const small = rows.find((r) => r.group.county === a && r.group.week === '2025-03-03')!;
    expect(small.incidents).toEqual({ value: null, suppressed: true });
    const truth = new Map(
      cells.map(([county, w, n]) => [`${county} ${week(w).toISOString().slice(0, 10)}`, n]),
    );
    // a's week 0 (3) is hidden; a's margin minus its other weeks would give it back, so a's
    // smallest other week (20) is hidden too; week 0's margin likewise takes c's week 0 (22).
    const complements = new Set([
      `${a} ${week(1).toISOString().slice(0, 10)}`,
      `${c} ${week(0).toISOString().slice(0, 10)}`,
    ]);
    for (const row of rows) {
      const key = `${row.group.county} ${row.group.week}`;
      const n = truth.get(key)!;
      if (complements.has(key)) expect(row.incidents).toEqual({ value: null, suppressed: true });
      else if (n > 10) expect(row.incidents).toEqual(near(n));
    }
    expect(subtotals).toHaveLength(6);
    expect(total.incidents).toEqual(near(209));
  });

  it('flags a rate on a numerator of 20 or less as unstable; shared: suppresses one on a hidden numerator', async () => {
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
    type Rows = {
      followUpStats: { rows: Array<{ group: Group; contacted: Cell; contactRate: Rate }> };
    };
    // The reporting agency's admin: its own data, exact.
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: reporter });
    const own = await hub.gql<Rows>(
      FOLLOW_UP,
      { groupBy: ['COUNTY'], filter: mine() },
      admin.token,
    );
    expect(own.errors).toBeUndefined();
    const rate = (county: string, response = own) =>
      response.data!.followUpStats.rows.find((r) => r.group.county === county)!.contactRate;
    expect(rate(few)).toEqual({ value: 0.375, suppressed: false, unstable: true });
    expect(rate(many)).toEqual({ value: 0.75, suppressed: false, unstable: false });
    expect(rate(tiny)).toEqual({ value: 0.1667, suppressed: false, unstable: true });
    // An analyst of the jurisdiction: shared numbers, the rate over 5 contacts is suppressed.
    const analyst = await analystFor([few, many, tiny, partner]);
    const shared = await hub.gql<Rows>(
      FOLLOW_UP,
      { groupBy: ['COUNTY'], filter: mine() },
      analyst.token,
    );
    expect(shared.errors).toBeUndefined();
    expect(rate(tiny, shared)).toEqual({ value: null, suppressed: true, unstable: false });
    expect(rate(many, shared).value).toBeGreaterThan(0.6);
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
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: reporter });
    const { data, errors } = await hub.gql<{
      followUpStats: { total: { attempted: Cell; timeToFirstAttempt: Record<string, unknown> } };
    }>(FOLLOW_UP, { groupBy: [], filter: mine({ counties: [county] }) }, admin.token);
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

  it('groups case outcomes by officer presence and sex, with LEAD enrolment', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const county = uniqueCounty();
    const seed = { agencyId: reporter.id, county, occurredAt: week(0), workerId: worker.user.id };
    const visited = await seedCases(hub, { ...seed, count: 12, contacted: 12 });
    await seedCases(hub, { ...seed, count: 13, sex: 'MALE' });
    const program = await makeAgency(hub, AgencyKind.LEAD_PROGRAM, { serviceCounties: [county] });
    await hub
      .em()
      .getConnection()
      .execute(
        `insert into lead_referral (id, created_at, updated_at, case_id, program_id, referring_agency_id,
                                    referred_by_id, door, status, intake_deadline)
         select gen_random_uuid(), now(), now(), c.id, ?::uuid, ?::uuid, ?::uuid, 'SOCIAL_CONTACT', 'ACTIVE', now()
           from overdose_case c where c.index_incident_id = any(?::uuid[])`,
        [program.id, reporter.id, worker.user.id, `{${visited.join(',')}}`],
      );
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: reporter });
    const response = await hub.gql<{
      outcomeStats: {
        rows: Array<{ group: Group; cases: Cell; leadEnrolled: Cell; leadEnrolmentRate: Rate }>;
      };
    }>(
      `query($filter: StatsFilter) { outcomeStats(groupBy: [OFFICER_PRESENCE, SEX], filter: $filter) { rows {
         group ${GROUP} cases ${COUNT} leadEnrolled ${COUNT} leadEnrolmentRate ${RATE} } } }`,
      { filter: mine({ counties: [county] }) },
      admin.token,
    );
    expect(response.errors).toBeUndefined();
    const rows = response.data!.outcomeStats.rows.map((r) => ({
      presence: r.group.officerPresence,
      sex: r.group.sex,
      cases: r.cases.value,
      lead: r.leadEnrolled.value,
      rate: r.leadEnrolmentRate.value,
    }));
    expect(rows).toEqual(
      expect.arrayContaining([
        { presence: 'NONE', sex: 'FEMALE', cases: 12, lead: 12, rate: 1 },
        { presence: 'NO_ATTEMPT', sex: 'MALE', cases: 13, lead: 0, rate: 0 },
      ]),
    );
    expect(rows).toHaveLength(2);
  });

  it('gives an agency admin its own agency only', async () => {
    const county = uniqueCounty();
    const own = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    await seedCases(hub, { agencyId: own.id, county, occurredAt: week(0), count: 13 });
    await seedCases(hub, { agencyId: reporter.id, county, occurredAt: week(0), count: 50 });
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: own });
    const { data, errors } = await overdose(admin, ['AGENCY'], {
      agencyIds: [own.id, reporter.id],
    });
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

  it('refuses an unknown dimension, a group-by the query does not support, or more than two, naming groupBy', async () => {
    const analyst = await analystFor([uniqueCounty()]);
    const expectGroupBy = (response: GraphQLResponse<unknown>) => {
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(response.errors)).toContain('groupBy');
    };
    expectGroupBy(await overdose(analyst, ['OFFICER_PRESENCE']));
    expectGroupBy(await overdose(analyst, ['MONTH', 'COUNTY', 'SEX']));
    expectGroupBy(await overdose(analyst, ['COUNTY', 'COUNTY']));
    expectGroupBy(await overdose(analyst, ['NOT_A_DIMENSION']));
  });

  it('refuses a range that ends before it starts, is too long, or names an unknown time zone', async () => {
    const analyst = await analystFor([uniqueCounty()]);
    const expectField = (response: GraphQLResponse<unknown>, field: string) => {
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(response.errors)).toContain(field);
    };
    expectField(
      await overdose(analyst, [], { fromDate: '2025-03-10', toDate: '2025-03-03' }),
      'filter.toDate',
    );
    expectField(
      await overdose(analyst, [], { fromDate: '2000-01-01', toDate: '2025-01-01' }),
      'filter.toDate',
    );
    expectField(await overdose(analyst, [], { fromDate: '2025-02-30' }), 'filter.fromDate');
    expectField(await overdose(analyst, [], { timeZone: 'Mars/Olympus_Mons' }), 'filter.timeZone');
    // An instant that is not a local midnight is not a whole day.
    expectField(
      await overdose(analyst, [], { from: '2025-03-03T00:00:00Z', timeZone: 'America/New_York' }),
      'filter.from',
    );
  });

  it('gives the same cell the same perturbed value however it is asked for', async () => {
    const county = uniqueCounty();
    await seedCases(hub, { agencyId: reporter.id, county, occurredAt: week(0), count: 30 });
    const analyst = await analystFor([county]);
    const once = await overdose(analyst, [], {
      fromDate: '2025-03-03',
      toDate: '2025-03-10',
      timeZone: 'UTC',
    });
    const again = await overdose(analyst, ['COUNTY'], {
      fromDate: '2025-03-01',
      toDate: '2025-03-31',
      timeZone: 'UTC',
    });
    expect(once.errors).toBeUndefined();
    expect(again.errors).toBeUndefined();
    // The same 30 records: the same cell key, the same noise.
    expect(again.data!.overdoseStats.rows[0].incidents).toEqual(
      once.data!.overdoseStats.total.incidents,
    );
    expect(again.data!.overdoseStats.total.incidents).toEqual(
      once.data!.overdoseStats.total.incidents,
    );
  });
});
