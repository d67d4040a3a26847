import { Entity, OneToOne, Property, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { EncryptedText } from '../../crypto/encrypted-text.type';
import { OverdoseIncident } from './incident.entity';

/**
 * Name and date of birth exactly as one reporter entered them. The reporting agency may read
 * these back to correct its report; it never sees the merged Person. Encrypted at rest.
 */
@Entity({ tableName: 'reported_identity' })
export class ReportedIdentity extends HubEntity {
  @OneToOne(() => OverdoseIncident, { ref: true, owner: true, unique: true, deleteRule: 'cascade' })
  incident!: Ref<OverdoseIncident>;

  @Property({ type: EncryptedText, nullable: true })
  firstName?: string;

  @Property({ type: EncryptedText, nullable: true })
  lastName?: string;

  @Property({ type: EncryptedText, nullable: true })
  dateOfBirth?: string;
}
