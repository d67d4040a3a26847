import { IsBoolean, IsDate, IsEnum, IsOptional, IsString } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { ConsentMethod, ConsentScope } from './outreach-codes';

export const PURPOSE_LENGTH = { min: 3, max: 500 } as const;
export const REVOCATION_REASON_MAX = 500;

// Text lengths and dates are checked by the service (after trimming, against the clock), which
// names every problem by its argument path together with the checks that need the database.

/** What every consent says, whoever records it. */
@InputType('ConsentTermsInput')
export class ConsentTermsInput {
  @Field(() => String, {
    nullable: false,
    description: `What the information may be used for, ${PURPOSE_LENGTH.min}–${PURPOSE_LENGTH.max} characters`,
  })
  @IsString({ message: 'must be text' })
  purpose!: string;

  @Field(() => ConsentMethod, { nullable: false })
  @IsEnum(ConsentMethod, { message: 'is not a known method' })
  method!: ConsentMethod;

  @Field(() => Date, { nullable: false, description: 'When the person agreed; not in the future' })
  @IsDate({ message: 'must be a date-time' })
  grantedAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'After grantedAt and in the future; omit for none',
  })
  @IsOptional()
  @IsDate({ message: 'must be a date-time' })
  expiresAt?: Date;
}

@InputType('RecordConsentInput')
export class RecordConsentInput extends ConsentTermsInput {
  @Field(() => ConsentScope, { nullable: false })
  @IsEnum(ConsentScope, { message: 'is not a known scope' })
  scope!: ConsentScope;

  @Field(() => ID, {
    nullable: true,
    description:
      'The agency the person agrees may receive or act: defaults to yours; a LEAD program for ' +
      'SHARE_WITH_LEAD, a treatment agency for SHARE_WITH_TREATMENT_PROVIDER; never police',
  })
  @IsOptional()
  @IsString({ message: 'must be an id' })
  grantedToAgencyId?: string;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'SHARE_WITH_LEAD only: the release also lets the referring police see "enrolled"',
  })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  coversPolice?: boolean;
}

@InputType('LeadReleaseInput', {
  description: 'A LEAD release (SHARE_WITH_LEAD, granted to your program) signed at intake',
})
export class LeadReleaseInput extends ConsentTermsInput {
  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'The release also lets the referring police see "enrolled: yes/no"',
  })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  coversPolice?: boolean;
}
