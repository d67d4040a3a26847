import { Role } from '../src/common/role';
import { makeRoutedCase, makeUser } from './support/factories';
import { connectLive, listening, subscribe, waitFor, type LiveClient } from './support/live';
import { startTestHub, type TestHub } from './support/hub';

const HOUR = 3_600_000;
const FOLLOW_UP_DUE = `subscription { followUpDue { id status overdue } }`;

let hub: TestHub;
const clients: LiveClient[] = [];

beforeAll(async () => {
  hub = await startTestHub({ FOLLOW_UP_TICK_SECONDS: '1', SPIKE_CHECK_SECONDS: '0' });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await hub.stop();
});

describe('followUpDue', () => {
  it('tells each agency’s worker when its own case becomes overdue or its window opens', async () => {
    const soon = Date.now() + 1500;
    // Due (occurred + 72 h) in 1.5 s for one agency; window opening (+ 24 h) in 1.5 s for another.
    const overdue = await makeRoutedCase(hub, { occurredAt: new Date(soon - 72 * HOUR) });
    const opening = await makeRoutedCase(hub, { occurredAt: new Date(soon - 24 * HOUR) });
    const a = connectLive(
      hub,
      (await makeUser(hub, Role.OUTREACH_WORKER, { agency: overdue.outreach })).token,
    );
    const b = connectLive(
      hub,
      (await makeUser(hub, Role.AGENCY_ADMIN, { agency: opening.outreach })).token,
    );
    clients.push(a, b);
    subscribe(a, FOLLOW_UP_DUE);
    subscribe(b, FOLLOW_UP_DUE);
    await listening(hub, 2);

    await waitFor(() => a.received.length >= 1 && b.received.length >= 1, 10_000);
    // One more tick: nothing is announced twice.
    await new Promise((r) => setTimeout(r, 1200));
    expect(a.received.map((r) => r.data!.followUpDue)).toEqual([
      { id: overdue.kase.id, status: 'REFERRED', overdue: true },
    ]);
    expect(b.received.map((r) => r.data!.followUpDue)).toEqual([
      { id: opening.kase.id, status: 'REFERRED', overdue: false },
    ]);
  });
});
