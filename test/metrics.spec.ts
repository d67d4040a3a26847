import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { makeAgency, makeUser, uniqueCounty } from './support/factories';
import { REPORT_MUTATION, reportInput } from './support/reports';
import { startTestHub, type TestHub } from './support/hub';

const TOKEN = 'metrics-token-0123456789abcdef';
let hub: TestHub;
const metricsUrl = (h: TestHub) => h.url.replace(/\/graphql$/, '/metrics');
const scrape = async () =>
  (await fetch(metricsUrl(hub), { headers: { authorization: `Bearer ${TOKEN}` } })).text();

beforeAll(async () => {
  hub = await startTestHub({ METRICS_TOKEN: TOKEN, FOLLOW_UP_TICK_SECONDS: '0' });
});
afterAll(async () => {
  await hub.stop();
});

describe('/metrics', () => {
  it('answers 401 without the bearer token', async () => {
    const res = await fetch(metricsUrl(hub));
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('hub_');
  });

  it('answers 401 with a wrong token', async () => {
    const res = await fetch(metricsUrl(hub), {
      headers: { authorization: 'Bearer wrong-token-xxxxxxxx' },
    });
    expect(res.status).toBe(401);
  });

  it('counts requests by operation type and root fields, never the client’s operation name', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    await hub.gql('query SecretClientName { me { role } }', {}, worker.token);
    await hub.gql('query { case(id: "' + randomUUID() + '") { id } }', {}, worker.token);
    const text = await scrape();
    expect(text).toMatch(/hub_graphql_requests_total\{operation="query me",outcome="ok"\} \d+/);
    expect(text).toMatch(
      /hub_graphql_requests_total\{operation="query case",outcome="NOT_FOUND"\} 1/,
    );
    expect(text).toMatch(
      /hub_graphql_request_duration_seconds_bucket\{le="0.005",operation="query me"/,
    );
    expect(text).not.toContain('SecretClientName');
  });

  it('counts reports received per agency from the incidentReported event', async () => {
    const county = uniqueCounty();
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const police = await makeUser(hub, Role.POLICE_OFFICER);
    await hub.gql(REPORT_MUTATION, { input: reportInput(county) }, police.token);
    await hub.gql(REPORT_MUTATION, { input: reportInput(county) }, police.token);
    expect(await scrape()).toContain(
      `hub_reports_received_total{agency_id="${police.agency.id}"} 2`,
    );
  });

  it('reports overdue cases, connected subscriptions, the pool and Node defaults', async () => {
    const text = await scrape();
    expect(text).toMatch(/^hub_cases_overdue \d+$/m);
    expect(text).toMatch(/^hub_subscriptions_connected 0$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    if (hub.config.database.kind === 'postgres') {
      expect(text).toMatch(/^hub_db_pool_connections\{state="used"\} \d+$/m);
    }
  });
});

describe('/metrics in production', () => {
  it('answers 404 without METRICS_TOKEN', async () => {
    const prod = await startTestHub({ NODE_ENV: 'production', FOLLOW_UP_TICK_SECONDS: '0' });
    try {
      const res = await fetch(metricsUrl(prod));
      expect(res.status).toBe(404);
    } finally {
      await prod.stop();
    }
  });

  it('is open outside production without a token, with hub-wide series only: nothing per agency', async () => {
    const dev = await startTestHub({ FOLLOW_UP_TICK_SECONDS: '0' });
    try {
      const county = uniqueCounty();
      await makeAgency(dev, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
      const police = await makeUser(dev, Role.POLICE_OFFICER);
      const sent = await dev.gql(REPORT_MUTATION, { input: reportInput(county) }, police.token);
      expect(sent.errors).toBeUndefined();
      const res = await fetch(metricsUrl(dev));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toMatch(/^hub_reports_stored_total 1$/m);
      expect(text).not.toContain('hub_reports_received_total');
      expect(text).not.toContain('agency_id');
      expect(text).not.toContain(police.agency.id);
    } finally {
      await dev.stop();
    }
  });
});
