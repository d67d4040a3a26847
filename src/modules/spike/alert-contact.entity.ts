import { Entity, Index, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Agency } from '../agency/agency.entity';

/** Where an agency's spike alerts go: an email address, a signed webhook, or a Web Push subscription. */
@Entity({ tableName: 'alert_contact' })
@Index({ properties: ['agency', 'active'] })
export class AlertContact extends HubEntity {
  @ManyToOne(() => Agency, { ref: true })
  agency!: Ref<Agency>;

  /** EMAIL, WEBHOOK or WEB_PUSH. */
  @Property({ type: 'string', length: 16 })
  channel!: string;

  @Property({ type: 'text' })
  label!: string;

  /** The email address, the webhook URL or the push endpoint. */
  @Property({ type: 'text' })
  target!: string;

  /** Web Push subscription keys (p256dh, auth). */
  @Property({ type: 'json', columnType: 'jsonb', nullable: true })
  pushKeys?: { p256dh: string; auth: string };

  /** The webhook's signing secret, encrypted with the identity key ring (src/crypto). */
  @Property({ type: 'text', nullable: true })
  secret?: string;

  @Property({ type: 'boolean' })
  active: Opt<boolean> = true;

  @Property({ type: 'uuid', nullable: true })
  createdById?: string;
}
