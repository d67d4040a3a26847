import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { makeResearcher, researchGql } from './support/research';
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
 * overdoses on day 5 (suppressed); a big county holds 40 and three more counties 30 each, on
 * day 0. For every target the attacker asks for published numbers that differ only by the
 * target's records and subtracts them, or averages many such differences. Without protection
 * each attack gives back exactly 4. The hub answers the second question of every such pair with
 * the count suppressed (query-overlap control), and hides a margin's complement inside a table
 * (complementary suppression): the attacker gets no estimate at all, however many it tries.
 * Each attack is run by a fresh agency's analyst, since the overlap ledger is per agency.
 */
describe('differencing attacks on shared tables', () => {
  let hub: TestHub;
  let reporter: Agency;
  const big = uniqueCounty();
  const extras = Array.from({ length: 3 }, () => uniqueCounty());
  const targets = Array.from({ length: 10 }, () => uniqueCounty());
  const TRUTH = 4;

  beforeAll(async () => {
    hub = await startTestHub();
    reporter = await makeAgency(hub, AgencyKind.EMS);
    await seedCases(hub, { agencyId: reporter.id, county: big, occurredAt: DAY(0), count: 40 });
    for (const county of extras) {
      await seedCases(hub, { agencyId: reporter.id, county, occurredAt: DAY(0), count: 30 });
    }
    for (const county of targets) {
      // On day 5, all of them MALE (the others FEMALE): one date and one sex isolate them.
      await seedCases(hub, {
        agencyId: reporter.id,
        county,
        occurredAt: DAY(5),
        count: TRUTH,
        sex: 'MALE',
      });
    }
  }, 120_000);
  afterAll(() => hub.stop());

  /** An analyst of a new agency serving every county of the test (a fresh ledger). */
  const newAgency = () =>
    makeAgency(hub, AgencyKind.PUBLIC_HEALTH, { serviceCounties: [big, ...extras, ...targets] });
  const newAttacker = async (): Promise<Actor> =>
    makeUser(hub, Role.ANALYST, { agency: await newAgency() });

  type Ask = (
    groupBy: string[],
    filter: Record<string, unknown>,
  ) => Promise<Stats['overdoseStats']>;
  const asker =
    (attacker: Actor): Ask =>
    async (groupBy, filter) => {
      const response = await hub.gql<Stats>(
        OVERDOSE,
        { groupBy, filter: { agencyIds: [reporter.id], timeZone: 'UTC', ...filter } },
        attacker.token,
      );
      expect(response.errors).toBeUndefined();
      return response.data!.overdoseStats;
    };
  /** A published value, or null where the hub suppressed it (the attack cannot go on). */
  let published = 0;
  const value = (c: Cell): number | null => {
    expect(c.internal).toBe(false);
    if (!c.suppressed) published++;
    return c.value;
  };
  const minus = (a: number | null, ...b: Array<number | null>) =>
    a === null || b.some((x) => x === null) ? null : a - b.reduce<number>((s, x) => s + x!, 0);
  const total = async (ask: Ask, filter: Record<string, unknown>) =>
    value((await ask([], filter)).total.incidents);
  const mean = (xs: Array<number | null>): number | null => {
    const known = xs.filter((x): x is number => x !== null);
    return known.length ? known.reduce((s, x) => s + x, 0) / known.length : null;
  };

  /** Each attack gives the attacker's estimate of one target's count, or null for none. */
  const attacks: Record<string, (ask: Ask, t: string) => Promise<number | null>> = {
    'overlapping county sets': async (ask, t) =>
      minus(await total(ask, { counties: [big, t] }), await total(ask, { counties: [big] })),
    'overlapping county sets, the smaller asked first': async (ask, t) => {
      const without = await total(ask, { counties: [big] });
      return minus(await total(ask, { counties: [big, t] }), without);
    },
    'overlapping date ranges (one day more)': async (ask, t) =>
      minus(
        await total(ask, { counties: [big, t], fromDate: date(0), toDate: date(6) }),
        await total(ask, { counties: [big, t], fromDate: date(0), toDate: date(5) }),
      ),
    'a range shifted by a day': async (ask, t) =>
      minus(
        await total(ask, { counties: [big, t], fromDate: date(0), toDate: date(6) }),
        await total(ask, { counties: [big, t], fromDate: date(-1), toDate: date(5) }),
      ),
    'the complement: the jurisdiction minus every other county': async (ask, t) =>
      minus(
        await total(ask, {}),
        await total(ask, { counties: [big, ...extras, ...targets.filter((x) => x !== t)] }),
      ),
    'a dimension subset (total minus the other sex)': async (ask, t) => {
      const table = await ask(['SEX'], { counties: [big, t] });
      expect(table.rows.find((r) => r.group.sex === 'MALE')!.incidents.suppressed).toBe(true);
      const others = table.rows.filter((r) => r.group.sex !== 'MALE');
      return minus(value(table.total.incidents), ...others.map((r) => value(r.incidents)));
    },
    'sex margins of a two-way table (county × sex)': async (ask, t) => {
      const table = await ask(['COUNTY', 'SEX'], { counties: [big, t] });
      const tMargin = table.subtotals.find((r) => r.group.county === t)!;
      const otherSexes = table.subtotals.filter((r) => r.group.sex && r.group.sex !== 'MALE');
      const male = table.subtotals.find((r) => r.group.sex === 'MALE');
      // The target's county margin, else the MALE margin minus big's (none) MALE cell.
      return (
        value(tMargin.incidents) ??
        minus(value(table.total.incidents), ...otherSexes.map((r) => value(r.incidents))) ??
        (male ? value(male.incidents) : null)
      );
    },
    'margins versus totals of a two-way table': async (ask, t) => {
      const table = await ask(['COUNTY', 'DAY'], { counties: [big, t] });
      const bigMargin = table.subtotals.find((r) => r.group.county === big)!;
      return minus(value(table.total.incidents), value(bigMargin.incidents));
    },
    // 8 pairs a target, 160 filters in all: within the default budget of 200.
    'averaging 8 pairs of ranges with different starts': async (ask, t) => {
      const estimates: Array<number | null> = [];
      for (let start = 0; start > -8; start--) {
        estimates.push(
          minus(
            await total(ask, { counties: [big, t], fromDate: date(start), toDate: date(6) }),
            await total(ask, { counties: [big, t], fromDate: date(start), toDate: date(5) }),
          ),
        );
      }
      return mean(estimates);
    },
    'averaging pairs of county sets with different companions': async (ask, t) => {
      const companions = [[big], ...extras.map((x) => [x]), [big, extras[0]], [...extras]];
      const estimates: Array<number | null> = [];
      for (const set of companions) {
        estimates.push(
          minus(await total(ask, { counties: [...set, t] }), await total(ask, { counties: set })),
        );
      }
      return mean(estimates);
    },
  };

  it('suppresses every target cell', async () => {
    const table = await asker(await newAttacker())(['COUNTY'], {});
    for (const t of targets) {
      expect(table.rows.find((r) => r.group.county === t)!.incidents).toEqual({
        value: null,
        suppressed: true,
        internal: false,
      });
    }
  });

  it.each(Object.keys(attacks))(
    'recovers no target through %s',
    async (name) => {
      const ask = asker(await newAttacker());
      // The averaging attacks ask 16 and 12 filters a target: three targets are enough to show
      // them (every new filter is compared with each earlier overlapping one, which takes time).
      const attacked = name.startsWith('averaging') ? targets.slice(0, 3) : targets;
      published = 0;
      const estimates: Array<number | null> = [];
      for (const t of attacked) estimates.push(await attacks[name](ask, t));
      // Every attack ends on a suppressed number: not an estimate, not even a noisy one.
      expect(estimates).toEqual(attacked.map(() => null));
      // Not because nothing was answered: the attacker got numbers, just no usable pair.
      expect(published).toBeGreaterThan(0);
    },
    120_000,
  );

  it('recovers no target on the research endpoint, nor through the dashboard grid', async () => {
    const researcher = await makeResearcher(hub);
    const research = async (counties: string[]) => {
      const response = await researchGql<Stats>(
        hub,
        OVERDOSE,
        { groupBy: [], filter: { counties } },
        researcher.token,
      );
      expect(response.errors).toBeUndefined();
      return value(response.data!.overdoseStats.total.incidents);
    };
    const analyst = await newAttacker();
    const grid = async (counties: string[]) => {
      const response = await hub.gql<{ dashboardGrid: { total: { incidents: Cell } } }>(
        `query($filter: StatsFilter) { dashboardGrid(filter: $filter) { total { incidents ${COUNT} } } }`,
        { filter: { counties, agencyIds: [reporter.id] } },
        analyst.token,
      );
      expect(response.errors).toBeUndefined();
      return value(response.data!.dashboardGrid.total.incidents);
    };
    // The first question of the first pair is answered: it is the second that gives nothing.
    expect(await research([big, targets[0]])).not.toBeNull();
    expect(await grid([big, targets[0]])).not.toBeNull();
    for (const t of targets.slice(0, 3)) {
      expect(minus(await research([big, t]), await research([big]))).toBeNull();
      expect(minus(await grid([big, t]), await grid([big]))).toBeNull();
    }
  });

  it('recovers no target from two questions asked at the same moment', async () => {
    for (const t of targets.slice(0, 3)) {
      const ask = asker(await newAttacker());
      const [withTarget, without] = await Promise.all([
        total(ask, { counties: [big, t] }),
        total(ask, { counties: [big] }),
      ]);
      expect(minus(withTarget, without)).toBeNull();
    }
  });

  it('still answers questions that give nothing away: the first of a pair, and regions apart', async () => {
    const ask = asker(await newAttacker());
    expect(await total(ask, { counties: [big, targets[0]] })).not.toBeNull();
    // Disjoint from the first: no difference to take.
    expect(await total(ask, { counties: [extras[0], extras[1]] })).not.toBeNull();
    // Differs from the first by 4 + 30 records and from the second by 40 + 30: more than 10.
    expect(await total(ask, { counties: [big, extras[0]] })).not.toBeNull();
  });

  it('answers the same question asked twice with the same number (no averaging by repetition)', async () => {
    const ask = asker(await newAttacker());
    const first = await ask([], { counties: [big, targets[0]] });
    await ask([], { counties: [big] });
    const second = await ask(['COUNTY'], { counties: [targets[0], big] });
    expect(second.total.incidents).toEqual(first.total.incidents);
    expect(first.total.incidents.suppressed).toBe(false);
  });

  it('keeps one ledger per agency: two analysts of an agency cannot pool their answers; the suppression is audited', async () => {
    const agency = await newAgency();
    const first = await makeUser(hub, Role.ANALYST, { agency });
    const colleague = await makeUser(hub, Role.ANALYST, { agency });
    expect(await total(asker(first), { counties: [big, targets[1]] })).not.toBeNull();
    expect(await total(asker(colleague), { counties: [big] })).toBeNull();
    // The suppression is audited, for review of what looks like a differencing attack.
    const audit = await hub
      .em()
      .getConnection()
      .execute<Array<{ actor_user_id: string; details: { tier: string } }>>(
        `select actor_user_id, details from audit_event
          where action = 'Query.overdoseStats' and details->>'tier' = 'SHARED'
            and actor_user_id in (?, ?)`,
        [first.user.id, colleague.user.id],
      );
    expect(audit.map((a) => a.actor_user_id)).toEqual([colleague.user.id]);
  });
});

/** The budget bounds longer combinations of questions: a new filter past it is refused. */
describe('the budget of shared filters', () => {
  let hub: TestHub;
  afterAll(() => hub.stop());

  it('refuses a new filter past STATS_OVERLAP_MAX_REGIONS, naming filter, and still answers the old ones', async () => {
    hub = await startTestHub({ STATS_OVERLAP_MAX_REGIONS: '2' });
    const county = uniqueCounty();
    const health = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH, { serviceCounties: [county] });
    const analyst = await makeUser(hub, Role.ANALYST, { agency: health });
    const ask = (fromDate: string) =>
      hub.gql<Stats>(OVERDOSE, { groupBy: [], filter: { fromDate } }, analyst.token);
    expect((await ask('2025-01-01')).errors).toBeUndefined();
    expect((await ask('2025-02-01')).errors).toBeUndefined();
    const refused = await ask('2025-03-01');
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].message).toContain('filter');
    expect((await ask('2025-01-01')).errors).toBeUndefined();
  });
});
