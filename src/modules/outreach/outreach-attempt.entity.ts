import { Entity, Enum, Index, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { User } from '../agency/user.entity';
import { Case } from '../case/case.entity';
import { AttemptOutcome, ContactMethod, OfficerPresence, TeamMember } from './outreach-codes';
import { EncryptedText } from '../../crypto/encrypted-text.type';

/** One try to reach a survivor (phone, text or visit), with what was left behind. */
@Entity({ tableName: 'outreach_attempt' })
@Index({ properties: ['case', 'attemptedAt'] })
export class OutreachAttempt extends HubEntity {
  @ManyToOne(() => Case, { ref: true })
  case!: Ref<Case>;

  @ManyToOne(() => User, { ref: true })
  worker!: Ref<User>;

  /**
   * 42 CFR Part 2 label: the Part 2 program whose record this is, or null. Stamped by the
   * database at insert (migration part2_labels) and never changed, so a later change of the
   * agency's flag does not relabel history; read back on insert (defaultRaw). modules/part2.
   */
  @Property({ type: 'uuid', nullable: true, defaultRaw: 'null', fieldName: 'part2_program_id' })
  part2ProgramId?: Opt<string>;

  @Enum({ items: () => ContactMethod, nativeEnumName: 'contact_method' })
  method!: ContactMethod;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  attemptedAt!: Date;

  @Enum({ items: () => AttemptOutcome, nativeEnumName: 'attempt_outcome' })
  outcome!: AttemptOutcome;

  @Enum({ items: () => TeamMember, array: true, nativeEnumName: 'team_member' })
  teamPresent: Opt<TeamMember[]> = [];

  @Enum({ items: () => OfficerPresence, nativeEnumName: 'officer_presence' })
  officerPresence: Opt<OfficerPresence> = OfficerPresence.NONE;

  @Property({ type: 'smallint' })
  naloxoneKitsForPerson: Opt<number> = 0;

  @Property({ type: 'smallint' })
  naloxoneKitsForFamily: Opt<number> = 0;

  @Property({ type: 'smallint' })
  fentanylTestStrips: Opt<number> = 0;

  @Property({ type: 'boolean' })
  overdosePreventionLiterature: Opt<boolean> = false;

  @Property({ type: 'boolean' })
  peerSupportContactCard: Opt<boolean> = false;

  @Property({ type: 'boolean' })
  syringeServicesInformation: Opt<boolean> = false;

  /**
   * Visit notes: read only by the outreach agency (and LEAD with consent). They may name the
   * person or the household, so they are encrypted like identity and purged with it.
   */
  @Property({ type: EncryptedText, nullable: true })
  notes?: string;
}
