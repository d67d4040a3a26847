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

@InputType()
export class CreateAgencyInput {
  @Field(() => String)
  @Length(2, 200)
  name!: string;

  @Field(() => AgencyKind)
  kind!: AgencyKind;

  @Field(() => [String], { defaultValue: [] })
  @ArrayMaxSize(400)
  @ArrayUnique()
  @Matches(FIPS, { each: true, message: FIPS_MESSAGE })
  serviceCounties!: string[];

  @Field(() => Boolean, { defaultValue: false })
  part2Program!: boolean;
}

@InputType()
export class UpdateAgencyInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(2, 200)
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
}

@InputType()
export class CreateUserInput {
  @Field(() => ID, {
    nullable: true,
    description: 'HUB_ADMIN only; agency admins create users in their own agency',
  })
  @IsOptional()
  agencyId?: string;

  @Field(() => String)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @Field(() => String)
  @Length(1, 200)
  displayName!: string;

  @Field(() => Role)
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

  @Field(() => String)
  @Length(1, 200)
  label!: string;

  @Field(() => Role)
  role!: Role;
}
