import { randomUUID } from 'node:crypto';
import { createJobWorker, JobFailure, type JobWorker } from '../src/jobs/job-queue';
import { createLogger } from '../src/logger';
import { startTestHub, type TestHub } from './support/hub';
import { waitFor } from './support/live';

/**
 * The durable job queue (src/jobs) on its own: workers of one queue share the work, a timer runs
 * once per period whichever worker holds it, a failure is kept and retried, a request arriving
 * while a job runs runs it once more.
 */
let hub: TestHub;
const workers: JobWorker[] = [];
const logger = createLogger('silent');

beforeAll(async () => {
  hub = await startTestHub({ FOLLOW_UP_TICK_SECONDS: '0', SPIKE_CHECK_SECONDS: '0' });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await hub.stop();
});

function worker(queue: string): JobWorker {
  const w = createJobWorker(
    hub.server.orm,
    { queue, pollMs: 20, leaseSeconds: 60, retryBaseSeconds: 1, retryMaxSeconds: 1 },
    logger,
  );
  workers.push(w);
  return w;
}

const row = async (queue: string, key: string) =>
  (
    await hub
      .em()
      .getConnection()
      .execute<
        Array<{ attempts: number; last_error: string | null; run_at: Date; payload: unknown }>
      >(`select attempts, last_error, run_at, payload from hub_job where queue = ? and key = ?`, [
        queue,
        key,
      ])
  )[0];

it('gives a timer to one of two workers per period, keeping its state between runs', async () => {
  const queue = `q-${randomUUID()}`;
  const runs: string[] = [];
  const seen: unknown[] = [];
  const timer = (name: string) => async (job: { payload: Record<string, unknown> }) => {
    runs.push(name);
    seen.push(job.payload.n ?? 0);
    return { payload: { n: Number(job.payload.n ?? 0) + 1 } };
  };
  const a = worker(queue);
  const b = worker(queue);
  await a.every('tick', 3600, 0, timer('a'));
  await b.every('tick', 3600, 0, timer('b'));
  a.start();
  b.start();
  await waitFor(() => runs.length >= 1);
  // Both poll every 20 ms; the next run is an hour away, so there is no second run to find.
  await waitFor(async () => (await row(queue, 'tick')).attempts === 0 && runs.length === 1);
  await waitFor(async () => ((await row(queue, 'tick')).payload as { n?: number } | null)?.n === 1);
  await a.stop();
  await b.stop();
  expect(runs).toHaveLength(1);
  expect(seen).toEqual([0]);
  const timerRow = await row(queue, 'tick');
  expect(timerRow.payload).toEqual({ n: 1 });
  expect(new Date(timerRow.run_at).getTime()).toBeGreaterThan(Date.now() + 3500_000);
});

it('keeps a failed job with its reason and retries it until it succeeds', async () => {
  const queue = `q-${randomUUID()}`;
  const w = worker(queue);
  let calls = 0;
  w.handle('flaky', async () => {
    calls++;
    if (calls === 1) throw new JobFailure('receiver answered HTTP 503');
  });
  await w.enqueue('flaky:1', 'flaky');
  w.start();
  await waitFor(async () => (await row(queue, 'flaky:1'))?.last_error !== null && calls >= 1);
  expect(await row(queue, 'flaky:1')).toMatchObject({
    attempts: 1,
    last_error: 'receiver answered HTTP 503',
  });
  await waitFor(async () => (await row(queue, 'flaky:1')) === undefined);
  expect(calls).toBe(2);
});

it('runs a job once more when it is asked for again while running', async () => {
  const queue = `q-${randomUUID()}`;
  const w = worker(queue);
  let release: () => void = () => undefined;
  let calls = 0;
  w.handle('check', async () => {
    calls++;
    if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
  });
  await w.enqueue('check:x', 'check');
  w.start();
  await waitFor(() => calls === 1);
  await w.enqueue('check:x', 'check');
  await w.enqueue('check:x', 'check');
  release();
  await waitFor(async () => (await row(queue, 'check:x')) === undefined);
  expect(calls).toBe(2);
});

it('leaves jobs of other queues alone', async () => {
  const mine = `q-${randomUUID()}`;
  const other = `q-${randomUUID()}`;
  const ran: string[] = [];
  const w = worker(mine);
  w.handle('work', async (job) => {
    ran.push(job.key);
  });
  // The other queue's job is older: claimed in run_at order, it would go first if it could.
  await worker(other).enqueue('work:theirs', 'work');
  await w.enqueue('work:mine', 'work');
  w.start();
  await waitFor(() => ran.length === 1);
  expect(ran).toEqual(['work:mine']);
  expect(await row(other, 'work:theirs')).toMatchObject({ attempts: 0 });
});

it('does not wait for its poll to run the jobs a job queued, nor to retry its own failure', async () => {
  const queue = `q-${randomUUID()}`;
  // A poll ten minutes away: anything that runs below was looked for without it.
  const w = createJobWorker(
    hub.server.orm,
    { queue, pollMs: 600_000, leaseSeconds: 60, retryBaseSeconds: 1, retryMaxSeconds: 1 },
    logger,
  );
  workers.push(w);
  const ran: string[] = [];
  w.handle('plan', async () => {
    ran.push('plan');
    // As a spike check plans its deliveries: rows written by the job, no enqueue() and no kick.
    await hub
      .em()
      .getConnection()
      .execute(
        `insert into hub_job (id, created_at, updated_at, queue, key, kind, payload, run_at, attempts, rerun)
         values (gen_random_uuid(), now(), now(), ?, 'deliver:1', 'deliver', '{}', now(), 0, false)`,
        [queue],
      );
  });
  w.handle('deliver', async () => {
    ran.push('deliver');
    if (ran.length === 2) throw new JobFailure('receiver refused once');
  });
  await w.enqueue('plan:1', 'plan');
  w.start();
  await waitFor(() => ran.length === 3, 30_000);
  expect(ran).toEqual(['plan', 'deliver', 'deliver']);
  await waitFor(async () => (await row(queue, 'deliver:1')) === undefined);
});
