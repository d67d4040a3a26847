import { parse } from 'csv-parse/sync';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { EXTRACT_QUERY, makeResearcher } from './support/research';
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

/**
 * Every statistics query of /graphql and /research/graphql, through its CSV download: the same
 * answer as GraphQL, line for line and cell for cell. The expected lines are built here from the
 * GraphQL answer by the documented rule (one line per row of each list, one per object, the
 * answer's scalars on every line), independently of the route's own flattening.
 */
describe('CSV export of every statistics query', () => {
  let hub: TestHub;
  let ems: Agency;
  let county: string;
  const actors: Record<string, Actor> = {};
  const COUNT = '{ value suppressed internal }';
  const RATE = '{ value suppressed unstable }';
  const year = new Date().getUTCFullYear();
  const recent = new Date(Date.UTC(year, new Date().getUTCMonth(), 1, 15) - 40 * 86_400_000);

  beforeAll(async () => {
    hub = await startTestHub();
    county = uniqueCounty();
    ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    await seedCases(hub, {
      agencyId: ems.id,
      county,
      occurredAt: recent,
      count: 14,
      contacted: 12,
      workerId: worker.user.id,
    });
    await seedCases(hub, {
      agencyId: ems.id,
      county,
      occurredAt: new Date(recent.getTime() - 35 * 86_400_000),
      count: 25,
      fatal: true,
      doses: 2,
    });
    const health = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH, { serviceCounties: [county] });
    actors.admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: ems });
    actors.analyst = await makeUser(hub, Role.ANALYST, { agency: health });
    actors.provider = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    actors.researcher = await makeResearcher(hub);
  }, 60_000);
  afterAll(() => hub.stop());

  const filter = () => ({ counties: [county], agencyIds: [ems.id] });
  const cases: Array<{
    name: string;
    actor: string;
    path: 'main' | 'research';
    query: string;
    variables: () => Record<string, unknown>;
    rekeyed?: string[];
  }> = [
    {
      name: 'overdoseStats (shared, analyst)',
      actor: 'analyst',
      path: 'main',
      query: `query($filter: StatsFilter) { overdoseStats(groupBy: [MONTH, OUTCOME], filter: $filter) {
        groupBy internal timeZone
        rows { group { month outcome } incidents ${COUNT} fatalShare ${RATE} naloxoneDoses ${COUNT}
               ratePer100k ${RATE} reportingLag { medianHours p90Hours } }
        subtotals { group { month outcome } incidents ${COUNT} naloxoneDoses ${COUNT} }
        total { incidents ${COUNT} reportingLag { medianHours } } } }`,
      variables: () => ({ filter: filter() }),
    },
    {
      name: 'followUpStats (internal, agency admin)',
      actor: 'admin',
      path: 'main',
      query: `query($filter: StatsFilter) { followUpStats(groupBy: [MONTH], filter: $filter) {
        groupBy internal timeZone
        rows { group { month } cases ${COUNT} routed ${COUNT} attemptedWithin72hOfRouted ${RATE}
               contactedBefore24h ${COUNT} earlyContactCaution completeness ${RATE}
               timeToFirstAttempt { medianHours p90Hours within24h ${RATE} within72h ${RATE} suppressed }
               reportingLag { medianHours p90Hours } }
        subtotals { group { month } cases ${COUNT} }
        total { cases ${COUNT} contactRate ${RATE} timeToFirstContact { medianHours suppressed } } } }`,
      variables: () => ({ filter: filter() }),
    },
    {
      name: 'outcomeStats (shared, analyst)',
      actor: 'analyst',
      path: 'main',
      query: `query($filter: StatsFilter) { outcomeStats(groupBy: [OFFICER_PRESENCE], filter: $filter) {
        groupBy internal timeZone
        rows { group { officerPresence } cases ${COUNT} contacted ${COUNT} contactRate ${RATE}
               repeatWithin90Days ${COUNT} leadEnrolled ${COUNT} }
        subtotals { group { officerPresence } cases ${COUNT} }
        total { cases ${COUNT} treatmentRate ${RATE} } } }`,
      variables: () => ({ filter: filter() }),
    },
    {
      name: 'dashboardGrid (internal, agency admin)',
      actor: 'admin',
      path: 'main',
      query: `query($filter: StatsFilter) { dashboardGrid(filter: $filter) {
        groupBy internal timeZone
        rows { group { month county countyName } incidents ${COUNT} fatal ${COUNT}
               naloxoneDoses ${COUNT} contacted ${COUNT} ratePer100k ${RATE} }
        subtotals { group { month county } incidents ${COUNT} }
        total { incidents ${COUNT} contacted ${COUNT} } } }`,
      variables: () => ({ filter: filter() }),
    },
    {
      name: 'myReferralFeedback (EMS provider)',
      actor: 'provider',
      path: 'main',
      query: `query($year: Int!) { myReferralFeedback(year: $year) {
        year months { month reported ${COUNT} reached ${COUNT} engaged ${COUNT} }
        total { reported ${COUNT} reached ${COUNT} engaged ${COUNT} } } }`,
      variables: () => ({ year: recent.getUTCFullYear() }),
    },
    {
      name: 'overdoseStats on the research endpoint (researcher)',
      actor: 'researcher',
      path: 'research',
      query: `query($filter: StatsFilter) { overdoseStats(groupBy: [MONTH, COUNTY], filter: $filter) {
        groupBy internal timeZone
        rows { group { month county countyName } incidents ${COUNT} fatal ${COUNT} }
        subtotals { group { month county } incidents ${COUNT} }
        total { incidents ${COUNT} } } }`,
      variables: () => ({ filter: { counties: [county] } }),
    },
    {
      name: 'researchExtract (researcher)',
      actor: 'researcher',
      path: 'research',
      query: EXTRACT_QUERY,
      // Every extract is a new one with its own person keys (re-keyed per extract, by design).
      rekeyed: ['extractId', 'personKey'],
      variables: () => {
        const month = (d: Date) => d.toISOString().slice(0, 7);
        return {
          filter: {
            fromMonth: month(new Date(recent.getTime() - 35 * 86_400_000)),
            toMonth: month(recent),
            counties: [county],
          },
        };
      },
    },
  ];

  type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
  const KIND: Record<string, string> = { rows: 'row', subtotals: 'subtotal', months: 'month' };
  const leaf = (obj: Json, path: string): Json | undefined =>
    path
      .split('.')
      .reduce<Json | undefined>(
        (o, k) => (o !== null && typeof o === 'object' && !Array.isArray(o) ? o[k] : undefined),
        obj,
      );
  const text = (v: Json | undefined) =>
    v === null || v === undefined ? '' : Array.isArray(v) ? v.join('|') : String(v);

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s equals the GraphQL answer cell for cell',
    async (_, c) => {
      const token = actors[c.actor].token;
      const endpoint = c.path === 'research' ? hub.server.researchUrl : hub.url;
      const body = { query: c.query, variables: c.variables() };
      const graphql = (await (
        await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        })
      ).json()) as { data?: Record<string, { [key: string]: Json }>; errors?: unknown[] };
      expect(graphql.errors).toBeUndefined();
      const [name, table] = Object.entries(graphql.data!)[0];
      const response = await fetch(`${endpoint}/export.csv`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toContain(`${name}.csv`);
      const [header, ...lines] = parse(await response.text()) as string[][];
      const expected: Array<[string, Json]> = [];
      const scalars: Record<string, Json> = {};
      for (const [key, value] of Object.entries(table)) {
        if (Array.isArray(value) && value.every((v) => v !== null && typeof v === 'object')) {
          for (const row of value) expected.push([KIND[key] ?? key, row]);
        } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          expected.push([key, value]);
        } else scalars[key] = value;
      }
      expect(lines).toHaveLength(expected.length);
      expect(expected.length).toBeGreaterThan(1);
      // Every cell equals its leaf of the answer (a new extract's keys and row order excepted).
      const columns = header.filter((h) => !c.rekeyed?.includes(h));
      const want = expected.map(([kind, row]) =>
        columns.map((column) =>
          column === 'kind' ? kind : text(column in scalars ? scalars[column] : leaf(row, column)),
        ),
      );
      const got = lines.map((line) => columns.map((column) => line[header.indexOf(column)]));
      const ordered = (m: string[][]) =>
        c.rekeyed ? m.map((r) => JSON.stringify(r)).sort() : m.map((r) => JSON.stringify(r));
      expect(ordered(got)).toEqual(ordered(want));
      for (const column of c.rekeyed ?? []) {
        for (const line of lines) expect(line[header.indexOf(column)]).toMatch(/^[0-9a-f-]{8,}$/);
      }
      const leaves = (value: Json, prefix: string): string[] =>
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k))
          : [prefix];
      for (const [, row] of expected) for (const l of leaves(row, '')) expect(header).toContain(l);
      // The numbers are really there: some published value, not only blanks.
      expect(lines.flat().some((cell) => /^\d+(\.\d+)?$/.test(cell) && Number(cell) > 0)).toBe(
        true,
      );
    },
  );
});
