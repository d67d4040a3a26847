import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import type { ReadyConfig } from '../../config';
import { encryptField } from '../../crypto/field-cipher';
import { badInput, forbidden, notFound } from '../../errors/hub-errors';
import { AgencyKind } from '../agency/agency-kind';
import { Agency } from '../agency/agency.entity';
import { AlertContact } from './alert-contact.entity';
import type { AddAlertContactInput, SpikeSettingsInput } from './spike.input';
import { SpikeSetting } from './spike-setting.entity';
import type {
  AlertContactType,
  AlertDeliveryType,
  CreatedAlertContactType,
  SpikeSettingsType,
} from './spike.types';

const MAX_CONTACTS = 50;
const MAX_DELIVERIES = 200;
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/**
 * Who manages an agency's spike thresholds and alert contacts: its admin, and a public-health
 * agency's analysts for their jurisdiction (the counties their agency serves). Other analysts
 * read alerts but do not set where they go. The role check is the permission layer's; the
 * agency kind is checked here.
 */
export function assertAlertManager(viewer: Viewer): void {
  if (viewer.role === Role.AGENCY_ADMIN) return;
  if (viewer.role === Role.ANALYST && viewer.agencyKind === AgencyKind.PUBLIC_HEALTH) return;
  throw forbidden('Only an agency admin or a public-health analyst manages spike alerts');
}

export async function getSpikeSettings(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
): Promise<SpikeSettingsType> {
  assertAlertManager(viewer);
  const setting = await em.findOne(SpikeSetting, { agency: viewer.agencyId });
  return setting ? settingsType(setting) : defaults(config);
}

export async function setSpikeSettings(
  em: EntityManager,
  viewer: Viewer,
  input: SpikeSettingsInput,
): Promise<SpikeSettingsType> {
  assertAlertManager(viewer);
  const setting =
    (await em.findOne(SpikeSetting, { agency: viewer.agencyId })) ??
    em.create(SpikeSetting, {
      agency: em.getReference(Agency, viewer.agencyId),
      exceedanceProbability: input.exceedanceProbability,
      minCount: input.minCount,
    });
  setting.exceedanceProbability = input.exceedanceProbability;
  setting.minCount = input.minCount;
  setting.poolNeighbours = input.poolNeighbours;
  setting.substances = [...input.substances];
  setting.updatedById = viewer.userId ?? viewer.apiKeyId;
  await em.flush();
  return settingsType(setting);
}

export async function listAlertContacts(
  em: EntityManager,
  viewer: Viewer,
): Promise<AlertContactType[]> {
  assertAlertManager(viewer);
  const contacts = await em.find(
    AlertContact,
    { agency: viewer.agencyId, active: true },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  return contacts.map(contactType);
}

export async function addAlertContact(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  input: AddAlertContactInput,
): Promise<CreatedAlertContactType> {
  assertAlertManager(viewer);
  const count = await em.count(AlertContact, { agency: viewer.agencyId, active: true });
  if (count >= MAX_CONTACTS) {
    throw badInput({
      field: 'input',
      message: `at most ${MAX_CONTACTS} alert contacts per agency`,
    });
  }
  const base = {
    agency: em.getReference(Agency, viewer.agencyId),
    channel: input.channel,
    label: input.label.trim(),
    createdById: viewer.userId ?? viewer.apiKeyId,
  };
  let contact: AlertContact;
  let webhookSecret: string | undefined;
  if (input.channel === 'EMAIL') {
    const email = input.email?.trim();
    if (!email || !EMAIL.test(email)) {
      throw badInput({ field: 'input.email', message: 'an email address is required for EMAIL' });
    }
    if (!config.alerts.smtpUrl) {
      throw badInput({
        field: 'input.channel',
        message: 'email is not configured on this hub (the operator sets SMTP_URL)',
      });
    }
    contact = em.create(AlertContact, { ...base, target: email });
  } else if (input.channel === 'WEBHOOK') {
    const url = checkedUrl(input.url, 'input.url', config);
    webhookSecret = `whsec_${randomBytes(32).toString('base64url')}`;
    contact = em.create(AlertContact, {
      ...base,
      target: url,
      secret: encryptField(config.identityKeys, webhookSecret),
    });
  } else {
    const subscription = input.pushSubscription;
    if (!subscription) {
      throw badInput({
        field: 'input.pushSubscription',
        message: 'a push subscription is required for WEB_PUSH',
      });
    }
    if (!config.alerts.vapid) {
      throw badInput({
        field: 'input.channel',
        message: 'Web Push is not configured on this hub (the operator sets the VAPID keys)',
      });
    }
    const endpoint = checkedUrl(subscription.endpoint, 'input.pushSubscription.endpoint', config);
    contact = em.create(AlertContact, {
      ...base,
      target: endpoint,
      pushKeys: { p256dh: subscription.p256dh, auth: subscription.auth },
    });
  }
  await em.flush();
  return { contact: contactType(contact), webhookSecret: webhookSecret ?? null };
}

/** Removing a contact cancels what is still unsent to it (visible as CANCELLED). */
export async function removeAlertContact(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<AlertContactType> {
  assertAlertManager(viewer);
  const contact = isUuid(id)
    ? await em.findOne(AlertContact, { id, agency: viewer.agencyId, active: true })
    : null;
  if (!contact) throw notFound('Alert contact');
  await em.transactional(async (tx) => {
    contact.active = false;
    await tx.flush();
    await tx.getConnection().execute(
      `update alert_delivery set status = 'CANCELLED', updated_at = now()
          where contact_id = ?::uuid and status in ('PENDING', 'RETRYING')`,
      [contact.id],
      'run',
      tx.getTransactionContext(),
    );
  });
  return contactType(contact);
}

export async function listAlertDeliveries(
  em: EntityManager,
  viewer: Viewer,
  status: string | undefined,
  queue: string,
): Promise<AlertDeliveryType[]> {
  assertAlertManager(viewer);
  const statuses = ['PENDING', 'SENT', 'RETRYING', 'CANCELLED'];
  if (status !== undefined && !statuses.includes(status)) {
    throw badInput({ field: 'status', message: `must be one of ${statuses.join(', ')}` });
  }
  const rows = await em.getConnection().execute<
    Array<{
      id: string;
      alert_id: string;
      contact_id: string;
      channel: string;
      status: string;
      attempts: number;
      last_error: string | null;
      last_attempt_at: Date | string | null;
      sent_at: Date | string | null;
      created_at: Date | string;
      next_attempt_at: Date | string | null;
    }>
  >(
    `select d.id, d.alert_id, d.contact_id, d.channel, d.status, d.attempts, d.last_error,
            d.last_attempt_at, d.sent_at, d.created_at,
            (select j.run_at from hub_job j
              where j.queue = ?::text and j.key = 'delivery:' || d.id::text) as next_attempt_at
       from alert_delivery d
      where d.agency_id = ?::uuid and (?::text is null or d.status = ?::text)
      order by d.created_at desc, d.id limit ${MAX_DELIVERIES}`,
    [queue, viewer.agencyId, status ?? null, status ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    alertId: r.alert_id,
    contactId: r.contact_id,
    channel: r.channel,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    lastAttemptAt: toDate(r.last_attempt_at),
    nextAttemptAt:
      r.status === 'PENDING' || r.status === 'RETRYING' ? toDate(r.next_attempt_at) : undefined,
    sentAt: toDate(r.sent_at),
    createdAt: toDate(r.created_at)!,
  }));
}

export function webPushPublicKey(viewer: Viewer, config: ReadyConfig): string | null {
  assertAlertManager(viewer);
  return config.alerts.vapid?.publicKey ?? null;
}

/** A subquery's timestamp may come back as text (the driver types only plain columns). */
function toDate(value: Date | string | null): Date | undefined {
  return value === null ? undefined : new Date(value);
}

/**
 * A webhook or push URL. https only outside development and test. The hub must not become a way
 * into the network it runs in: outside development a literal loopback, private or link-local
 * address is refused, and a test hub sends only to this machine (loopback), so no test can make
 * it reach anywhere else. (A public name that resolves to a private address is not caught here.)
 */
function checkedUrl(value: string | undefined, field: string, config: ReadyConfig): string {
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    throw badInput({ field, message: 'must be an absolute URL' });
  }
  const allowHttp = config.alerts.allowHttp;
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw badInput({
      field,
      message: allowHttp ? 'must be an http(s) URL' : 'must be an https URL',
    });
  }
  if (url.username || url.password) {
    throw badInput({ field, message: 'must not carry a user name or password' });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (config.env === 'test' && !isLoopback(host)) {
    throw badInput({ field, message: 'a test hub sends only to this machine (loopback)' });
  }
  if (config.env !== 'development' && config.env !== 'test' && isInternal(host)) {
    throw badInput({ field, message: 'must not point at a loopback or private address' });
  }
  return url.toString();
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isInternal(host: string): boolean {
  if (isLoopback(host) || host.endsWith('.localhost') || host === '0.0.0.0' || host === '::') {
    return true;
  }
  if (isIP(host) === 4) {
    const [a, b] = host.split('.').map(Number);
    return (
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  return isIP(host) === 6 && /^(fc|fd|fe8|fe9|fea|feb|::ffff:)/.test(host);
}

function defaults(config: ReadyConfig): SpikeSettingsType {
  return {
    exceedanceProbability: config.spike.exceedanceProbability,
    minCount: config.spike.minCount,
    poolNeighbours: true,
    substances: [],
    isDefault: true,
  };
}

function settingsType(setting: SpikeSetting): SpikeSettingsType {
  return {
    exceedanceProbability: setting.exceedanceProbability,
    minCount: setting.minCount,
    poolNeighbours: setting.poolNeighbours,
    substances: setting.substances,
    isDefault: false,
    updatedAt: setting.updatedAt,
  };
}

function contactType(contact: AlertContact): AlertContactType {
  return {
    id: contact.id,
    channel: contact.channel,
    label: contact.label,
    // A push endpoint is a capability URL: whoever holds it can push to the browser.
    target: contact.channel === 'WEB_PUSH' ? new URL(contact.target).origin : contact.target,
    active: contact.active,
    createdAt: contact.createdAt,
  };
}
