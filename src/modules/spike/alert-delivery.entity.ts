import { Entity, Index, ManyToOne, Property, Unique, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Agency } from '../agency/agency.entity';
import { AlertContact } from './alert-contact.entity';
import { SpikeAlert } from './spike-alert.entity';

/**
 * One alert to one contact. Written in the transaction that raised the alert, with the queue job
 * that sends it; its status shows every attempt (never dropped: a failure is retried).
 */
@Entity({ tableName: 'alert_delivery' })
@Unique({ properties: ['alert', 'contact'] })
@Index({ properties: ['agency', 'createdAt'] })
export class AlertDelivery extends HubEntity {
  @ManyToOne(() => SpikeAlert, { ref: true })
  alert!: Ref<SpikeAlert>;

  @ManyToOne(() => AlertContact, { ref: true })
  contact!: Ref<AlertContact>;

  @ManyToOne(() => Agency, { ref: true })
  agency!: Ref<Agency>;

  @Property({ type: 'string', length: 16 })
  channel!: string;

  /** PENDING, SENT, RETRYING or CANCELLED (contact removed before it could be sent). */
  @Property({ type: 'string', length: 16 })
  status: Opt<string> = 'PENDING';

  @Property({ type: 'integer' })
  attempts: Opt<number> = 0;

  /** Why the last attempt failed, e.g. "SMTP server refused the message (550)". */
  @Property({ type: 'text', nullable: true })
  lastError?: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastAttemptAt?: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  sentAt?: Date;

  /** The text sent (subject, body, data): aggregate only, fixed when the delivery is planned. */
  @Property({ type: 'json', columnType: 'jsonb' })
  message!: Record<string, unknown>;
}
