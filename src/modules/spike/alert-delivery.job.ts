import type { MikroORM } from '@mikro-orm/postgresql';
import type { KeyRing } from '../../crypto/field-cipher';
import { decryptField } from '../../crypto/field-cipher';
import { JobFailure, type ClaimedJob } from '../../jobs/job-queue';
import type { AlertMessage } from './alert-message';
import type { AlertSenders } from './alert-senders';

interface DeliveryRow {
  id: string;
  status: string;
  channel: string;
  message: AlertMessage | string;
  target: string;
  push_keys: { p256dh: string; auth: string } | string | null;
  secret: string | null;
  contact_active: boolean;
}

const parse = <T>(value: T | string): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

/**
 * Sends one planned delivery. Success marks it SENT; a failure marks it RETRYING with the reason
 * and fails the job, which the queue runs again later (with back-off) until it succeeds: a
 * delivery is never dropped, only cancelled when its contact is removed.
 */
export function deliveryJob(orm: MikroORM, senders: AlertSenders, ring: KeyRing) {
  const db = () => orm.em.getConnection();
  return async (job: ClaimedJob): Promise<void> => {
    const [row] = await db().execute<DeliveryRow[]>(
      `select d.id, d.status, d.channel, d.message, c.target, c.push_keys, c.secret,
              c.active as contact_active
         from alert_delivery d join alert_contact c on c.id = d.contact_id
        where d.id = ?::uuid`,
      [job.payload.deliveryId],
    );
    if (!row || row.status === 'SENT' || row.status === 'CANCELLED') return;
    if (!row.contact_active) {
      await db().execute(
        `update alert_delivery set status = 'CANCELLED', updated_at = now() where id = ?::uuid`,
        [row.id],
      );
      return;
    }
    try {
      await senders.send(
        {
          deliveryId: row.id,
          channel: row.channel,
          target: row.target,
          pushKeys: row.push_keys ? parse(row.push_keys) : undefined,
          secret: row.secret ? decryptField(ring, row.secret) : undefined,
        },
        parse(row.message),
      );
    } catch (error) {
      const reason = error instanceof JobFailure ? error.reason : 'internal error while sending';
      await db().execute(
        `update alert_delivery set status = 'RETRYING', attempts = attempts + 1, last_error = ?,
                last_attempt_at = now(), updated_at = now()
          where id = ?::uuid`,
        [reason, row.id],
      );
      throw error instanceof JobFailure ? error : new JobFailure(reason);
    }
    await db().execute(
      `update alert_delivery set status = 'SENT', attempts = attempts + 1, last_error = null,
              last_attempt_at = now(), sent_at = now(), updated_at = now()
        where id = ?::uuid`,
      [row.id],
    );
  };
}
