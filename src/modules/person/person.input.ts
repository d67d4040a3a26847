import {
  ArrayMaxSize,
  ArrayUnique,
  IsOptional,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { RaceEthnicity, Sex } from './person-codes';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const STATE = /^[A-Z]{2}$/;
const ZIP = /^\d{5}(-\d{4})?$/;
const PHONE = /^\+?[0-9 ().-]{7,20}$/;
const PRINTABLE = /^[^\p{Cc}]+$/u;

@InputType({
  description:
    'Where it happened. Generalised to county for everyone but the reporter and the outreach team.',
})
export class AddressInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  street?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  city?: string;

  @Field(() => String, { nullable: true, description: 'Two-letter state code' })
  @IsOptional()
  @Matches(STATE, { message: 'must be a two-letter state code' })
  state?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(ZIP, { message: 'must be a 5-digit or ZIP+4 code' })
  zip?: string;
}

@InputType({
  description:
    "The survivor's identity, when known. Goes to the identity vault, never onto the incident.",
})
export class SurvivorInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  firstName?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  lastName?: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  @IsOptional()
  @Matches(ISO_DATE, { message: 'must be a date as YYYY-MM-DD' })
  dateOfBirth?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(PHONE, { message: 'must be a phone number' })
  phone?: string;

  @Field(() => AddressInput, { nullable: true, description: 'Home address' })
  @IsOptional()
  @ValidateNested()
  address?: AddressInput;

  @Field(() => Sex, { nullable: true })
  @IsOptional()
  sex?: Sex;

  @Field(() => [RaceEthnicity], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(8)
  @ArrayUnique()
  raceEthnicity?: RaceEthnicity[];
}
