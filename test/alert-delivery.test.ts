import { createECDH, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import webpush from 'web-push';
import { Role } from '../src/common/role';
import { loadConfig } from '../src/config';
import { withDevSecrets } from '../src/dev-secrets';
import { createLogger } from '../src/logger';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { webhookSignature } from '../src/modules/spike/alert-senders';
import {
  ADD_CONTACT,
  DELIVERIES,
  SET_SETTINGS,
  startMailServer,
  startReceiver,
  uniqueEmail,
  type Delivery,
  type MailServer,
  type Receiver,
} from './support/alerts';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { errorCodes, startTestHub, TEST_SECRETS, type TestHub } from './support/hub';
import { waitFor } from './support/live';
import { REPORT_MUTATION, reportInput } from './support/reports';

/** Counties whose configured threshold is one overdose: one report raises an alert. */
const COUNTIES = Array.from({ length: 8 }, () => uniqueCounty());
const BASE_ENV = {
  FOLLOW_UP_TICK_SECONDS: '0',
  SPIKE_CHECK_SECONDS: '0',
  SPIKE_THRESHOLDS: COUNTIES.map((c) => `${c}:1`).join(','),
};

let hub: TestHub;
let mail: MailServer;
let receiver: Receiver;
let police: Actor;
let countyIndex = 0;

beforeAll(async () => {
  mail = await startMailServer();
  receiver = await startReceiver();
  const vapid = webpush.generateVAPIDKeys();
  hub = await startTestHub({
    ...BASE_ENV,
    SMTP_URL: mail.url,
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
  });
  police = await makeUser(hub, Role.POLICE_OFFICER);
});
afterAll(async () => {
  await hub.stop();
  await Promise.all([mail.close(), receiver.close()]);
});

/** A public-health analyst of a county of its own (configured threshold 1). */
async function healthAnalyst(on: TestHub = hub): Promise<{ analyst: Actor; county: string }> {
  const county = COUNTIES[countyIndex++];
  const agency = await makeAgency(on, AgencyKind.PUBLIC_HEALTH, { serviceCounties: [county] });
  return { analyst: await makeUser(on, Role.ANALYST, { agency }), county };
}

async function addContact(actor: Actor, input: Record<string, unknown>, on: TestHub = hub) {
  const res = await on.gql<{
    addAlertContact: { contact: { id: string; target: string }; webhookSecret: string | null };
  }>(ADD_CONTACT, { input }, actor.token);
  expect(res.errors).toBeUndefined();
  return res.data!.addAlertContact;
}

async function deliveries(actor: Actor, on: TestHub = hub): Promise<Delivery[]> {
  const res = await on.gql<{ alertDeliveries: Delivery[] }>(DELIVERIES, {}, actor.token);
  expect(res.errors).toBeUndefined();
  return res.data!.alertDeliveries;
}

async function raiseSpike(county: string, on: TestHub = hub, reporter: Actor = police) {
  const input = reportInput(county);
  const res = await on.gql(REPORT_MUTATION, { input }, reporter.token);
  expect(res.errors).toBeUndefined();
  return input;
}

describe('email', () => {
  it('reaches the SMTP server, with no identity and no count under the threshold', async () => {
    const { analyst, county } = await healthAnalyst();
    const to = uniqueEmail();
    await addContact(analyst, { channel: 'EMAIL', label: 'Duty epidemiologist', email: to });
    const report = await raiseSpike(county);

    await waitFor(() => mail.mails.some((m) => m.to.includes(to)), 10_000);
    // Quoted-printable: soft line breaks joined again.
    const message = mail.mails.find((m) => m.to.includes(to))!.data.replace(/=\r?\n/g, '');
    expect(message).toContain('Subject: Overdose spike alert');
    expect(message).toContain(county);
    expect(message).toContain('the exact count is withheld');
    const survivor = report.survivor as { firstName: string; lastName: string; phone: string };
    for (const identity of [survivor.firstName, survivor.lastName, survivor.phone, '12 Elm St']) {
      expect(message).not.toContain(identity);
    }
    await waitFor(async () => (await deliveries(analyst))[0]?.status === 'SENT');
    expect((await deliveries(analyst))[0]).toMatchObject({ channel: 'EMAIL', attempts: 1 });
  });

  it('stays visible as RETRYING while the SMTP server refuses, then is sent', async () => {
    const { analyst, county } = await healthAnalyst();
    const to = uniqueEmail();
    await addContact(analyst, { channel: 'EMAIL', label: 'Refused at first', email: to });
    mail.refuse = true;
    try {
      await raiseSpike(county);
      await waitFor(async () => (await deliveries(analyst))[0]?.status === 'RETRYING', 10_000);
      const [failed] = await deliveries(analyst);
      expect(failed.lastError).toBe('SMTP server refused the message (550)');
      expect(failed.attempts).toBeGreaterThanOrEqual(1);
      expect(failed.nextAttemptAt).not.toBeNull();
    } finally {
      mail.refuse = false;
    }
    await waitFor(async () => (await deliveries(analyst))[0]?.status === 'SENT', 15_000);
    expect(mail.mails.filter((m) => m.to.includes(to))).toHaveLength(1);
  });
});

describe('webhooks', () => {
  it('are signed: HMAC-SHA256 over timestamp and body verifies with the secret', async () => {
    const { analyst, county } = await healthAnalyst();
    const path = `/hook-${county}`;
    const { webhookSecret } = await addContact(analyst, {
      channel: 'WEBHOOK',
      label: 'Dashboard',
      url: `${receiver.url}${path}`,
    });
    expect(webhookSecret).toMatch(/^whsec_/);
    await raiseSpike(county);

    await waitFor(() => receiver.received.some((r) => r.path === path), 10_000);
    const request = receiver.received.find((r) => r.path === path)!;
    const timestamp = String(request.headers['x-hub-timestamp']);
    const body = request.body.toString('utf8');
    expect(request.headers['x-hub-signature']).toBe(
      webhookSignature(webhookSecret!, timestamp, body),
    );
    expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(300);
    expect(request.headers['x-hub-signature']).not.toBe(
      webhookSignature('another-secret', timestamp, body),
    );
    const payload = JSON.parse(body) as { deliveryId: string; alert: Record<string, unknown> };
    expect(payload.alert).toMatchObject({
      county,
      count: null,
      countSuppressed: true,
      threshold: 1,
    });
    expect(request.headers['x-hub-delivery']).toBe(payload.deliveryId);
  });

  it('must be https outside development', async () => {
    const prod = await startTestHub({ ...BASE_ENV, NODE_ENV: 'production' });
    try {
      const { analyst } = await healthAnalyst(prod);
      const res = await prod.gql(
        ADD_CONTACT,
        { input: { channel: 'WEBHOOK', label: 'Plain', url: 'http://hooks.example/alerts' } },
        analyst.token,
      );
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].message).toContain('input.url: must be an https URL');
      const internal = await prod.gql(
        ADD_CONTACT,
        { input: { channel: 'WEBHOOK', label: 'Metadata', url: 'https://169.254.169.254/latest' } },
        analyst.token,
      );
      expect(internal.errors![0].message).toContain(
        'input.url: must not point at a loopback or private address',
      );
    } finally {
      await prod.stop();
    }
  });
});

describe('Web Push', () => {
  it('sends an encrypted, VAPID-signed message to the subscription endpoint', async () => {
    const { analyst, county } = await healthAnalyst();
    const key = await hub.gql<{ webPushPublicKey: string }>(
      `{ webPushPublicKey }`,
      {},
      analyst.token,
    );
    expect(key.data!.webPushPublicKey).toMatch(/^[A-Za-z0-9_-]{80,}$/);
    const browser = createECDH('prime256v1');
    browser.generateKeys();
    const path = `/push-${county}`;
    const { contact } = await addContact(analyst, {
      channel: 'WEB_PUSH',
      label: 'Duty phone',
      pushSubscription: {
        endpoint: `${receiver.url}${path}`,
        p256dh: browser.getPublicKey().toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      },
    });
    // The endpoint is a capability: only its origin is shown back.
    expect(contact.target).toBe(receiver.url);
    await raiseSpike(county);

    await waitFor(() => receiver.received.some((r) => r.path === path), 10_000);
    const request = receiver.received.find((r) => r.path === path)!;
    expect(request.headers['content-encoding']).toBe('aes128gcm');
    expect(String(request.headers.authorization)).toMatch(
      new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${key.data!.webPushPublicKey}$`),
    );
    expect(request.body.toString('latin1')).not.toContain(county);
  });
});

describe('VAPID keys', () => {
  it('are generated outside production like the other development secrets', () => {
    const config = withDevSecrets(
      loadConfig({ NODE_ENV: 'development', EMBEDDED_DB: 'memory' }),
      createLogger('silent'),
    );
    expect(config.alerts.vapid?.publicKey).toMatch(/^[A-Za-z0-9_-]{80,}$/);
    expect(config.alerts.vapid?.subject).toBe('mailto:hub-operator@localhost');
  });

  it('are not invented in production: Web Push is off without them', async () => {
    const config = withDevSecrets(
      loadConfig({ ...TEST_SECRETS, NODE_ENV: 'production', EMBEDDED_DB: 'memory' }),
      createLogger('silent'),
    );
    expect(config.alerts.vapid).toBeUndefined();
  });

  it('must come in pairs', () => {
    expect(() => loadConfig({ VAPID_PUBLIC_KEY: 'abc' })).toThrow(
      'VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY: set both or neither',
    );
  });
});

describe('who manages thresholds and contacts', () => {
  const input = { exceedanceProbability: 0.01, minCount: 2, substances: ['FENTANYL'] };

  it('lets an agency admin and a public-health analyst set them', async () => {
    for (const [role, kind] of [
      [Role.AGENCY_ADMIN, AgencyKind.HARM_REDUCTION],
      [Role.ANALYST, AgencyKind.PUBLIC_HEALTH],
    ] as const) {
      const actor = await makeUser(hub, role, { agency: await makeAgency(hub, kind) });
      const res = await hub.gql(SET_SETTINGS, { input }, actor.token);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({
        setSpikeSettings: {
          exceedanceProbability: 0.01,
          minCount: 2,
          poolNeighbours: true,
          substances: ['FENTANYL'],
          isDefault: false,
        },
      });
    }
  });

  it('refuses every other role, and analysts of agencies other than public health', async () => {
    const others = [
      Role.POLICE_OFFICER,
      Role.EMS_PROVIDER,
      Role.OUTREACH_WORKER,
      Role.LEAD_CASE_MANAGER,
      Role.RESEARCHER,
      Role.HUB_ADMIN,
    ].map((role) => makeUser(hub, role));
    others.push(
      makeAgency(hub, AgencyKind.LAW_ENFORCEMENT).then((agency) =>
        makeUser(hub, Role.ANALYST, { agency }),
      ),
    );
    for (const pending of others) {
      const actor = await pending;
      for (const [query, variables] of [
        [SET_SETTINGS, { input }],
        [ADD_CONTACT, { input: { channel: 'EMAIL', label: 'x', email: uniqueEmail() } }],
        [DELIVERIES, {}],
        [`{ spikeSettings { minCount } }`, {}],
        [`{ alertContacts { id } }`, {}],
      ] as const) {
        const res = await hub.gql(query, variables, actor.token);
        expect([actor.user.role, errorCodes(res)]).toEqual([actor.user.role, ['FORBIDDEN']]);
      }
    }
  });

  it('shows the defaults until set', async () => {
    const admin = await makeUser(hub, Role.AGENCY_ADMIN);
    const res = await hub.gql<{ spikeSettings: Record<string, unknown> }>(
      `{ spikeSettings { exceedanceProbability minCount isDefault } }`,
      {},
      admin.token,
    );
    expect(res.data!.spikeSettings).toEqual({
      exceedanceProbability: 0.005,
      minCount: 3,
      isDefault: true,
    });
  });

  it('names the field of a bad value', async () => {
    const admin = await makeUser(hub, Role.AGENCY_ADMIN);
    const bad = await hub.gql(
      SET_SETTINGS,
      { input: { ...input, exceedanceProbability: 0.9 } },
      admin.token,
    );
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0].message).toContain('exceedanceProbability');
    const noEmail = await hub.gql(
      ADD_CONTACT,
      { input: { channel: 'EMAIL', label: 'x' } },
      admin.token,
    );
    expect(errorCodes(noEmail)).toEqual(['BAD_USER_INPUT']);
    expect(noEmail.errors![0].message).toContain('input.email');
  });

  it('refuses email contacts on a hub without SMTP', async () => {
    const bare = await startTestHub(BASE_ENV);
    try {
      const admin = await makeUser(bare, Role.AGENCY_ADMIN);
      const res = await bare.gql(
        ADD_CONTACT,
        { input: { channel: 'EMAIL', label: 'x', email: uniqueEmail() } },
        admin.token,
      );
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].message).toContain('SMTP_URL');
    } finally {
      await bare.stop();
    }
  });

  it('cancels what is unsent when a contact is removed', async () => {
    const { analyst, county } = await healthAnalyst();
    const refusing = await startReceiver();
    refusing.status = 503;
    try {
      const { contact } = await addContact(analyst, {
        channel: 'WEBHOOK',
        label: 'Down',
        url: `${refusing.url}/hook`,
      });
      await raiseSpike(county);
      await waitFor(async () => (await deliveries(analyst))[0]?.status === 'RETRYING', 10_000);
      expect((await deliveries(analyst))[0].lastError).toBe('webhook answered HTTP 503');
      const removed = await hub.gql(
        `mutation ($id: ID!) { removeAlertContact(id: $id) { active } }`,
        { id: contact.id },
        analyst.token,
      );
      expect(removed.data).toEqual({ removeAlertContact: { active: false } });
      expect((await deliveries(analyst))[0].status).toBe('CANCELLED');
    } finally {
      await refusing.close();
    }
  });
});

describe('durability', () => {
  const HOOK_ENV = { ...BASE_ENV, JOB_QUEUE: 'alerts-durability' };

  it('keeps a delivery across a hub restart and sends it once after', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-alerts-'));
    // Without PostgreSQL the restart is of an embedded database kept in a folder.
    const env = {
      ...HOOK_ENV,
      JOB_QUEUE: `restart-${countyIndex}-${Date.now()}`,
      ...(process.env.DATABASE_URL ? {} : { EMBEDDED_DB: 'file', DATA_DIR: dataDir }),
    };
    const target = await startReceiver();
    target.status = 503;
    let first: TestHub | undefined = await startTestHub(env);
    let second: TestHub | undefined;
    try {
      const { analyst, county } = await healthAnalyst(first);
      await addContact(
        analyst,
        { channel: 'WEBHOOK', label: 'Down', url: `${target.url}/h` },
        first,
      );
      await raiseSpike(county, first, await makeUser(first, Role.POLICE_OFFICER));
      await waitFor(async () => (await deliveries(analyst, first))[0]?.status === 'RETRYING');
      await first.stop();
      first = undefined;

      target.status = 200;
      second = await startTestHub(env);
      await waitFor(async () => (await deliveries(analyst, second))[0]?.status === 'SENT', 15_000);
      expect(target.received).toHaveLength(1);
    } finally {
      await first?.stop();
      await second?.stop();
      await target.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // Two hubs share one database only on PostgreSQL (the embedded one lives in one process).
  const shared = process.env.DATABASE_URL ? it : it.skip;
  shared('two hub instances send each delivery once', async () => {
    const env = { ...HOOK_ENV, JOB_QUEUE: `pair-${Date.now()}` };
    const target = await startReceiver();
    target.delayMs = 30;
    const a = await startTestHub(env);
    const b = await startTestHub(env);
    try {
      const { analyst, county } = await healthAnalyst(a);
      const contacts = 25;
      for (let i = 0; i < contacts; i++) {
        await addContact(
          analyst,
          { channel: 'WEBHOOK', label: `hook ${i}`, url: `${target.url}/c${i}` },
          a,
        );
      }
      await raiseSpike(county, b);
      await waitFor(
        async () =>
          (await deliveries(analyst, a)).filter((d) => d.status === 'SENT').length === contacts,
        30_000,
      );
      const paths = target.received.map((r) => r.path).sort();
      expect(paths).toHaveLength(contacts);
      expect(new Set(paths).size).toBe(contacts);
      expect(new Set(target.received.map((r) => r.headers['x-hub-delivery'])).size).toBe(contacts);
    } finally {
      await a.stop();
      await b.stop();
      await target.close();
    }
  });
});
