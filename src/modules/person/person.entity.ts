import { Entity, Enum, Property, type Opt } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { EncryptedText } from '../../crypto/encrypted-text.type';
import { ContactMethod } from './person-codes';
import { RaceEthnicity, Sex } from './person-codes';

/**
 * The identity vault: one row per survivor, merged across reports by `personKey`. Only the
 * outreach agency a case is routed to (under a data-sharing agreement) ever reads it.
 * Name, date of birth, phone, street, city, zip and safe-contact times are encrypted at rest
 * (EncryptedText); the state code stays plain. Nothing may query by an encrypted column.
 */
@Entity({ tableName: 'person' })
export class Person extends HubEntity {
  /**
   * Keyed HMAC of normalised name + date of birth: links repeat overdoses across agencies without
   * exposing identity. Null when the report lacked a name or date of birth (no safe match).
   */
  @Property({ type: 'text', nullable: true, unique: true })
  personKey?: string;

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

  @Enum({ items: () => Sex, nullable: true, nativeEnumName: 'sex' })
  sex?: Sex;

  @Enum({ items: () => RaceEthnicity, array: true, nativeEnumName: 'race_ethnicity' })
  raceEthnicity: Opt<RaceEthnicity[]> = [];

  /** How the person prefers to be reached, set by the outreach worker. */
  @Enum({ items: () => ContactMethod, nullable: true, nativeEnumName: 'contact_method' })
  preferredContactMethod?: ContactMethod;

  /** Free text such as "weekdays after 5pm"; never shown outside the outreach agency. */
  @Property({ type: EncryptedText, nullable: true })
  safeContactTimes?: string;

  /** Say nothing about the overdose to anyone else at the address or phone. */
  @Property({ type: 'boolean' })
  doNotDiscloseToHousehold: Opt<boolean> = true;

  /**
   * "Don't contact me", set only at the person's explicit wish: while it holds (do-not-contact.ts)
   * no agency may reach out, and a new overdose opens a case DO_NOT_CONTACT_ON_FILE.
   */
  @Property({ type: 'boolean' })
  doNotContact: Opt<boolean> = false;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  doNotContactSince?: Date;

  /** When the wish comes up for review: it lapses then (rules/do-not-contact.ts). */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  doNotContactReviewOn?: Date;
}
