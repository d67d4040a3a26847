import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { ROLLUP_FROM_RAW_SQL, refreshStatsRollup } from '../src/modules/stats/stats-rollup';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';
import { REPORT_MUTATION, reportInput } from './support/reports';
import { seedCases } from './support/stats-factory';

type Cell = { value: number | null; suppressed: boolean };
type Rate = { value: number | null; suppressed: boolean; unstable: boolean };
type GridRow = {
  group: { month: string | null; county: string | null };
  incidents: Cell;
  naloxoneDoses: Cell;
  contacted: Cell;
};

const GRID = `query($filter: StatsFilter) { dashboardGrid(filter: $filter) {
  rows { group { month county } incidents { value suppressed } naloxoneDoses { value suppressed } contacted { value suppressed } }
  subtotals { group { month county } incidents { value suppressed } }
  total { incidents { value suppressed } naloxoneDoses { value suppressed } contacted { value suppressed } } } }`;

const MARCH = new Date('2025-03-05T10:00:00Z');
const APRIL = new Date('2025-04-07T10:00:00Z');

describe('the dashboard rollup', () => {
  let hub: TestHub;
  let reporter: Agency;
  let worker: Actor;

  // By county and this run's agency: the database may hold other runs' data in the same counties.
  const rollup = (county: string, agencyId = reporter.id) =>
    hub
      .em()
      .getConnection()
      .execute<Array<Record<string, unknown>>>(
        `select to_char(month, 'YYYY-MM') as month, incidents, fatal, naloxone_doses, contacted
           from stats_rollup where county = ? and agency_id = ?
            and (incidents, fatal, naloxone_doses, contacted) <> (0, 0, 0, 0)
          order by month`,
        [county, agencyId],
      );
  const raw = (county: string) =>
    hub
      .em()
      .getConnection()
      .execute<Array<Record<string, unknown>>>(
        `select to_char(month, 'YYYY-MM') as month, incidents, fatal, naloxone_doses, contacted
           from (${ROLLUP_FROM_RAW_SQL}) r where county = ? and agency_id = ? order by month`,
        [county, reporter.id],
      );
  const analystFor = async (counties: string[]) =>
    makeUser(hub, Role.ANALYST, {
      agency: await makeAgency(hub, AgencyKind.PUBLIC_HEALTH, { serviceCounties: counties }),
    });

  beforeAll(async () => {
    hub = await startTestHub();
    reporter = await makeAgency(hub, AgencyKind.EMS);
    worker = await makeUser(hub, Role.OUTREACH_WORKER);
  });
  afterAll(() => hub.stop());

  it('is kept current by every write, in step with the raw rows', async () => {
    const county = uniqueCounty();
    const seed = { agencyId: reporter.id, county, workerId: worker.user.id };
    await seedCases(hub, { ...seed, occurredAt: MARCH, count: 14, doses: 2, contacted: 5 });
    const [moved] = await seedCases(hub, {
      ...seed,
      occurredAt: APRIL,
      count: 3,
      fatal: true,
      doses: 1,
    });
    expect(await rollup(county)).toEqual([
      { month: '2025-03', incidents: 14, fatal: 0, naloxone_doses: 28, contacted: 5 },
      { month: '2025-04', incidents: 3, fatal: 3, naloxone_doses: 3, contacted: 0 },
    ]);

    const connection = hub.em().getConnection();
    // An amended date moves the incident with its doses; a case entered in error leaves the grid.
    await connection.execute(`update overdose_incident set occurred_at = ? where id = ?`, [
      MARCH.toISOString(),
      moved,
    ]);
    await connection.execute(
      `update overdose_case set status = 'ENTERED_IN_ERROR'
        where index_incident_id = (select id from overdose_incident
                                    where county = ? and reporting_agency_id = ? and not fatal
                                    order by occurred_at limit 1)`,
      [county, reporter.id],
    );
    await connection.execute(
      `delete from naloxone_administration where id in (
         select n.id from naloxone_administration n join overdose_incident i on i.id = n.incident_id
          where i.county = ? and i.reporting_agency_id = ? and i.fatal)`,
      [county, reporter.id],
    );
    expect(await rollup(county)).toEqual(await raw(county));
    expect(await rollup(county)).toEqual([
      { month: '2025-03', incidents: 14, fatal: 1, naloxone_doses: 26, contacted: 4 },
      { month: '2025-04', incidents: 2, fatal: 2, naloxone_doses: 0, contacted: 0 },
    ]);
  });

  it('is rebuilt by refreshStatsRollup after a load with the triggers off', async () => {
    const county = uniqueCounty();
    const em = hub.em();
    await em.transactional(async (tx) => {
      await tx
        .getConnection()
        .execute(`set local hub.stats_rollup = 'off'`, [], 'run', tx.getTransactionContext());
      await tx.getConnection().execute(
        `insert into overdose_incident (id, created_at, updated_at, reporting_agency_id, external_id,
                                        occurred_at, county, fatal, suspected_substances, reported_by_id)
         select gen_random_uuid(), now(), now(), ?::uuid, 'BULK-' || g || '-' || ?, ?::timestamptz, ?, false, '{}', ?::uuid
           from generate_series(1, 12) g`,
        [reporter.id, county, MARCH.toISOString(), county, reporter.id],
        'run',
        tx.getTransactionContext(),
      );
    });
    expect(await rollup(county)).toEqual([]);
    await refreshStatsRollup(hub.em());
    expect(await rollup(county)).toEqual([
      { month: '2025-03', incidents: 12, fatal: 0, naloxone_doses: 0, contacted: 0 },
    ]);
  });

  it('serves month × county to an analyst of those counties, suppressed and perturbed', async () => {
    const [busy, quiet, outside] = [uniqueCounty(), uniqueCounty(), uniqueCounty()];
    await seedCases(hub, {
      agencyId: reporter.id,
      county: busy,
      occurredAt: MARCH,
      count: 30,
      doses: 1,
    });
    await seedCases(hub, { agencyId: reporter.id, county: busy, occurredAt: APRIL, count: 25 });
    await seedCases(hub, { agencyId: reporter.id, county: quiet, occurredAt: MARCH, count: 2 });
    await seedCases(hub, { agencyId: reporter.id, county: quiet, occurredAt: APRIL, count: 40 });
    await seedCases(hub, { agencyId: reporter.id, county: outside, occurredAt: MARCH, count: 50 });
    const analyst = await analystFor([busy, quiet]);
    const response = await hub.gql<{
      dashboardGrid: { rows: GridRow[]; subtotals: GridRow[]; total: GridRow };
    }>(
      GRID,
      {
        filter: {
          from: '2025-03-01T00:00:00Z',
          to: '2025-05-01T00:00:00Z',
          agencyIds: [reporter.id],
        },
      },
      analyst.token,
    );
    expect(response.errors).toBeUndefined();
    const { rows, subtotals, total } = response.data!.dashboardGrid;
    const cell = (county: string, month: string) =>
      rows.find((r) => r.group.county === county && r.group.month === month)!;
    expect(rows).toHaveLength(4);
    expect(cell(quiet, '2025-03').incidents).toEqual({ value: null, suppressed: true });
    // Every other cell, margin and total: perturbed by at most 2 (cell keys), not hidden.
    const near = (c: Cell, truth: number) => {
      expect(c.suppressed).toBe(false);
      expect(Math.abs(c.value! - truth)).toBeLessThanOrEqual(2);
    };
    near(cell(busy, '2025-03').incidents, 30);
    near(cell(quiet, '2025-04').incidents, 40);
    near(cell(busy, '2025-04').incidents, 25);
    const margin = (county: string) =>
      subtotals.find((s) => s.group.county === county && !s.group.month)!.incidents;
    near(margin(busy), 55);
    near(margin(quiet), 42);
    near(total.incidents, 97);
    near(total.naloxoneDoses, 30);
  });

  it('refuses grid bounds inside a month, naming the argument', async () => {
    const analyst = await analystFor([uniqueCounty()]);
    const response = await hub.gql(
      GRID,
      { filter: { from: '2025-03-03T00:00:00Z' } },
      analyst.token,
    );
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(response.errors)).toContain('filter.from');
  });

  it('denies an outreach worker the grid', async () => {
    const response = await hub.gql(GRID, {}, worker.token);
    expect(errorCodes(response)).toContain('FORBIDDEN');
    expect(response.data?.dashboardGrid ?? null).toBeNull();
  });

  it('counts a report made through the API in the grid and bands the survivor’s age', async () => {
    const county = uniqueCounty();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const officer = await makeUser(hub, Role.POLICE_OFFICER, { agency: police });
    const input = reportInput(county);
    const reported = await hub.gql(REPORT_MUTATION, { input }, officer.token);
    expect(reported.errors).toBeUndefined();
    const [row] = await rollup(county, police.id);
    expect(row).toMatchObject({ incidents: 1, naloxone_doses: 1 });
    const analyst = await analystFor([county]);
    const stats = await hub.gql<{
      overdoseStats: { rows: Array<{ group: { ageBand: string }; incidents: Cell }> };
    }>(
      `query($filter: StatsFilter) { overdoseStats(groupBy: [AGE_BAND], filter: $filter) {
         rows { group { ageBand } incidents { value suppressed } } } }`,
      { filter: { agencyIds: [police.id] } },
      analyst.token,
    );
    expect(stats.errors).toBeUndefined();
    // Born 1990-04-12 (the report factory): 35 or 36 at the time of the report.
    expect(stats.data!.overdoseStats.rows).toEqual([
      { group: { ageBand: 'AGE_35_44' }, incidents: { value: null, suppressed: true } },
    ]);
  });

  it('counts repeat overdoses within 30 and 90 days for outcomeStats', async () => {
    const county = uniqueCounty();
    const base = { agencyId: reporter.id, county, occurredAt: MARCH, count: 2 };
    for (let i = 0; i < 12; i++) {
      await seedCases(hub, { ...base, personId: randomUUID(), spacingMinutes: 10 * 24 * 60 });
      await seedCases(hub, { ...base, personId: randomUUID(), spacingMinutes: 60 * 24 * 60 });
    }
    // The reporting agency's admin: its own data, exact.
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: reporter });
    const response = await hub.gql<{ outcomeStats: { total: Record<string, Cell | Rate> } }>(
      `query($filter: StatsFilter) { outcomeStats(groupBy: [], filter: $filter) { total {
         cases { value suppressed } identified { value suppressed }
         repeatWithin30Days { value suppressed } repeatWithin90Days { value suppressed }
         repeat30Rate { value suppressed unstable } repeat90Rate { value suppressed unstable } } } }`,
      { filter: { agencyIds: [reporter.id], counties: [county] } },
      admin.token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.outcomeStats.total).toEqual({
      cases: { value: 48, suppressed: false },
      identified: { value: 48, suppressed: false },
      repeatWithin30Days: { value: 12, suppressed: false },
      repeatWithin90Days: { value: 24, suppressed: false },
      repeat30Rate: { value: 0.25, suppressed: false, unstable: true },
      repeat90Rate: { value: 0.5, suppressed: false, unstable: false },
    });
  });
});
