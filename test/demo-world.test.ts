import { signUserToken } from '../src/auth/tokens';
import { Role } from '../src/common/role';
import { isEmpty, seedDemoData, type DemoUser } from '../src/seed/demo-data';
import { startTestHub, type TestHub } from './support/hub';

/**
 * The demo world on a fresh embedded database (the state `npm start` seeds on first start): about
 * 200 overdoses of the last 90 days in three counties, cases at every stage, and every statistics
 * query has something to show.
 */
describe('the demo world', () => {
  let hub: TestHub;
  let users: DemoUser[];
  const token = (role: Role) =>
    signUserToken(hub.config.auth, users.find((u) => u.role === role)!.userId);

  beforeAll(async () => {
    // Always a fresh in-memory database of its own, even when the suite runs on PostgreSQL.
    hub = await startTestHub({ DATABASE_URL: '' });
    expect(await isEmpty(hub.em())).toBe(true);
    users = await seedDemoData(hub.em());
  }, 120_000);
  afterAll(() => hub.stop());

  const sql = <T>(text: string) => hub.em().getConnection().execute<T[]>(text);

  it('holds about 200 overdoses over the last 90 days in three counties', async () => {
    const [row] = await sql<{ n: string; counties: string; oldest: Date; newest: Date }>(
      `select count(*) as n, count(distinct county) as counties, min(occurred_at) as oldest, max(occurred_at) as newest
         from overdose_incident`,
    );
    expect(Number(row.n)).toBeGreaterThanOrEqual(180);
    expect(Number(row.n)).toBeLessThanOrEqual(220);
    expect(Number(row.counties)).toBe(3);
    expect(Date.now() - new Date(row.oldest).getTime()).toBeLessThanOrEqual(91 * 86_400_000);
    expect(new Date(row.newest).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('has cases at every stage, attempts, consents, a LEAD referral and outcomes', async () => {
    const statuses = (
      await sql<{ status: string }>('select distinct status::text as status from overdose_case')
    ).map((r) => r.status);
    expect(statuses).toEqual(
      expect.arrayContaining([
        'REFERRED',
        'ASSIGNED',
        'OUTREACH',
        'ON_HOLD',
        'ENGAGED',
        'LINKED',
        'FOLLOW_UP',
        'CLOSED',
      ]),
    );
    const [counts] = await sql<Record<string, string>>(
      `select (select count(*) from outreach_attempt) as attempts, (select count(*) from consent) as consents,
              (select count(*) from lead_referral) as leads, (select count(*) from outcome) as outcomes,
              (select count(*) from stats_record_key) as keys, (select count(*) from overdose_incident) as incidents`,
    );
    expect(Number(counts.attempts)).toBeGreaterThan(50);
    expect(Number(counts.consents)).toBeGreaterThan(10);
    expect(Number(counts.leads)).toBe(1);
    expect(Number(counts.outcomes)).toBeGreaterThan(10);
    expect(counts.keys).toBe(counts.incidents);
  });

  it('gives the dashboard roles numbers to show: the admin exact, the analyst shared, rates by county', async () => {
    const admin = await hub.gql<{
      followUpStats: { internal: boolean; total: { cases: { value: number } } };
    }>(
      '{ followUpStats(groupBy: [MONTH]) { internal total { cases { value } } } }',
      {},
      await token(Role.AGENCY_ADMIN),
    );
    expect(admin.errors).toBeUndefined();
    expect(admin.data!.followUpStats.internal).toBe(true);
    expect(admin.data!.followUpStats.total.cases.value).toBeGreaterThan(100);
    const analyst = await hub.gql<{
      overdoseStats: {
        rows: Array<{ group: { countyName: string }; ratePer100k: { value: number | null } }>;
      };
    }>(
      '{ overdoseStats(groupBy: [COUNTY]) { rows { group { countyName } ratePer100k { value } } } }',
      {},
      await token(Role.ANALYST),
    );
    expect(analyst.errors).toBeUndefined();
    const buncombe = analyst.data!.overdoseStats.rows.find(
      (r) => r.group.countyName === 'Buncombe County',
    )!;
    expect(buncombe.ratePer100k.value).toBeGreaterThan(0);
    const worker = await hub.gql<{ cases: { totalCount: number } }>(
      '{ cases(first: 1) { totalCount } }',
      {},
      await token(Role.OUTREACH_WORKER),
    );
    expect(worker.errors).toBeUndefined();
    expect(worker.data!.cases.totalCount).toBeGreaterThan(100);
  });
});
