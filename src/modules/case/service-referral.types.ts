import { Field, ID, ObjectType } from 'type-graphql';
import { ReferralStatus, ReferralType } from './case-codes';

/**
 * An onward referral made from an engaged case (treatment/MOUD, detox, syringe services, peer
 * support, housing), tracked like a FHIR referral Task. Treatment referrals are 42 CFR Part 2
 * sensitive: only the outreach agency of the case and the receiving side see them.
 */
@ObjectType('ServiceReferral')
export class ServiceReferralType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => ReferralType)
  type!: ReferralType;

  @Field(() => ReferralStatus)
  status!: ReferralStatus;

  @Field(() => String)
  statusReason?: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  respondedAt?: Date;

  /** Resolved into `toAgency` / `toResource` by the resolver. */
  toAgencyId?: string;
  toResourceId?: string;

  /** 42 CFR Part 2 label (modules/part2): the program whose record this is; see `part2Protected`. */
  part2ProgramId?: string;
}
