import { createHmac } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { loadOnFirstUse } from '../../common/load-on-first-use';
import type { HubConfig } from '../../config';
import { JobFailure } from '../../jobs/job-queue';
import type { AlertMessage } from './alert-message';

const nodemailer = loadOnFirstUse<typeof import('nodemailer')>('nodemailer');
const webpush = loadOnFirstUse<typeof import('web-push')>('web-push');

export type AlertSettings = HubConfig['alerts'];

export interface Recipient {
  deliveryId: string;
  channel: string;
  target: string;
  pushKeys?: { p256dh: string; auth: string };
  /** The webhook secret in clear (decrypted just before sending). */
  secret?: string;
}

export interface AlertSenders {
  send(recipient: Recipient, message: AlertMessage): Promise<void>;
  close(): void;
}

/**
 * The HMAC-SHA256 of `<timestamp>.<body>` with the webhook's secret, as the hub sends it in
 * `X-Hub-Signature: sha256=<hex>` next to `X-Hub-Timestamp: <unix seconds>`. Receivers check it
 * and refuse old timestamps, so a captured request cannot be replayed later.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Email over SMTP, signed webhooks, Web Push; failures are JobFailures with a plain reason. */
export function createAlertSenders(settings: AlertSettings): AlertSenders {
  let mailer: Transporter | undefined;
  const smtp = (): Transporter => {
    if (!settings.smtpUrl) throw new JobFailure('email is not configured on this hub (SMTP_URL)');
    mailer ??= nodemailer().createTransport(smtpOptions(settings.smtpUrl, settings.sendTimeoutMs));
    return mailer;
  };

  const email = async (recipient: Recipient, message: AlertMessage) => {
    try {
      await smtp().sendMail({
        from: settings.emailFrom,
        to: recipient.target,
        subject: message.subject,
        text: message.text,
        // The same id on a retry lets a mail system recognise a duplicate.
        messageId: `<${recipient.deliveryId}@overdose-response-hub>`,
      });
    } catch (error) {
      if (error instanceof JobFailure) throw error;
      const e = error as { responseCode?: number; code?: string };
      throw new JobFailure(
        e.responseCode
          ? `SMTP server refused the message (${e.responseCode})`
          : `SMTP server unreachable (${e.code ?? 'connection failed'})`,
      );
    }
  };

  const webhook = async (recipient: Recipient, message: AlertMessage) => {
    if (!recipient.secret) throw new JobFailure('webhook has no signing secret');
    const body = JSON.stringify({ deliveryId: recipient.deliveryId, alert: message.data });
    const timestamp = String(Math.floor(Date.now() / 1000));
    await post(
      'webhook',
      recipient.target,
      {
        'content-type': 'application/json',
        'x-hub-timestamp': timestamp,
        'x-hub-signature': webhookSignature(recipient.secret, timestamp, body),
        'x-hub-delivery': recipient.deliveryId,
      },
      body,
      settings.sendTimeoutMs,
    );
  };

  const push = async (recipient: Recipient, message: AlertMessage) => {
    if (!settings.vapid)
      throw new JobFailure('Web Push is not configured on this hub (VAPID keys)');
    if (!recipient.pushKeys) throw new JobFailure('push subscription has no keys');
    // web-push builds the encrypted, VAPID-signed request; fetch sends it (web-push's own sender
    // speaks https only, which a local test endpoint cannot).
    const details = webpush().generateRequestDetails(
      { endpoint: recipient.target, keys: recipient.pushKeys },
      JSON.stringify({ title: message.subject, body: message.text, data: message.data }),
      {
        vapidDetails: settings.vapid,
        TTL: 24 * 3600,
        contentEncoding: 'aes128gcm',
      },
    );
    await post(
      'push service',
      details.endpoint,
      details.headers as Record<string, string>,
      details.body as Buffer,
      settings.sendTimeoutMs,
    );
  };

  return {
    send: async (recipient, message) => {
      if (recipient.channel === 'EMAIL') return email(recipient, message);
      if (recipient.channel === 'WEBHOOK') return webhook(recipient, message);
      if (recipient.channel === 'WEB_PUSH') return push(recipient, message);
      throw new JobFailure(`unknown channel ${recipient.channel}`);
    },
    close: () => mailer?.close(),
  };
}

async function post(
  what: string,
  url: string,
  headers: Record<string, string>,
  body: string | Buffer,
  timeoutMs: number,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      // A redirect could lead a signed alert to another host, or to plain http.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const e = error as { name?: string; cause?: { code?: string } };
    throw new JobFailure(
      e.name === 'TimeoutError'
        ? `${what} did not answer within ${timeoutMs} ms`
        : `${what} unreachable (${e.cause?.code ?? 'connection failed'})`,
    );
  }
  await response.arrayBuffer().catch(() => undefined);
  if (response.status < 200 || response.status >= 300) {
    throw new JobFailure(`${what} answered HTTP ${response.status}`);
  }
}

function smtpOptions(smtpUrl: string, timeoutMs: number) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}
