import { parse } from 'csv-parse/sync';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { seedCases } from './support/stats-factory';

const QUERY = `query($filter: StatsFilter) { overdoseStats(groupBy: [COUNTY, MONTH], filter: $filter) {
  groupBy internal timeZone
  rows { group { county month } incidents { value suppressed internal } fatalShare { value suppressed unstable } }
  subtotals { group { county month } incidents { value suppressed internal } fatalShare { value suppressed unstable } }
  total { incidents { value suppressed internal } fatalShare { value suppressed unstable } } } }`;

describe('CSV export of statistics', () => {
  let hub: TestHub;
  let admin: Actor;
  let county: string;
  const exportCsv = (token: string | null, body: unknown, contentType = 'application/json') =>
    fetch(`${hub.url}/export.csv`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    hub = await startTestHub();
    county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    await seedCases(hub, {
      agencyId: ems.id,
      county,
      occurredAt: new Date('2026-02-10T15:00:00Z'),
      count: 3,
    });
    await seedCases(hub, {
      agencyId: ems.id,
      county,
      occurredAt: new Date('2026-03-10T15:00:00Z'),
      count: 12,
      fatal: true,
    });
    admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: ems });
  });
  afterAll(() => hub.stop());

  it('equals the GraphQL answer cell for cell', async () => {
    const variables = { filter: { counties: [county] } };
    const graphql = await hub.gql<{ overdoseStats: Record<string, unknown> }>(
      QUERY,
      variables,
      admin.token,
    );
    expect(graphql.errors).toBeUndefined();
    const response = await exportCsv(admin.token, { query: QUERY, variables });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toContain('overdoseStats.csv');
    const [header, ...lines] = parse(await response.text()) as string[][];
    const table = graphql.data!.overdoseStats as {
      groupBy: string[];
      internal: boolean;
      timeZone: string;
      rows: object[];
      subtotals: object[];
      total: object;
    };
    const expected = [
      ...table.rows.map((r) => ['row', r] as const),
      ...table.subtotals.map((r) => ['subtotal', r] as const),
      ['total', table.total] as const,
    ];
    expect(lines).toHaveLength(expected.length);
    const leaf = (obj: unknown, path: string): unknown =>
      path
        .split('.')
        .reduce<unknown>(
          (o, k) => (o == null ? undefined : (o as Record<string, unknown>)[k]),
          obj,
        );
    const text = (v: unknown) =>
      v === null || v === undefined ? '' : Array.isArray(v) ? v.join('|') : String(v);
    expected.forEach(([kind, row], i) => {
      const line = Object.fromEntries(header.map((h, j) => [h, lines[i][j]]));
      expect(line.kind).toBe(kind);
      expect(line.groupBy).toBe('COUNTY|MONTH');
      expect(line.internal).toBe('true');
      expect(line.timeZone).toBe(table.timeZone);
      for (const column of header.filter(
        (h) => !['kind', 'groupBy', 'internal', 'timeZone'].includes(h),
      )) {
        expect([column, line[column]]).toEqual([column, text(leaf(row, column))]);
      }
    });
    // Same audit as the GraphQL read: one INTERNAL row per read.
    const [audit] = await hub
      .em()
      .getConnection()
      .execute<Array<{ n: string }>>(
        `select count(*) as n from audit_event where actor_user_id = ? and action = 'Query.overdoseStats'`,
        [admin.user.id],
      );
    expect(Number(audit.n)).toBe(2);
  });

  it('refuses what /graphql refuses: no token, a role without statistics, a mutation, a form post', async () => {
    expect((await exportCsv(null, { query: QUERY })).status).toBe(401);
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const denied = await exportCsv(worker.token, { query: QUERY });
    expect(denied.status).toBe(403);
    expect(await denied.text()).not.toContain('incidents');
    const mutation = await exportCsv(admin.token, {
      query: 'mutation { setStatsCalendar(input: {}) { timeZone } }',
    });
    expect(mutation.status).toBe(400);
    const form = await exportCsv(admin.token, { query: QUERY }, 'text/plain');
    expect(form.status).toBe(415);
    const badInput = await exportCsv(admin.token, {
      query: QUERY,
      variables: { filter: { timeZone: 'Nowhere/Else' } },
    });
    expect(badInput.status).toBe(400);
    expect(await badInput.text()).toContain('filter.timeZone');
  });
});
