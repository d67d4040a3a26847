import nodemailer from 'nodemailer';
import webpush from 'web-push';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../../config';
import type { Logger } from '../../logger';

/**
 * Reminders to outreach workers by Web Push and email, each the worker's choice. The text only
 * counts ("You have 2 new cases in the Hub"): never a name, a place or the word overdose, since a
 * phone's lock screen and a mailbox are seen by others. Sending sits behind `deliver()` so it can
 * move onto the hub's alert queue without touching the rest.
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
  const mailer = config.alerts.smtpUrl ? nodemailer.createTransport(config.alerts.smtpUrl) : null;
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
        await webpush.sendNotification(
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

/**
 * One round: for each active outreach worker who chose a channel, counts what happened since
 * their last reminder (cases routed to their agency, cases given to them, visit windows of their
 * cases that opened) and sends one message if there is anything. Answers how many were sent.
 */
export async function runReminderRound(
  orm: MikroORM,
  channels: DeliveryChannels,
  logger: Logger,
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
  let sent = 0;
  for (const row of rows) {
    const message = reminderText(
      { newCases: row.new_cases, assigned: row.assigned, due: row.due },
      row.language,
    );
    // Moved first: a failure to deliver is not retried every round for the same cases.
    await em.execute('update notification_setting set last_notified_at = ? where user_id = ?', [
      now,
      row.user_id,
    ]);
    if (!message) continue;
    const subscriptions = await em.execute<Recipient['subscriptions']>(
      'select endpoint, p256dh, auth from push_subscription where user_id = ?',
      [row.user_id],
    );
    try {
      await deliver(
        em,
        channels,
        {
          userId: row.user_id,
          email: row.email,
          byPush: row.by_push,
          byEmail: row.by_email,
          subscriptions,
        },
        message,
      );
      sent += 1;
    } catch (error) {
      logger.warn({ errorClass: (error as Error)?.constructor?.name }, 'reminder not delivered');
    }
  }
  return sent;
}

export function startReminderJob(
  orm: MikroORM,
  config: ReadyConfig,
  logger: Logger,
): { stop(): Promise<void> } {
  const channels = defaultChannels(config, logger);
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = runReminderRound(orm, channels, logger).catch((error: unknown) =>
      logger.warn({ errorClass: (error as Error)?.constructor?.name }, 'reminder round failed'),
    );
  }, config.account.reminderIntervalSeconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
