import {
  ArrayMaxSize,
  ArrayUnique,
  IsEmail,
  IsOptional,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { Role } from '../../common/role';
import { AgencyKind } from './agency-kind';

const FIPS = /^\d{5}$/;
const FIPS_MESSAGE = 'each county must be a five-digit FIPS code';
/** Names are stored trimmed; one of spaces only would be stored empty. */
const NOT_BLANK = /\S/;
const NOT_BLANK_MESSAGE = 'must not be blank';

/**
 * Required arguments and input fields are declared non-null. The schema is nullable by default
 * (for output fields); a null that got past GraphQL would skip validation and fail deep in a
 * service as an internal error.
 */
export const REQUIRED = { nullable: false } as const;

@InputType()
export class CreateAgencyInput {
  @Field(() => String, { nullable: false })
  @Length(2, 200)
  @Matches(NOT_BLANK, { message: NOT_BLANK_MESSAGE })
  name!: string;

  @Field(() => AgencyKind, { nullable: false })
  kind!: AgencyKind;

  @Field(() => [String], { nullable: false, defaultValue: [] })
  @ArrayMaxSize(400)
  @ArrayUnique()
  @Matches(FIPS, { each: true, message: FIPS_MESSAGE })
  serviceCounties!: string[];

  @Field(() => Boolean, { nullable: false, defaultValue: false })
  part2Program!: boolean;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Runs post-overdose follow-up (not for LAW_ENFORCEMENT or RESEARCH); left out: HARM_REDUCTION agencies do',
  })
  @IsOptional()
  runsFollowUp?: boolean;
}

@InputType()
export class UpdateAgencyInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(2, 200)
  @Matches(NOT_BLANK, { message: NOT_BLANK_MESSAGE })
  name?: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(400)
  @ArrayUnique()
  @Matches(FIPS, { each: true, message: FIPS_MESSAGE })
  serviceCounties?: string[];

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  part2Program?: boolean;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Runs post-overdose follow-up (not for LAW_ENFORCEMENT or RESEARCH). Turning it off needs ' +
      'the agency to have no active outreach worker and no open case',
  })
  @IsOptional()
  runsFollowUp?: boolean;
}

@InputType()
export class CreateUserInput {
  @Field(() => ID, {
    nullable: true,
    description: 'HUB_ADMIN only; agency admins create users in their own agency',
  })
  @IsOptional()
  agencyId?: string;

  @Field(() => String, { nullable: false })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @Field(() => String, { nullable: false })
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: NOT_BLANK_MESSAGE })
  displayName!: string;

  @Field(() => Role, { nullable: false })
  role!: Role;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 255)
  externalSubject?: string;
}

@InputType()
export class UpdateUserInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: NOT_BLANK_MESSAGE })
  displayName?: string;

  @Field(() => Role, { nullable: true })
  @IsOptional()
  role?: Role;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 255)
  externalSubject?: string;
}

@InputType()
export class CreateApiKeyInput {
  @Field(() => ID, { nullable: true, description: 'HUB_ADMIN only' })
  @IsOptional()
  agencyId?: string;

  @Field(() => String, { nullable: false })
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: NOT_BLANK_MESSAGE })
  label!: string;

  @Field(() => Role, { nullable: false })
  role!: Role;
}
