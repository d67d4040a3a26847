import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { PART2_NOTICE } from '../src/modules/part2/part2-notice';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import {
  connectLive,
  disposeAll,
  listening,
  subscribe,
  waitFor,
  type LiveClient,
} from './support/live';
import { REPORT_MUTATION, reportInput } from './support/reports';
import { startTestHub, type TestHub } from './support/hub';

const CASE_ROUTED = `subscription { caseRouted { id status county routedAgency { id } person { id } } }`;

let hub: TestHub;
const clients: LiveClient[] = [];
const live = (credential?: string) => {
  const client = connectLive(hub, credential);
  clients.push(client);
  return client;
};

beforeAll(async () => {
  // Timers off: these tests raise their events themselves.
  hub = await startTestHub({ FOLLOW_UP_TICK_SECONDS: '0', SPIKE_CHECK_SECONDS: '0' });
});
afterEach(async () => {
  await disposeAll(hub, clients);
});
afterAll(async () => {
  await hub.stop();
});

/** A harm-reduction agency serving its own county, with a worker and an admin. */
async function outreachAgency() {
  const county = uniqueCounty();
  const agency = await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
  const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency });
  const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency });
  return { county, agency, worker, admin };
}

async function report(reporter: Actor, county: string): Promise<string> {
  const res = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
    REPORT_MUTATION,
    { input: reportInput(county) },
    reporter.token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.reportIncident.incident.id;
}

const caseIds = (client: LiveClient) =>
  client.received.map((r) => (r.data?.caseRouted as { id: string } | undefined)?.id);

describe('caseRouted', () => {
  it('delivers a case routed to the worker’s agency, and never another agency’s', async () => {
    const mine = await outreachAgency();
    const other = await outreachAgency();
    const police = await makeUser(hub, Role.POLICE_OFFICER);
    const a = live(mine.worker.token);
    const b = live(other.worker.token);
    subscribe(a, CASE_ROUTED);
    subscribe(b, CASE_ROUTED);
    await listening(hub, 2);

    await report(police, mine.county);
    await waitFor(() => a.received.length === 1);
    // The other agency's own case arrives, so its subscription works and had its chance.
    await report(police, other.county);
    await waitFor(() => b.received.length === 1);
    await waitFor(() => a.received.length >= 1);

    const got = a.received[0].data!.caseRouted as Record<string, unknown>;
    expect(got).toMatchObject({
      status: 'REFERRED',
      county: mine.county,
      routedAgency: { id: mine.agency.id },
    });
    expect((b.received[0].data!.caseRouted as { county: string }).county).toBe(other.county);
    expect(caseIds(b)).not.toContain(got.id);
    expect(a.received).toHaveLength(1);
  });

  it('carries the 42 CFR §2.32 notice in a message with a Part 2 record, and only then', async () => {
    const mine = await outreachAgency();
    const part2Ems = await makeAgency(hub, AgencyKind.EMS, { part2Program: true });
    const ems = await makeAgency(hub, AgencyKind.EMS);
    const a = live(mine.worker.token);
    subscribe(a, `subscription { caseRouted { id part2Protected } }`);
    await listening(hub, 1);

    await report(await makeUser(hub, Role.EMS_PROVIDER, { agency: part2Ems }), mine.county);
    await waitFor(() => a.received.length === 1);
    await report(await makeUser(hub, Role.EMS_PROVIDER, { agency: ems }), mine.county);
    await waitFor(() => a.received.length === 2);
    const [labelled, plain] = a.received as Array<{
      data?: { caseRouted: { part2Protected: boolean } };
      extensions?: Record<string, unknown>;
    }>;
    expect(labelled.data!.caseRouted.part2Protected).toBe(true);
    expect(labelled.extensions?.part2Notice).toBe(PART2_NOTICE);
    expect(plain.data!.caseRouted.part2Protected).toBe(false);
    expect(plain.extensions?.part2Notice).toBeUndefined();
  });

  it('resolves the case through its field rules: sealed identity is null with FORBIDDEN', async () => {
    const mine = await outreachAgency();
    const police = await makeUser(hub, Role.POLICE_OFFICER);
    const admin = live(mine.admin.token);
    subscribe(admin, CASE_ROUTED);
    await listening(hub, 1);

    await report(police, mine.county);
    await waitFor(() => admin.received.length === 1);
    const [event] = admin.received;
    expect((event.data!.caseRouted as { person: unknown }).person).toBeNull();
    expect(event.errors).toEqual([
      expect.objectContaining({
        path: ['caseRouted', 'person'],
        extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
      }),
    ]);
  });

  it('refuses a role that never receives routed cases', async () => {
    const police = await makeUser(hub, Role.POLICE_OFFICER);
    const client = live(police.token);
    subscribe(client, CASE_ROUTED);
    await waitFor(() => client.received.length === 1);
    expect(client.received[0].errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);
  });
});

describe('document limits', () => {
  it('refuses a subscription over the alias limit, as over HTTP', async () => {
    const { worker } = await outreachAgency();
    const client = live(worker.token);
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: id`).join(' ');
    subscribe(client, `subscription { caseRouted { ${aliases} } }`);
    await waitFor(() => client.received.length === 1);
    const [errors] = client.received[0].errors as unknown[][];
    // Without the HTTP limits on the socket no error would come (and waitFor would time out).
    expect(errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
  });
});

describe('connection', () => {
  it('refuses a connection without credentials', async () => {
    const client = live();
    subscribe(client, CASE_ROUTED);
    expect(await client.closed).toBe(4403);
  });

  it('refuses a connection with an invalid token', async () => {
    const client = live('not-a-valid-token');
    subscribe(client, CASE_ROUTED);
    expect(await client.closed).toBe(4403);
  });

  it('counts connections against the caller’s rate limit: over it the socket closes with 4429', async () => {
    const own = await startTestHub({
      RATE_LIMIT_POINTS: '2',
      FOLLOW_UP_TICK_SECONDS: '0',
      SPIKE_CHECK_SECONDS: '0',
    });
    const opened: LiveClient[] = [];
    try {
      const agency = await makeAgency(own, AgencyKind.HARM_REDUCTION);
      const worker = await makeUser(own, Role.OUTREACH_WORKER, { agency });
      for (let i = 0; i < 2; i++) {
        const ok = connectLive(own, worker.token);
        opened.push(ok);
        subscribe(ok, CASE_ROUTED);
      }
      await listening(own, 2);
      const third = connectLive(own, worker.token);
      opened.push(third);
      subscribe(third, CASE_ROUTED);
      expect(await third.closed).toBe(4429);
    } finally {
      await Promise.all(opened.map((c) => c.dispose()));
      await own.stop();
    }
  });

  it('closes the sockets when the hub stops', async () => {
    const own = await startTestHub({
      FOLLOW_UP_TICK_SECONDS: '0',
      SPIKE_CHECK_SECONDS: '0',
    });
    const { worker } = await (async () => {
      const agency = await makeAgency(own, AgencyKind.HARM_REDUCTION);
      return { worker: await makeUser(own, Role.OUTREACH_WORKER, { agency }) };
    })();
    const client = connectLive(own, worker.token);
    subscribe(client, CASE_ROUTED);
    await listening(own, 1);
    await own.stop();
    expect(await client.closed).toBe(1001);
    await client.dispose();
  });
});
