import { Entity, Enum, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Agency } from '../agency/agency.entity';
import { ReferralStatus, ReferralType } from './case-codes';
import { TreatmentResource } from '../resource/treatment-resource.entity';
import { Case } from './case.entity';

/** A request to an agency to take a case (FHIR Task shaped: requested → accepted / rejected). */
@Entity({ tableName: 'referral' })
export class Referral extends HubEntity {
  @ManyToOne(() => Case, { ref: true, index: true })
  case!: Ref<Case>;

  /** The receiving agency; null for an onward referral to a directory resource only. */
  @ManyToOne(() => Agency, { ref: true, index: true, nullable: true })
  toAgency?: Ref<Agency>;

  /** For onward referrals: the directory entry the person was referred to. */
  @ManyToOne(() => TreatmentResource, { ref: true, nullable: true, index: true })
  toResource?: Ref<TreatmentResource>;

  @Enum({ items: () => ReferralType, nativeEnumName: 'referral_type' })
  type!: ReferralType;

  @Enum({ items: () => ReferralStatus, nativeEnumName: 'referral_status' })
  status: Opt<ReferralStatus> = ReferralStatus.REQUESTED;

  /** Free-text reason given on decline; written by staff, never about the person's identity. */
  @Property({ type: 'text', nullable: true })
  statusReason?: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  respondedAt?: Date;

  @Property({ type: 'uuid', nullable: true })
  respondedById?: string;

  /**
   * 42 CFR Part 2 label: the Part 2 program whose record this is, or null. Stamped by the
   * database at insert (migration part2_labels) and never changed, so a later change of the
   * agency's flag does not relabel history; read back on insert (defaultRaw). modules/part2.
   */
  @Property({ type: 'uuid', nullable: true, defaultRaw: 'null', fieldName: 'part2_program_id' })
  part2ProgramId?: Opt<string>;
}
