import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { seedCases } from './support/stats-factory';

type Cell = { value: number | null; suppressed: boolean; internal: boolean };
interface Row {
  group: Record<string, string | null>;
  incidents: Cell;
}
interface Stats {
  overdoseStats: { internal: boolean; rows: Row[]; subtotals: Row[]; total: Row };
}

const COUNT = '{ value suppressed internal }';
const OVERDOSE = `query($groupBy: [StatsDimension!]!, $filter: StatsFilter) {
  overdoseStats(groupBy: $groupBy, filter: $filter) {
    internal
    rows { group { county sex day } incidents ${COUNT} }
    subtotals { group { county sex day } incidents ${COUNT} }
    total { incidents ${COUNT} } } }`;

const DAY = (d: number) => new Date(Date.UTC(2025, 4, 1 + d, 12));
const date = (d: number) => DAY(d).toISOString().slice(0, 10);

describe('two tiers of numbers', () => {
  let hub: TestHub;
  let reporter: Agency;

  beforeAll(async () => {
    hub = await startTestHub();
    reporter = await makeAgency(hub, AgencyKind.EMS);
  });
  afterAll(() => hub.stop());

  it('gives an agency admin with 4 cases its exact counts, marked internal, and audits the read', async () => {
    const county = uniqueCounty();
    const program = await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    await seedCases(hub, {
      agencyId: reporter.id,
      routedAgencyId: program.id,
      county,
      occurredAt: DAY(0),
      count: 4,
    });
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: program });
    const response = await hub.gql<{
      followUpStats: { internal: boolean; rows: Array<{ group: { month: string }; cases: Cell }> };
    }>(
      `{ followUpStats(groupBy: [MONTH]) { internal rows { group { month } cases ${COUNT} } } }`,
      {},
      admin.token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.followUpStats.internal).toBe(true);
    expect(response.data!.followUpStats.rows).toEqual([
      { group: { month: '2025-05' }, cases: { value: 4, suppressed: false, internal: true } },
    ]);
    const [audit] = await hub
      .em()
      .getConnection()
      .execute<Array<{ n: string }>>(
        `select count(*) as n from audit_event
          where actor_user_id = ? and action = 'Query.followUpStats' and details->>'tier' = 'INTERNAL'`,
        [admin.user.id],
      );
    expect(Number(audit.n)).toBe(1);
  });

  it('gives an analyst its own agency exact on request, its jurisdiction shared', async () => {
    const county = uniqueCounty();
    const health = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH, { serviceCounties: [county] });
    await seedCases(hub, { agencyId: health.id, county, occurredAt: DAY(0), count: 3 });
    const analyst = await makeUser(hub, Role.ANALYST, { agency: health });
    const own = await hub.gql<Stats>(
      OVERDOSE,
      { groupBy: [], filter: { scope: 'OWN_AGENCY' } },
      analyst.token,
    );
    expect(own.data!.overdoseStats.internal).toBe(true);
    expect(own.data!.overdoseStats.total.incidents).toEqual({
      value: 3,
      suppressed: false,
      internal: true,
    });
    const shared = await hub.gql<Stats>(OVERDOSE, { groupBy: [] }, analyst.token);
    expect(shared.data!.overdoseStats.internal).toBe(false);
    expect(shared.data!.overdoseStats.total.incidents).toEqual({
      value: null,
      suppressed: true,
      internal: false,
    });
    const [audit] = await hub
      .em()
      .getConnection()
      .execute<Array<{ n: string }>>(
        `select count(*) as n from audit_event where actor_user_id = ? and action = 'Query.overdoseStats'`,
        [analyst.user.id],
      );
    // Only the internal read is audited as such.
    expect(Number(audit.n)).toBe(1);
  });
});

/**
 * The differencing attacks of issue 15 against shared tables. Ten target counties each hold 4
 * overdoses (suppressed); a big county holds 40. For every target the attacker subtracts
 * published numbers that differ only by the target's records. Without perturbation each attack
 * gives back exactly 4 for every target. With it the estimate carries the noise of two cells:
 * the attacker cannot tell which estimates are right.
 */
describe('differencing attacks on shared tables', () => {
  let hub: TestHub;
  let analyst: Actor;
  let reporter: Agency;
  const big = uniqueCounty();
  const targets = Array.from({ length: 10 }, () => uniqueCounty());
  const TRUTH = 4;

  beforeAll(async () => {
    hub = await startTestHub();
    reporter = await makeAgency(hub, AgencyKind.EMS);
    await seedCases(hub, { agencyId: reporter.id, county: big, occurredAt: DAY(0), count: 40 });
    for (const county of targets) {
      // On day 5, all of them MALE: one date and one sex value isolate them.
      await seedCases(hub, {
        agencyId: reporter.id,
        county,
        occurredAt: DAY(5),
        count: TRUTH,
        sex: 'MALE',
      });
    }
    const health = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH, {
      serviceCounties: [big, ...targets],
    });
    analyst = await makeUser(hub, Role.ANALYST, { agency: health });
  }, 120_000);
  afterAll(() => hub.stop());

  const ask = async (groupBy: string[], filter: Record<string, unknown>) => {
    const response = await hub.gql<Stats>(
      OVERDOSE,
      { groupBy, filter: { agencyIds: [reporter.id], timeZone: 'UTC', ...filter } },
      analyst.token,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.overdoseStats;
  };
  const value = (c: Cell) => {
    expect(c.suppressed).toBe(false);
    expect(c.internal).toBe(false);
    return c.value!;
  };

  /** Each attack returns the attacker's estimate of one target's count. */
  const attacks: Record<string, (target: string) => Promise<number>> = {
    'overlapping county sets': async (t) =>
      value((await ask([], { counties: [big, t] })).total.incidents) -
      value((await ask([], { counties: [big] })).total.incidents),
    'overlapping date ranges': async (t) =>
      value(
        (await ask([], { counties: [big, t], fromDate: date(0), toDate: date(6) })).total.incidents,
      ) -
      value(
        (await ask([], { counties: [big, t], fromDate: date(0), toDate: date(5) })).total.incidents,
      ),
    'a dimension subset (total minus the other sex)': async (t) => {
      const table = await ask(['SEX'], { counties: [big, t] });
      const female = table.rows.find((r) => r.group.sex === 'FEMALE')!;
      expect(table.rows.find((r) => r.group.sex === 'MALE')!.incidents.suppressed).toBe(true);
      return value(table.total.incidents) - value(female.incidents);
    },
    'margins versus totals of a two-way table': async (t) => {
      const table = await ask(['COUNTY', 'DAY'], { counties: [big, t] });
      const bigMargin = table.subtotals.find((r) => r.group.county === big)!;
      return value(table.total.incidents) - value(bigMargin.incidents);
    },
  };

  it('suppresses every target cell', async () => {
    const table = await ask(['COUNTY'], {});
    for (const t of targets) {
      expect(table.rows.find((r) => r.group.county === t)!.incidents).toEqual({
        value: null,
        suppressed: true,
        internal: false,
      });
    }
  });

  it.each(Object.keys(attacks))('recovers no target through %s', async (name) => {
    const estimates: number[] = [];
    for (const t of targets) estimates.push(await attacks[name](t));
    const errors = estimates.map((e) => e - TRUTH);
    // Without perturbation every error would be 0. With it, errors are spread over the noise of
    // two cells (at most ±4): the attacker cannot correct them or tell the right ones apart.
    expect(errors.filter((e) => e === 0).length).toBeLessThan(targets.length);
    expect(new Set(errors).size).toBeGreaterThan(1);
    for (const e of errors) expect(Math.abs(e)).toBeLessThanOrEqual(4);
  });

  it('answers the same question asked twice with the same number (no averaging by repetition)', async () => {
    const first = await ask([], { counties: [big, targets[0]] });
    const second = await ask(['COUNTY'], { counties: [targets[0], big] });
    expect(second.total.incidents).toEqual(first.total.incidents);
  });
});
