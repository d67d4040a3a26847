import {
  ArrayMaxSize,
  ArrayUnique,
  IsLatitude,
  IsLongitude,
  IsOptional,
  IsPositive,
  Length,
  Matches,
  Max,
  ValidateNested,
} from 'class-validator';
import { Field, Float, InputType } from 'type-graphql';
import { RaceEthnicity, Sex } from '../person/person-codes';
import {
  AdministeredBy,
  EmsDisposition,
  NaloxoneResponse,
  NaloxoneRoute,
  SuspectedSubstance,
} from './incident-codes';

/** Above this a dose is a typing error, not a reversal (the largest products hold 8–10 mg). */
export const MAX_NALOXONE_DOSE_MG = 20;
export const MAX_BATCH_SIZE = 500;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIPS = /^\d{5}$/;
const STATE = /^[A-Z]{2}$/;
const ZIP = /^\d{5}(-\d{4})?$/;
const PHONE = /^\+?[0-9 ().-]{7,20}$/;
const PRINTABLE = /^[^\p{Cc}]+$/u;

@InputType({ description: 'One naloxone dose (NEMSIS eMedications)' })
export class NaloxoneAdministrationInput {
  @Field(() => Date, { nullable: true })
  @IsOptional()
  administeredAt?: Date;

  @Field(() => Float, {
    nullable: true,
    description: `Dose in mg, above 0 and at most ${MAX_NALOXONE_DOSE_MG}`,
  })
  @IsOptional()
  @IsPositive({ message: 'must be greater than 0' })
  @Max(MAX_NALOXONE_DOSE_MG, { message: `must be at most ${MAX_NALOXONE_DOSE_MG} mg` })
  doseMg?: number;

  @Field(() => NaloxoneRoute, { nullable: false })
  route!: NaloxoneRoute;

  @Field(() => AdministeredBy, { nullable: false })
  administeredBy!: AdministeredBy;

  @Field(() => NaloxoneResponse, { nullable: true })
  @IsOptional()
  response?: NaloxoneResponse;
}

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

@InputType({ description: 'An overdose report from EMS or police (fields follow NEMSIS v3.5)' })
export class ReportIncidentInput {
  @Field(() => String, {
    nullable: false,
    description: "The reporter's own id: PCR number or RMS case number. Unique per agency.",
  })
  @Length(1, 100)
  @Matches(/^[\x21-\x7E]+( [\x21-\x7E]+)*$/, {
    message: 'must be printable ASCII without leading or trailing spaces',
  })
  externalId!: string;

  @Field(() => Date, { nullable: false })
  occurredAt!: Date;

  @Field(() => String, { nullable: false, description: 'County FIPS code (five digits)' })
  @Matches(FIPS, { message: 'must be a five-digit FIPS code' })
  county!: string;

  @Field(() => AddressInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  address?: AddressInput;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsLatitude({ message: 'must be a latitude between -90 and 90' })
  latitude?: number;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsLongitude({ message: 'must be a longitude between -180 and 180' })
  longitude?: number;

  @Field(() => Boolean, { nullable: false })
  fatal!: boolean;

  @Field(() => [SuspectedSubstance], { nullable: false, defaultValue: [] })
  @ArrayMaxSize(11)
  @ArrayUnique()
  suspectedSubstances!: SuspectedSubstance[];

  @Field(() => [NaloxoneAdministrationInput], { nullable: false, defaultValue: [] })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  naloxone!: NaloxoneAdministrationInput[];

  @Field(() => EmsDisposition, { nullable: true, description: 'EMS reports only' })
  @IsOptional()
  emsDisposition?: EmsDisposition;

  @Field(() => Boolean, { nullable: false, defaultValue: false })
  officerWarmHandoff!: boolean;

  @Field(() => SurvivorInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  survivor?: SurvivorInput;
}
