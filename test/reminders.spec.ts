import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { createJobWorker, type JobWorker } from '../src/jobs/job-queue';
import { CaseStatus } from '../src/modules/case/case-codes';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { createLogger } from '../src/logger';
import {
  planReminderRound,
  REMINDER_JOB,
  REMINDER_ROUND_JOB,
  reminderText,
  scheduleReminders,
  type DeliveryChannels,
  type ReminderMessage,
} from '../src/modules/account/reminders';
import { makeAgency, makeRoutedCase, makeUser, uniqueCounty } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { waitFor } from './support/live';

/**
 * Reminders count what is new for a worker and say nothing else: no name, no place, no overdose.
 * They run on the hub's job queue: the round is a timer, each reminder a job retried on failure.
 * Delivery is faked at the channel (mail transport and push service are third parties), on a
 * queue of the test's own so the hub's worker (with the real channels) never takes these jobs.
 */
describe('reminders', () => {
  let hub: TestHub;
  const workers: JobWorker[] = [];
  const logger = createLogger('silent');
  beforeAll(async () => {
    hub = await startTestHub({ REMINDER_INTERVAL_SECONDS: '600' });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await hub.stop();
  });

  function fakeChannels(failFirstMails = 0) {
    const mail: Array<{ to: string; message: ReminderMessage }> = [];
    const push: Array<{ endpoint: string; message: ReminderMessage }> = [];
    let failures = failFirstMails;
    const channels: DeliveryChannels = {
      sendMail: async (to, message) => {
        if (failures-- > 0) throw new Error('mail server unavailable');
        mail.push({ to, message });
      },
      sendPush: async (s, message) => {
        push.push({ endpoint: s.endpoint, message });
        return !s.endpoint.includes('gone');
      },
    };
    return { channels, mail, push };
  }

  /** A worker of a queue of its own, running the reminder handlers with these channels. */
  async function reminderWorker(channels: DeliveryChannels): Promise<JobWorker> {
    const worker = createJobWorker(
      hub.server.orm,
      {
        queue: `r-${randomUUID()}`,
        pollMs: 20,
        leaseSeconds: 60,
        retryBaseSeconds: 1,
        retryMaxSeconds: 1,
      },
      logger,
    );
    workers.push(worker);
    await scheduleReminders(worker, hub.server.orm, hub.config, logger, channels);
    worker.start();
    return worker;
  }

  const jobsOf = (queue: string, kind: string) =>
    hub
      .em()
      .execute<Array<{ key: string; payload: unknown; every_seconds: number | null }>>(
        'select key, payload, every_seconds from hub_job where queue = ? and kind = ?',
        [queue, kind],
      );

  /** A worker who chose email, with one case new to the agency and one given to them. */
  async function workerWithNews() {
    const county = uniqueCounty();
    const agency = await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency });
    const settings = await hub.gql(
      'mutation { updateNotificationSettings(input: { byEmail: true }) { byEmail } }',
      {},
      worker.token,
    );
    expect(settings.errors).toBeUndefined();
    const routed = await makeRoutedCase(hub, {
      outreach: agency,
      county,
      person: { firstName: 'Zelda', lastName: 'Quint' },
    });
    await makeRoutedCase(hub, {
      outreach: agency,
      county,
      status: CaseStatus.ASSIGNED,
      assignedWorker: worker.user,
    });
    return { county, agency, worker, routed };
  }

  it("the hub's round is a timer on its job queue, one per deployment", async () => {
    const timers = await jobsOf(hub.config.jobs.queue, REMINDER_ROUND_JOB);
    expect(timers.map((t) => [t.key, t.every_seconds])).toEqual([[REMINDER_ROUND_JOB, 600]]);
  });

  it('words counts in English and Spanish, and nothing when there is nothing', () => {
    expect(reminderText({ newCases: 2, assigned: 0, due: 1 }, 'en')).toEqual({
      title: 'Hub',
      body: 'You have 2 new cases in the Hub. 1 visit is due.',
    });
    expect(reminderText({ newCases: 1, assigned: 1, due: 0 }, 'es')?.body).toBe(
      'Tiene 1 caso nuevo en el Hub. Le asignaron 1 caso.',
    );
    expect(reminderText({ newCases: 0, assigned: 0, due: 0 }, 'en')).toBeNull();
  });

  it('emails and pushes the worker who chose both, once, without the person or the overdose', async () => {
    const { county, worker, routed } = await workerWithNews();
    await hub.em().execute(
      `insert into push_subscription (id, created_at, updated_at, user_id, endpoint, p256dh, auth)
       values (gen_random_uuid(), now(), now(), ?, 'https://push.example/ok', 'k'||repeat('x',40), 'authauth'),
              (gen_random_uuid(), now(), now(), ?, 'https://push.example/gone', 'k'||repeat('x',40), 'authauth')`,
      [worker.user.id, worker.user.id],
    );
    await hub
      .em()
      .execute('update notification_setting set by_push = true where user_id = ?', [
        worker.user.id,
      ]);
    const { channels, mail, push } = fakeChannels();
    const queue = await reminderWorker(channels);
    expect(
      await planReminderRound(hub.server.orm, queue.queue, new Date(Date.now() + 1000)),
    ).toBeGreaterThanOrEqual(1);
    // Queued: the job holds the words only, nothing about the person or the case.
    const queued = JSON.stringify(await jobsOf(queue.queue, REMINDER_JOB));
    for (const secret of ['Zelda', 'Quint', county, routed.kase.id])
      expect(queued).not.toContain(secret);
    queue.kick();
    await waitFor(() => mail.some((m) => m.to === worker.user.email) && push.length >= 2);
    const mine = mail.filter((m) => m.to === worker.user.email);
    expect(mine).toHaveLength(1);
    expect(mine[0].message.body).toBe('You have 1 new case in the Hub. 1 case was given to you.');
    const text = JSON.stringify([mine, push]);
    for (const secret of ['Zelda', 'Quint', 'overdose', county, routed.kase.id])
      expect(text).not.toContain(secret);
    expect(push.map((p) => p.endpoint).sort()).toEqual([
      'https://push.example/gone',
      'https://push.example/ok',
    ]);
    // A subscription the push service says is gone is forgotten.
    await waitFor(async () => (await jobsOf(queue.queue, REMINDER_JOB)).length === 0);
    const left = await hub
      .em()
      .execute('select endpoint from push_subscription where user_id = ?', [worker.user.id]);
    expect(left).toEqual([{ endpoint: 'https://push.example/ok' }]);

    // Nothing new since: the next round queues nothing for this worker.
    await planReminderRound(hub.server.orm, queue.queue, new Date(Date.now() + 2000));
    expect(JSON.stringify(await jobsOf(queue.queue, REMINDER_JOB))).not.toContain(worker.user.id);
  });

  it('a reminder the mail server refused is retried by the queue, and sent once', async () => {
    const { worker } = await workerWithNews();
    const { channels, mail } = fakeChannels(1);
    const queue = await reminderWorker(channels);
    await planReminderRound(hub.server.orm, queue.queue, new Date(Date.now() + 1000));
    queue.kick();
    await waitFor(() => mail.some((m) => m.to === worker.user.email));
    await waitFor(async () => (await jobsOf(queue.queue, REMINDER_JOB)).length === 0);
    expect(mail.filter((m) => m.to === worker.user.email)).toHaveLength(1);
  });

  it('a worker who turned email off before the reminder went out gets no email', async () => {
    const { worker } = await workerWithNews();
    const { channels, mail } = fakeChannels();
    const queue = await reminderWorker(channels);
    // Queued while no worker runs it, then the choice changes.
    await queue.stop();
    await planReminderRound(hub.server.orm, queue.queue, new Date(Date.now() + 1000));
    const off = await hub.gql(
      'mutation { updateNotificationSettings(input: { byEmail: false }) { byEmail } }',
      {},
      worker.token,
    );
    expect(off.errors).toBeUndefined();
    queue.start();
    await waitFor(async () => (await jobsOf(queue.queue, REMINDER_JOB)).length === 0);
    expect(mail.filter((m) => m.to === worker.user.email)).toEqual([]);
  });
});
