import { Role } from '../src/common/role';
import { makeRoutedCase, makeUser } from './support/factories';
import {
  connectLive,
  disposeAll,
  listening,
  subscribe,
  waitFor,
  type LiveClient,
} from './support/live';
import { startTestHub, type TestHub } from './support/hub';

const HOUR = 3_600_000;
const FOLLOW_UP_DUE = `subscription { followUpDue { id status overdue } }`;

/**
 * The follow-up job's clock, moved by the test instead of waiting: the job ticks every second of
 * real time and looks for transitions between the clock's last reading and its new one. Every
 * reading is counted, so the test can tell a whole tick has run after it moved the clock.
 */
// Two hours behind: the cases' times lie in the past of the real clock too, so fields worked
// out from the real time (a case's `overdue`) agree with the events.
let clockAt = Date.now() - 2 * HOUR;
let readings = 0;
const clock = () => {
  readings++;
  return new Date(clockAt);
};
/** Two more readings: the tick that read the first one has finished (ticks never overlap). */
async function twoTicks(): Promise<void> {
  const from = readings;
  await waitFor(() => readings >= from + 2);
}

let hub: TestHub;
const clients: LiveClient[] = [];

beforeAll(async () => {
  hub = await startTestHub({ FOLLOW_UP_TICK_SECONDS: '1', SPIKE_CHECK_SECONDS: '0' }, { clock });
});
afterAll(async () => {
  await disposeAll(hub, clients);
  await hub.stop();
});

describe('followUpDue', () => {
  it('tells each agency’s worker when its own case becomes overdue or its window opens', async () => {
    // An hour from the clock's now: due (occurred + 72 h) for one agency's case, the window
    // opening (+ 24 h) for another's. Nothing happens until the clock gets there.
    const soon = clockAt + HOUR;
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
    await twoTicks();
    expect([a.received, b.received]).toEqual([[], []]);

    clockAt = soon + 1000;
    await waitFor(() => a.received.length >= 1 && b.received.length >= 1);
    // A whole tick more at the same time, and one after the clock moved on: nothing twice.
    await twoTicks();
    clockAt += 60_000;
    await twoTicks();
    expect(a.received.map((r) => r.data!.followUpDue)).toEqual([
      { id: overdue.kase.id, status: 'REFERRED', overdue: true },
    ]);
    expect(b.received.map((r) => r.data!.followUpDue)).toEqual([
      { id: opening.kase.id, status: 'REFERRED', overdue: false },
    ]);
  });
});
