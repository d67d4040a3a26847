import { Field, ID, ObjectType } from 'type-graphql';
import { ReferralStatus, ReferralType } from './case-codes';

@ObjectType('Referral', { description: 'A request to an agency to take a case (routing)' })
export class CaseReferralType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => ReferralType)
  type!: ReferralType;

  @Field(() => ReferralStatus)
  status!: ReferralStatus;

  @Field(() => String, { description: 'Why the agency declined, as its staff wrote it' })
  statusReason?: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  respondedAt?: Date;

  /** Resolved into `toAgency` by the resolver. */
  toAgencyId?: string;
}
