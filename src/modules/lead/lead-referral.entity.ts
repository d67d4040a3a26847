import { Entity, Enum, Index, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { EncryptedText } from '../../crypto/encrypted-text.type';
import { Agency } from '../agency/agency.entity';
import { User } from '../agency/user.entity';
import { Case } from '../case/case.entity';
import { OverdoseIncident } from '../incident/incident.entity';
import { Person } from '../person/person.entity';
import { LeadDoor, LeadExitReason, LeadStatus } from './lead-codes';

/**
 * A person's LEAD track in one program. Police may open it (arrest diversion, social contact)
 * from their own incident or, without any overdose, from what the officer knows of the person;
 * outreach workers from a case. Charges and warrants are never stored.
 */
@Entity({ tableName: 'lead_referral' })
@Index({ properties: ['program', 'status'] })
export class LeadReferral extends HubEntity {
  @ManyToOne(() => Person, { ref: true, nullable: true, index: true })
  person?: Ref<Person>;

  @ManyToOne(() => Case, { ref: true, nullable: true, index: true })
  case?: Ref<Case>;

  /** The police incident an officer referred from, when the door was an officer's. */
  @ManyToOne(() => OverdoseIncident, { ref: true, nullable: true })
  sourceIncident?: Ref<OverdoseIncident>;

  /** The LEAD program (agency of kind LEAD_PROGRAM). */
  @ManyToOne(() => Agency, { ref: true })
  program!: Ref<Agency>;

  @ManyToOne(() => Agency, { ref: true })
  referringAgency!: Ref<Agency>;

  @Property({ type: 'uuid' })
  referredById!: string;

  @Enum({ items: () => LeadDoor, nativeEnumName: 'lead_door' })
  door!: LeadDoor;

  @Enum({ items: () => LeadStatus, nativeEnumName: 'lead_status' })
  status: Opt<LeadStatus> = LeadStatus.REFERRED;

  @Enum({ items: () => LeadExitReason, nullable: true, nativeEnumName: 'lead_exit_reason' })
  exitReason?: LeadExitReason;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  intakeDeadline!: Date;

  @ManyToOne(() => User, { ref: true, nullable: true })
  caseManager?: Ref<User>;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  exitedAt?: Date;

  /** County FIPS code the referral is for (the overdose's, the case's, or the officer's). */
  @Property({ type: 'character', length: 5, nullable: true })
  county?: string;

  // What the referring officer knew and entered for the referral (issue 14 point 5): police
  // information shared for the referral under the LEAD agreement, not treatment information.
  // Encrypted like identity; purged by retention once the track has exited.
  @Property({ type: EncryptedText, nullable: true })
  subjectFirstName?: string;

  @Property({ type: EncryptedText, nullable: true })
  subjectLastName?: string;

  @Property({ type: EncryptedText, nullable: true })
  subjectDateOfBirth?: string;

  /** Where to find the person (a shelter, a corner, a camp), as the officer put it. */
  @Property({ type: EncryptedText, nullable: true })
  whereToFind?: string;

  /** How to reach the person (a phone number, a friend's number, a message app). */
  @Property({ type: EncryptedText, nullable: true })
  contact?: string;

  /**
   * When intake completed (the track first became ACTIVE): the one signal the referrer gets is
   * whether this happened by the intake deadline.
   */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  intakeCompletedAt?: Date;

  @Property({ type: 'integer', version: true })
  version: Opt<number> = 1;
}
