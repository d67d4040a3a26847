import { Writable } from 'node:stream';
import pino from 'pino';
import { ALL_ROLES, Role } from '../src/common/role';
import { loadConfig, type ReadyConfig } from '../src/config';
import { createServer, type HubServer } from '../src/server';
import { makeUser, uniqueCounty, type Actor } from './support/factories';
import {
  errorCodes,
  migratedCopy,
  postGraphQL,
  startTestHub,
  TEST_SECRETS,
  type TestHub,
} from './support/hub';
import { EXTRACT_QUERY, makeResearcher, researchGql } from './support/research';

const year = new Date().getUTCFullYear() - 1;
const filter = (county = uniqueCounty()) => ({
  fromMonth: `${year}-01`,
  toMonth: `${year}-02`,
  counties: [county],
});
const SHORT_EXTRACT = `query($filter: ResearchExtractFilter!) {
  researchExtract(filter: $filter) { k rowCount rows { personKey } } }`;
const OTHER_ROLES = ALL_ROLES.filter((role) => role !== Role.RESEARCHER);

describe('/research/graphql: who may use it', () => {
  let hub: TestHub;
  let researcher: Actor;
  beforeAll(async () => {
    hub = await startTestHub();
    researcher = await makeResearcher(hub);
  });
  afterAll(() => hub.stop());

  it('answers a researcher’s extract', async () => {
    const response = await researchGql(hub, SHORT_EXTRACT, { filter: filter() }, researcher.token);
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ researchExtract: { k: 11, rowCount: 0, rows: [] } });
  });

  it.each(OTHER_ROLES)('refuses %s with FORBIDDEN and no data', async (role) => {
    const actor = await makeUser(hub, role);
    const response = await researchGql(hub, SHORT_EXTRACT, { filter: filter() }, actor.token);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.errors?.[0].path).toEqual(['researchExtract']);
    expect(response.data).toEqual({ researchExtract: null });
  });

  const STATS = `query($groupBy: [StatsDimension!]!, $filter: StatsFilter) {
    overdoseStats(groupBy: $groupBy, filter: $filter) { groupBy total { incidents { value suppressed } } } }`;
  const statsFilter = { fromDate: `${year}-01-01`, toDate: `${year}-03-01` };

  it('answers a researcher’s aggregates by month', async () => {
    const response = await researchGql(
      hub,
      STATS,
      { groupBy: ['MONTH'], filter: statsFilter },
      researcher.token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toMatchObject({ overdoseStats: { groupBy: ['MONTH'] } });
  });

  it('refuses a researcher’s aggregates by week, naming groupBy', async () => {
    const response = await researchGql(
      hub,
      STATS,
      { groupBy: ['WEEK'], filter: statsFilter },
      researcher.token,
    );
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(response.errors)).toContain('groupBy');
  });

  it('refuses an analyst’s aggregates here (they have /graphql)', async () => {
    const analyst = await makeUser(hub, Role.ANALYST);
    const response = await researchGql(
      hub,
      STATS,
      { groupBy: ['MONTH'], filter: statsFilter },
      analyst.token,
    );
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.data).toEqual({ overdoseStats: null });
  });

  it('refuses a request without credentials with UNAUTHENTICATED (401)', async () => {
    const response = await researchGql(hub, SHORT_EXTRACT, { filter: filter() });
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('has no Person, Case or OverdoseIncident type to ask for', async () => {
    const response = await researchGql<Record<string, { name: string } | null>>(
      hub,
      `{ person: __type(name: "Person") { name } kase: __type(name: "Case") { name }
         incident: __type(name: "OverdoseIncident") { name } row: __type(name: "ResearchExtractRow") { name } }`,
      undefined,
      researcher.token,
    );
    expect(response.data).toEqual({
      person: null,
      kase: null,
      incident: null,
      row: { name: 'ResearchExtractRow' },
    });
  });

  it('rejects a case query as unknown to the schema, whoever asks', async () => {
    const response = await researchGql(
      hub,
      '{ cases { totalCount } }',
      undefined,
      researcher.token,
    );
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('applies the hub’s query limits (aliases)', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ');
    const response = await researchGql(hub, `{ ${aliases} }`, undefined, researcher.token);
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
  });
});

describe('/graphql for a researcher', () => {
  let hub: TestHub;
  let researcher: Actor;
  beforeAll(async () => {
    hub = await startTestHub();
    researcher = await makeResearcher(hub);
  });
  afterAll(() => hub.stop());

  it('answers `me`', async () => {
    const response = await hub.gql('{ me { role } }', undefined, researcher.token);
    expect(response.data).toEqual({ me: { role: 'RESEARCHER' } });
  });

  it.each([
    ['cases', '{ cases { totalCount } }'],
    ['incident', '{ incident(id: "0193a0c4-7a5e-7000-8000-000000000001") { id } }'],
    ['myReferralFeedback', `{ myReferralFeedback(year: ${year}) { year } }`],
    ['agencies', '{ agencies { id } }'],
  ])('refuses %s with FORBIDDEN', async (field, query) => {
    const response = await hub.gql(query, undefined, researcher.token);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.data).toEqual({ [field]: null });
  });

  it('has no researchExtract: the extract lives on /research/graphql only', async () => {
    const response = await hub.gql(SHORT_EXTRACT, { filter: filter() }, researcher.token);
    expect(response.status).toBe(400);
    expect(new Set(errorCodes(response))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
  });
});

describe('researchExtract: bad input', () => {
  let hub: TestHub;
  let researcher: Actor;
  beforeAll(async () => {
    hub = await startTestHub();
    researcher = await makeResearcher(hub);
  });
  afterAll(() => hub.stop());

  const fieldsOf = (response: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
    (response.errors?.[0].extensions?.fields as Array<{ field: string }> | undefined)?.map(
      (f) => f.field,
    );

  it('names toMonth when the range ends before it starts', async () => {
    const response = await researchGql(
      hub,
      SHORT_EXTRACT,
      { filter: { fromMonth: `${year}-05`, toMonth: `${year}-04` } },
      researcher.token,
    );
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(fieldsOf(response)).toEqual(['filter.toMonth']);
  });

  it('names each malformed month and county, without echoing them', async () => {
    const response = await researchGql(
      hub,
      SHORT_EXTRACT,
      { filter: { fromMonth: '2024-13', toMonth: 'soon', counties: ['37001', 'Buncombe'] } },
      researcher.token,
    );
    expect(fieldsOf(response)).toEqual(['filter.fromMonth', 'filter.toMonth', 'filter.counties.1']);
    expect(response.errors?.[0].message).not.toMatch(/Buncombe|soon/);
  });
});

describe('research audit', () => {
  let server: HubServer;
  let config: ReadyConfig;
  const lines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    config = loadConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      EMBEDDED_DB: 'memory',
      ...TEST_SECRETS,
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    }) as ReadyConfig;
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    server = await createServer(config, pino({ level: 'info' }, sink), {
      database: await migratedCopy(config),
    });
  });
  afterAll(() => server.stop());

  const auditLines = (requestId: string) =>
    lines.filter((l) => l.audit === 'research' && l.requestId === requestId);

  it('records an extract: who, what shape of filter, how many rows, and no person key', async () => {
    const hub = { server, config, em: () => server.orm.em.fork() } as unknown as TestHub;
    const researcher = await makeResearcher(hub);
    const response = await postGraphQL<{ researchExtract: { rows: unknown[] } }>(
      server.researchUrl,
      EXTRACT_QUERY,
      { filter: filter('37021') },
      researcher.token,
    );
    const requestId = response.headers.get('x-request-id')!;
    const [line] = auditLines(requestId);
    expect(line).toMatchObject({
      action: 'research.extract',
      channel: 'graphql',
      outcome: 'ok',
      fields: ['researchExtract'],
      actor: { kind: 'USER', userId: researcher.user.id, role: 'RESEARCHER' },
      filter: { fromMonth: `${year}-01`, toMonth: `${year}-02`, months: 2, countyCount: 1 },
      rowCount: response.data!.researchExtract.rows.length,
    });
    expect(JSON.stringify(line)).not.toMatch(/personKey|37021/);

    const rows = await server.orm.em
      .fork()
      .getConnection()
      .execute<Array<Record<string, unknown>>>(
        `select action, outcome, actor_user_id, purpose, details from audit_event where request_id = ?`,
        [requestId],
      );
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'research.extract',
        outcome: 'ALLOWED',
        actor_user_id: researcher.user.id,
        purpose: 'RESEARCH',
      }),
    ]);
    expect(JSON.stringify(rows)).not.toMatch(/personKey|37021/);
  });

  it('records a refused request with its code', async () => {
    const hub = { server, config, em: () => server.orm.em.fork() } as unknown as TestHub;
    const analyst = await makeUser(hub, Role.ANALYST);
    const response = await postGraphQL(
      server.researchUrl,
      SHORT_EXTRACT,
      { filter: filter() },
      analyst.token,
    );
    const [line] = auditLines(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({
      action: 'research.query',
      outcome: 'FORBIDDEN',
      fields: ['researchExtract'],
    });
  });
});
