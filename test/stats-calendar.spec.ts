import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { makeAgency, makeUser, uniqueCounty } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';
import { seedCases } from './support/stats-factory';

type Group = Record<string, string | null>;
interface Stats {
  overdoseStats: {
    timeZone: string;
    rows: Array<{ group: Group; incidents: { value: number | null } }>;
    total: { incidents: { value: number | null } };
  };
}
const QUERY = `query($groupBy: [StatsDimension!]!, $filter: StatsFilter) {
  overdoseStats(groupBy: $groupBy, filter: $filter) {
    timeZone rows { group { day week month quarter fiscalYear } incidents { value } }
    total { incidents { value } } } }`;

/** 8 pm Eastern (EDT, UTC−4) on 31 March 2026: already 1 April in UTC. */
const EVENING = new Date('2026-04-01T00:00:00Z');

describe('calendars', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const world = async () => {
    const county = uniqueCounty();
    const agency = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    await seedCases(hub, { agencyId: agency.id, county, occurredAt: EVENING, count: 1 });
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency });
    const ask = (groupBy: string[], filter: Record<string, unknown> = {}) =>
      hub.gql<Stats>(QUERY, { groupBy, filter }, admin.token);
    return { agency, admin, ask };
  };

  it('counts an overdose at 8 pm Eastern on 31 March in the first quarter, in America/New_York', async () => {
    const { ask } = await world();
    const q1 = await ask(['QUARTER'], {
      fromDate: '2026-01-01',
      toDate: '2026-04-01',
      timeZone: 'America/New_York',
    });
    expect(q1.errors).toBeUndefined();
    expect(q1.data!.overdoseStats.timeZone).toBe('America/New_York');
    expect(q1.data!.overdoseStats.rows).toEqual([
      { group: expect.objectContaining({ quarter: '2026-Q1' }), incidents: { value: 1 } },
    ]);
    // The calendar quarter 2026-10-01 .. 2027-01-01 is a valid range too.
    const q4 = await ask([], {
      fromDate: '2026-10-01',
      toDate: '2027-01-01',
      timeZone: 'America/New_York',
    });
    expect(q4.errors).toBeUndefined();
    // In UTC the same overdose is in April: the second quarter.
    const utc = await ask(['QUARTER', 'DAY'], { timeZone: 'UTC' });
    expect(utc.data!.overdoseStats.rows[0].group).toEqual(
      expect.objectContaining({ quarter: '2026-Q2', day: '2026-04-01' }),
    );
  });

  it('groups by day, ISO week, month and fiscal year in the hub’s default zone (America/New_York)', async () => {
    const { ask } = await world();
    const days = await ask(['DAY', 'WEEK']);
    expect(days.errors).toBeUndefined();
    expect(days.data!.overdoseStats.rows[0].group).toEqual(
      expect.objectContaining({ day: '2026-03-31', week: '2026-03-30' }),
    );
    const fy = await ask(['MONTH', 'FISCAL_YEAR']);
    // NC's fiscal year starts in July: March 2026 is in FY2026 (July 2025 – June 2026).
    expect(fy.data!.overdoseStats.rows[0].group).toEqual(
      expect.objectContaining({ month: '2026-03', fiscalYear: 'FY2026' }),
    );
  });

  it('lets an agency admin set its calendar; numbers follow it', async () => {
    const { admin, ask } = await world();
    const set = await hub.gql<{
      setStatsCalendar: { timeZone: string; fiscalYearStartMonth: number };
    }>(
      `mutation { setStatsCalendar(input: { timeZone: "UTC", fiscalYearStartMonth: 4 }) { timeZone fiscalYearStartMonth } }`,
      {},
      admin.token,
    );
    expect(set.errors).toBeUndefined();
    expect(set.data!.setStatsCalendar).toEqual({ timeZone: 'UTC', fiscalYearStartMonth: 4 });
    const fy = await ask(['MONTH', 'FISCAL_YEAR']);
    expect(fy.data!.overdoseStats.timeZone).toBe('UTC');
    // In UTC it is April 2026; a fiscal year starting in April makes that FY2027.
    expect(fy.data!.overdoseStats.rows[0].group).toEqual(
      expect.objectContaining({ month: '2026-04', fiscalYear: 'FY2027' }),
    );
    const read = await hub.gql<{ statsCalendar: { timeZone: string } }>(
      '{ statsCalendar { timeZone fiscalYearStartMonth } }',
      {},
      admin.token,
    );
    expect(read.data!.statsCalendar.timeZone).toBe('UTC');
  });

  it('refuses an unknown time zone or month, naming the field; denies roles without a calendar', async () => {
    const { admin } = await world();
    const bad = await hub.gql(
      `mutation { setStatsCalendar(input: { timeZone: "Eastern", fiscalYearStartMonth: 13 }) { timeZone } }`,
      {},
      admin.token,
    );
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(bad.errors)).toContain('input.timeZone');
    expect(JSON.stringify(bad.errors)).toContain('input.fiscalYearStartMonth');
    for (const role of [Role.OUTREACH_WORKER, Role.ANALYST, Role.RESEARCHER]) {
      const actor = await makeUser(hub, role);
      const denied = await hub.gql(
        `mutation { setStatsCalendar(input: { timeZone: "UTC" }) { timeZone } }`,
        {},
        actor.token,
      );
      expect(errorCodes(denied)).toContain('FORBIDDEN');
    }
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    expect(errorCodes(await hub.gql('{ statsCalendar { timeZone } }', {}, worker.token))).toContain(
      'FORBIDDEN',
    );
  });

  it('lets the hub admin set any agency’s calendar', async () => {
    const { agency, ask } = await world();
    const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
    const set = await hub.gql(
      `mutation($id: ID!) { setStatsCalendar(input: { agencyId: $id, timeZone: "America/Los_Angeles" }) { agencyId timeZone } }`,
      { id: agency.id },
      hubAdmin.token,
    );
    expect(set.errors).toBeUndefined();
    const days = await ask(['DAY']);
    expect(days.data!.overdoseStats.rows[0].group.day).toBe('2026-03-31');
    expect(days.data!.overdoseStats.timeZone).toBe('America/Los_Angeles');
  });
});
