import { Entity, Enum, ManyToOne, Property, Unique, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { EncryptedText } from '../../crypto/encrypted-text.type';
import { ContactMethod } from './person-codes';
import { Person } from './person.entity';

/**
 * What one outreach agency recorded about a person: the name and date of birth a referral it
 * took in gave (a case opened without a report, issue 14 point 2), a corrected phone or home
 * address, the preferred contact method, safe-contact times and the household warning. One row
 * per person and agency; it is that agency's, and reaches another agency only under a consent of
 * the person, recorded by this agency, naming the other (rules/source-visible.ts). Encrypted at
 * rest, except the state code and the enumerations.
 */
@Entity({ tableName: 'contact_record' })
@Unique({ properties: ['person', 'agencyId'] })
export class ContactRecord extends HubEntity {
  @ManyToOne(() => Person, { ref: true, index: true })
  person!: Ref<Person>;

  /** The agency that recorded the values (a plain id: the vault imports no other module). */
  @Property({ type: 'uuid' })
  agencyId!: string;

  /** The user who last changed the record (null for values moved here by a migration). */
  @Property({ type: 'uuid', nullable: true })
  recordedById?: string;

  /** From a referral the agency took in; overdose reports carry theirs in ReportedIdentity. */
  @Property({ type: EncryptedText, nullable: true })
  firstName?: string;

  @Property({ type: EncryptedText, nullable: true })
  lastName?: string;

  @Property({ type: EncryptedText, nullable: true })
  dateOfBirth?: string;

  @Property({ type: EncryptedText, nullable: true })
  phone?: string;

  @Property({ type: EncryptedText, nullable: true })
  street?: string;

  @Property({ type: EncryptedText, nullable: true })
  city?: string;

  @Property({ type: 'character', length: 2, nullable: true })
  state?: string;

  @Property({ type: EncryptedText, nullable: true })
  zip?: string;

  /**
   * Whether the agency recorded a phone (or an address), even a cleared one: for the agency's own
   * readers it then stands over what reports said. Other agencies only ever get a value.
   */
  @Property({ type: 'boolean' })
  phoneSet: Opt<boolean> = false;

  @Property({ type: 'boolean' })
  addressSet: Opt<boolean> = false;

  @Enum({ items: () => ContactMethod, nullable: true, nativeEnumName: 'contact_method' })
  preferredContactMethod?: ContactMethod;

  /** Free text such as "weekdays after 5pm". */
  @Property({ type: EncryptedText, nullable: true })
  safeContactTimes?: string;

  /** Say nothing about the overdose to anyone else at the address or phone (null: not recorded). */
  @Property({ type: 'boolean', nullable: true })
  doNotDiscloseToHousehold?: boolean;
}
