import { Entity, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { EncryptedText } from '../../crypto/encrypted-text.type';
import { Case } from '../case/case.entity';

/**
 * A family member the outreach worker may contact about the person, recorded only while the
 * person's CONTACT_FAMILY consent naming the worker's agency is in force (issue 14 point 6).
 * Name and phone are identity of a third party: encrypted like identity, purged with the
 * person's identity by retention.
 */
@Entity({ tableName: 'family_contact' })
export class FamilyContact extends HubEntity {
  @ManyToOne(() => Case, { ref: true, index: true })
  case!: Ref<Case>;

  @Property({ type: EncryptedText })
  name!: string;

  /** How they relate to the person, in the worker's words (mother, partner, roommate). */
  @Property({ type: 'text' })
  relationship!: string;

  @Property({ type: EncryptedText, nullable: true })
  phone?: string;

  @Property({ type: 'uuid' })
  recordedById!: string;
}
