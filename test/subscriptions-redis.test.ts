import { spawnSync } from 'node:child_process';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { makeAgency, makeUser, unique, uniqueCounty } from './support/factories';
import { connectLive, listening, subscribe, waitFor, type LiveClient } from './support/live';
import { REPORT_MUTATION, reportInput } from './support/reports';
import { startTestHub, type TestHub } from './support/hub';
import { note } from './support/note';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Checked before the suite is declared, so an absent Redis shows as skipped, with the reason. */
function redisReachable(): boolean {
  const { hostname, port } = new URL(REDIS_URL);
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `require('net').connect(${Number(port) || 6379}, ${JSON.stringify(hostname)})
         .on('connect', () => process.exit(0)).on('error', () => process.exit(1))`,
    ],
    { timeout: 3000 },
  );
  return probe.status === 0;
}

// Two instances share one database, as in a deployment: PostgreSQL. Two embedded hubs would
// each have a database of their own, so a user made on one would not exist on the other.
const shared = !!process.env.DATABASE_URL;
const reachable = shared && redisReachable();
if (!shared) {
  note('subscriptions-redis.test.ts skipped: two instances share a PostgreSQL (set DATABASE_URL)');
} else if (!reachable) {
  // CI (.ci/run) starts Redis and sets TEST_REDIS_REQUIRED: there a skip would hide the check.
  if (process.env.TEST_REDIS_REQUIRED) throw new Error(`no Redis at ${REDIS_URL}`);
  note(`subscriptions-redis.test.ts skipped: no Redis at ${REDIS_URL} (set TEST_REDIS_URL)`);
}

(reachable ? describe : describe.skip)('two hub instances on Redis', () => {
  let a: TestHub;
  let b: TestHub;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    // A channel of this run only: other suites on the same Redis never hear these events.
    const env = {
      REDIS_URL,
      EVENT_CHANNEL: `test-events-${unique()}`,
      RATE_LIMIT_KEY_PREFIX: `test-rate-${unique()}`,
      FOLLOW_UP_TICK_SECONDS: '0',
      SPIKE_CHECK_SECONDS: '0',
    };
    a = await startTestHub(env);
    b = await startTestHub(env);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await a?.stop();
    await b?.stop();
  });

  it('delivers a case reported through instance B to a worker connected to instance A, once', async () => {
    const county = uniqueCounty();
    const agency = await makeAgency(a, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const worker = await makeUser(a, Role.OUTREACH_WORKER, { agency });
    const police = await makeUser(b, Role.POLICE_OFFICER);
    const onA = connectLive(a, worker.token);
    const onB = connectLive(b, worker.token);
    clients.push(onA, onB);
    subscribe(onA, `subscription { caseRouted { id county } }`);
    subscribe(onB, `subscription { caseRouted { id county } }`);
    await listening(a, 1);
    await listening(b, 1);

    const res = await b.gql(REPORT_MUTATION, { input: reportInput(county) }, police.token);
    expect(res.errors).toBeUndefined();
    await waitFor(() => onA.received.length >= 1 && onB.received.length >= 1);
    // A second report's arrival proves the first was not delivered twice in between.
    await b.gql(REPORT_MUTATION, { input: reportInput(county) }, police.token);
    await waitFor(() => onA.received.length >= 2 && onB.received.length >= 2);

    for (const client of [onA, onB]) {
      const ids = client.received.map((r) => (r.data!.caseRouted as { id: string }).id);
      expect(new Set(ids).size).toBe(2);
      expect(client.received.every((r) => !r.errors)).toBe(true);
    }
  });
});
