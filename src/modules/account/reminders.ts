import { loadOnFirstUse } from '../../common/load-on-first-use';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../../config';
import { addJobInTransaction, JobFailure, type JobWorker } from '../../jobs/job-queue';
import type { Logger } from '../../logger';

const nodemailer = loadOnFirstUse<typeof import('nodemailer')>('nodemailer');
const webpush = loadOnFirstUse<typeof import('web-push')>('web-push');

/**
 * Reminders to outreach workers by Web Push and email, each the worker's choice. The text only
 * counts ("You have 2 new cases in the Hub"): never a name, a place or the word overdose, since a
 * phone's lock screen and a mailbox are seen by others. Both steps run on the hub's durable job
 * queue (src/jobs): the round is a timer (one run per period for the whole deployment, however
 * many hub instances), and each reminder is a job of its own, queued in the transaction that
 * moves the worker's "last reminded" mark, so it is sent once and retried with back-off when the
 * mail server or push service fails, instead of being lost.
 */
export interface ReminderCounts {
  newCases: number;
  assigned: number;
  due: number;
}

export interface ReminderMessage {
  title: string;
  body: string;
}

const TEXT = {
  en: {
    title: 'Hub',
    newCases: (n: number) => `You have ${n} new ${n === 1 ? 'case' : 'cases'} in the Hub.`,
    assigned: (n: number) => `${n} ${n === 1 ? 'case was' : 'cases were'} given to you.`,
    due: (n: number) => `${n} ${n === 1 ? 'visit is' : 'visits are'} due.`,
  },
  es: {
    title: 'Hub',
    newCases: (n: number) => `Tiene ${n} ${n === 1 ? 'caso nuevo' : 'casos nuevos'} en el Hub.`,
    assigned: (n: number) => `Le asignaron ${n} ${n === 1 ? 'caso' : 'casos'}.`,
    due: (n: number) => `${n} ${n === 1 ? 'visita toca' : 'visitas tocan'} ahora.`,
  },
};

export function reminderText(counts: ReminderCounts, language: string): ReminderMessage | null {
  const text = TEXT[language === 'es' ? 'es' : 'en'];
  const parts = [
    counts.newCases > 0 && text.newCases(counts.newCases),
    counts.assigned > 0 && text.assigned(counts.assigned),
    counts.due > 0 && text.due(counts.due),
  ].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? { title: text.title, body: parts.join(' ') } : null;
}

export interface Recipient {
  userId: string;
  email: string;
  byPush: boolean;
  byEmail: boolean;
  subscriptions: Array<{ endpoint: string; p256dh: string; auth: string }>;
}

export interface DeliveryChannels {
  /** Sends one email; nodemailer's transport by default. */
  sendMail(to: string, message: ReminderMessage): Promise<void>;
  /** Sends one push message; resolves false when the subscription is gone (404/410). */
  sendPush(
    subscription: Recipient['subscriptions'][number],
    message: ReminderMessage,
  ): Promise<boolean>;
}

/** Nodemailer (SMTP_URL) and web-push (VAPID keys); either missing means that channel is off. */
export function defaultChannels(config: ReadyConfig, logger: Logger): DeliveryChannels {
  const mailer = config.alerts.smtpUrl ? nodemailer().createTransport(config.alerts.smtpUrl) : null;
  const vapid = config.alerts.vapid;
  return {
    async sendMail(to, message) {
      if (!mailer) {
        logger.debug('reminder email skipped: SMTP_URL is not set');
        return;
      }
      await mailer.sendMail({
        from: config.alerts.emailFrom,
        to,
        subject: message.title,
        text: message.body,
      });
    },
    async sendPush(subscription, message) {
      if (!vapid) return true;
      try {
        await webpush().sendNotification(
          {
            endpoint: subscription.endpoint,
            keys: { p256dh: subscription.p256dh, auth: subscription.auth },
          },
          JSON.stringify(message),
          { vapidDetails: vapid, TTL: 3600 },
        );
        return true;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 404 || status === 410) return false;
        throw error;
      }
    },
  };
}

/** The one function that sends a reminder to one person by the channels they chose. */
export async function deliver(
  em: EntityManager,
  channels: DeliveryChannels,
  recipient: Recipient,
  message: ReminderMessage,
): Promise<void> {
  if (recipient.byEmail) await channels.sendMail(recipient.email, message);
  if (recipient.byPush) {
    for (const subscription of recipient.subscriptions) {
      const alive = await channels.sendPush(subscription, message);
      if (!alive)
        await em.execute('delete from push_subscription where endpoint = ?', [
          subscription.endpoint,
        ]);
    }
  }
}

interface DueRow {
  user_id: string;
  email: string;
  language: string;
  by_push: boolean;
  by_email: boolean;
  since: Date | string;
  new_cases: number;
  assigned: number;
  due: number;
}

/** The queue's kinds: the periodic round, and one reminder to one person. */
export const REMINDER_ROUND_JOB = 'reminder-round';
export const REMINDER_JOB = 'reminder';

/**
 * One round: for each active outreach worker who chose a channel, counts what happened since
 * their last reminder (cases routed to their agency, cases given to them, visit windows of their
 * cases that opened) and queues one reminder if there is anything. The job holds the counts'
 * wording only (no name, no case), and it exists exactly when the mark moved. Answers how many
 * were queued.
 */
export async function planReminderRound(
  orm: MikroORM,
  queue: string,
  now = new Date(),
): Promise<number> {
  const em = orm.em.fork() as EntityManager;
  const rows = await em.execute<DueRow[]>(
    `select s.user_id, u.email, s.language, s.by_push, s.by_email, s.last_notified_at as since,
       (select count(*)::int from overdose_case c
         where c.routed_agency_id = u.agency_id and c.status = 'REFERRED'
           and c.created_at > s.last_notified_at and c.created_at <= ?) as new_cases,
       (select count(*)::int from overdose_case c
         where c.assigned_worker_id = u.id and c.status = 'ASSIGNED'
           and c.updated_at > s.last_notified_at and c.updated_at <= ?) as assigned,
       (select count(*)::int from overdose_case c
         where c.assigned_worker_id = u.id and c.status in ('ASSIGNED', 'OUTREACH')
           and c.follow_up_opens_at > s.last_notified_at and c.follow_up_opens_at <= ?) as due
       from notification_setting s
       join app_user u on u.id = s.user_id and u.active and u.role = 'OUTREACH_WORKER'
       join agency a on a.id = u.agency_id and a.active
      where (s.by_push or s.by_email) and s.last_notified_at is not null`,
    [now, now, now],
  );
  let queued = 0;
  for (const row of rows) {
    const message = reminderText(
      { newCases: row.new_cases, assigned: row.assigned, due: row.due },
      row.language,
    );
    await em.transactional(async (tx) => {
      await tx.execute('update notification_setting set last_notified_at = ? where user_id = ?', [
        now,
        row.user_id,
      ]);
      if (!message) return;
      await addJobInTransaction(
        tx,
        queue,
        `${REMINDER_JOB}:${row.user_id}:${now.toISOString()}`,
        REMINDER_JOB,
        { userId: row.user_id, title: message.title, body: message.body },
      );
      queued += 1;
    });
  }
  return queued;
}

/**
 * Sends one queued reminder by the channels the person chooses now (they may have turned one
 * off since it was queued). A failure is thrown back to the queue, which retries with back-off.
 */
export async function sendReminder(
  orm: MikroORM,
  channels: DeliveryChannels,
  payload: Record<string, unknown>,
): Promise<void> {
  const em = orm.em.fork() as EntityManager;
  const userId = String(payload.userId);
  const [person] = await em.execute<Array<{ email: string; by_push: boolean; by_email: boolean }>>(
    `select u.email, s.by_push, s.by_email from notification_setting s
       join app_user u on u.id = s.user_id and u.active
      where s.user_id = ?`,
    [userId],
  );
  if (!person) return;
  const subscriptions = await em.execute<Recipient['subscriptions']>(
    'select endpoint, p256dh, auth from push_subscription where user_id = ?',
    [userId],
  );
  try {
    await deliver(
      em,
      channels,
      {
        userId,
        email: person.email,
        byPush: person.by_push,
        byEmail: person.by_email,
        subscriptions,
      },
      { title: String(payload.title), body: String(payload.body) },
    );
  } catch (error) {
    throw new JobFailure(
      `reminder not delivered (${error instanceof Error ? error.constructor.name : typeof error})`,
    );
  }
}

/** The round as a timer on the job queue, and the handler of the reminders it queues. */
export async function scheduleReminders(
  worker: JobWorker,
  orm: MikroORM,
  config: ReadyConfig,
  logger: Logger,
  channels: DeliveryChannels = defaultChannels(config, logger),
): Promise<void> {
  const seconds = config.account.reminderIntervalSeconds;
  worker.handle(REMINDER_JOB, (job) => sendReminder(orm, channels, job.payload));
  await worker.every(REMINDER_ROUND_JOB, seconds, seconds, async () => {
    const queued = await planReminderRound(orm, worker.queue);
    if (queued > 0) worker.kick();
  });
}
