import { Entity, Enum, Index, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Agency } from '../agency/agency.entity';
import { User } from '../agency/user.entity';
import { Case } from '../case/case.entity';
import { OverdoseIncident } from '../incident/incident.entity';
import { Person } from '../person/person.entity';
import { LeadDoor, LeadExitReason, LeadStatus } from './lead-codes';

/**
 * A person's LEAD track in one program. Police may open it (arrest diversion, social contact)
 * from their own incident; outreach workers from a case. Charges and warrants are never stored.
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

  @Property({ type: 'integer', version: true })
  version: Opt<number> = 1;
}
