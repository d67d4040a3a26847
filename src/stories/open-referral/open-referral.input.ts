import { IsOptional, Matches, ValidateNested } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { ReferralSource } from '../../modules/case/case-codes';
import { SurvivorInput } from '../../modules/person/person.input';

@InputType({
  description:
    'A referral that comes without an overdose report (an emergency department, 2-1-1, the ' +
    'person, family, the community, another agency): opens a case for your agency',
})
export class OpenReferralInput {
  // Nullable in the schema so that a missing source is answered BAD_USER_INPUT naming the field.
  @Field(() => ReferralSource, { nullable: true, description: 'Required: where it came from' })
  @IsOptional()
  source?: ReferralSource;

  @Field(() => Date, { nullable: true, description: 'When the referral was made (default: now)' })
  @IsOptional()
  referredAt?: Date;

  @Field(() => String, { nullable: false, description: 'County FIPS code (five digits)' })
  @Matches(/^\d{5}$/, { message: 'must be a five-digit FIPS code' })
  county!: string;

  @Field(() => SurvivorInput, {
    nullable: false,
    description: 'Who to reach: a name or a phone at least. Kept as your agency’s record',
  })
  @ValidateNested()
  person!: SurvivorInput;
}
