import { IsOptional, Length, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { ReferralStatus, ReferralType } from './case-codes';

@InputType({ description: 'An onward referral: to a directory resource, an agency, or both' })
export class ServiceReferralInput {
  @Field(() => ReferralType, {
    nullable: false,
    description: 'Not FOLLOW_UP_OUTREACH (routing) nor LEAD (use referToLead)',
  })
  type!: ReferralType;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  toResourceId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  toAgencyId?: string;
}

@ArgsType()
export class CreateServiceReferralArgs {
  @Field(() => ID, { nullable: false })
  caseId!: string;

  @Field(() => Int, { nullable: false })
  @Min(1)
  version!: number;

  @Field(() => ServiceReferralInput, { nullable: false })
  input!: ServiceReferralInput;
}

@ArgsType()
export class UpdateServiceReferralArgs {
  @Field(() => ID, { nullable: false })
  referralId!: string;

  @Field(() => ReferralStatus, { nullable: false })
  status!: ReferralStatus;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 500)
  reason?: string;
}
