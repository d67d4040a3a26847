import {
  Collection,
  Entity,
  Enum,
  Index,
  ManyToMany,
  ManyToOne,
  OneToMany,
  OneToOne,
  Property,
  type Opt,
  type Ref,
} from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Agency } from '../agency/agency.entity';
import { User } from '../agency/user.entity';
import { OverdoseIncident } from '../incident/incident.entity';
import { Person } from '../person/person.entity';
import { CaseStatus, CloseReason, HoldReason, ReferralSource, TriageReason } from './case-codes';
import { Referral } from './referral.entity';

/**
 * One survivor's follow-up after one overdose (its index report), or after a referral that came
 * without one (an emergency department, 2-1-1, the person, family...: `referralSource`, taken in
 * by `intakeAgency`): from triage through outreach to an outcome. Exactly one of the two.
 */
@Entity({ tableName: 'overdose_case' })
@Index({ properties: ['routedAgency', 'status'] })
@Index({ properties: ['status', 'followUpDueAt'] })
// Case lists page in (due time, id) order: within an agency's scope, and over all (hub admin).
@Index({ properties: ['routedAgency', 'followUpDueAt', 'id'] })
@Index({ properties: ['followUpDueAt', 'id'] })
export class Case extends HubEntity {
  @ManyToOne(() => Person, { ref: true, nullable: true, index: true })
  person?: Ref<Person>;

  /** Null for a case opened from a referral (then `referralSource` says where it came from). */
  @OneToOne(() => OverdoseIncident, {
    ref: true,
    owner: true,
    unique: true,
    nullable: true,
    deleteRule: 'no action',
  })
  indexIncident?: Ref<OverdoseIncident>;

  @Enum({ items: () => ReferralSource, nullable: true, nativeEnumName: 'referral_source' })
  referralSource?: ReferralSource;

  /**
   * The follow-up agency that took the referral in and holds the identity it gave (its
   * ContactRecord): for a referral case it stands where the reporting agency stands for a report.
   */
  @ManyToOne(() => Agency, { ref: true, nullable: true })
  intakeAgency?: Ref<Agency>;

  /** When the referral was made (a referral case's "occurred at"). */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  referredAt?: Date;

  /**
   * The person said NO at the scene to "may a peer contact you?": the case is routed and
   * visible, but no attempt may be made until they re-engage (a self-referral, or a consent to
   * follow-up contact recorded later), which clears it. Not "do not contact" (DESIGN.md).
   */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  peerContactDeclinedAt?: Date;

  /** Copied from the incident so queues filter and count without a join. */
  @Property({ type: 'character', length: 5 })
  county!: string;

  @Enum({ items: () => CaseStatus, nativeEnumName: 'case_status' })
  status!: CaseStatus;

  @Enum({ items: () => CloseReason, nullable: true, nativeEnumName: 'close_reason' })
  closeReason?: CloseReason;

  @Enum({ items: () => TriageReason, nullable: true, nativeEnumName: 'triage_reason' })
  triageReason?: TriageReason;

  @ManyToOne(() => Agency, { ref: true, nullable: true })
  routedAgency?: Ref<Agency>;

  /**
   * 42 CFR Part 2 label: the Part 2 program whose record this is, or null. Stamped by the
   * database at insert (migration part2_labels) and never changed, so a later change of the
   * agency's flag does not relabel history; read back on insert (defaultRaw). modules/part2.
   */
  @Property({ type: 'uuid', nullable: true, defaultRaw: 'null', fieldName: 'part2_program_id' })
  part2ProgramId?: Opt<string>;

  @ManyToOne(() => User, { ref: true, nullable: true, index: true })
  assignedWorker?: Ref<User>;

  /** Earliest useful visit: occurred-at + 24 h by default (absolute hours, so DST cannot shift it). */
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  followUpOpensAt!: Date;

  /** Visit due by: occurred-at + 72 h by default; without an attempt by then the case is overdue. */
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  followUpDueAt!: Date;

  /** Earlier cases of the same person (repeat overdoses). The new case never reopens them. */
  @ManyToMany({
    entity: () => Case,
    pivotTable: 'case_link',
    joinColumn: 'case_id',
    inverseJoinColumn: 'prior_case_id',
  })
  priorCases = new Collection<Case>(this);

  @OneToMany(() => Referral, (r) => r.case, { orderBy: { createdAt: 'asc' } })
  referrals = new Collection<Referral>(this);

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  closedAt?: Date;

  /** Why the case is ON_HOLD, and when outreach may resume ("maybe next week"). */
  @Enum({ items: () => HoldReason, nullable: true, nativeEnumName: 'hold_reason' })
  holdReason?: HoldReason;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  resumeOn?: Date;

  @Property({ type: 'integer', version: true })
  version: Opt<number> = 1;
}
