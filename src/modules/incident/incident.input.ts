import {
  ArrayMaxSize,
  ArrayUnique,
  IsLatitude,
  IsLongitude,
  IsOptional,
  IsInt,
  IsPositive,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Field, Float, InputType, Int } from 'type-graphql';
import { AddressInput, SurvivorInput } from '../person/person.input';

export { AddressInput, SurvivorInput };
import {
  AdministeredBy,
  EmsDisposition,
  NaloxoneResponse,
  NaloxoneRoute,
  OverdoseSource,
  PeerContactAnswer,
  SuspectedSubstance,
} from './incident-codes';

/** More kits than this left at one scene is a typing error. */
export const MAX_KITS_LEFT_BEHIND = 50;

/** Above this a dose is a typing error, not a reversal (the largest products hold 8–10 mg). */
export const MAX_NALOXONE_DOSE_MG = 20;
export const MAX_BATCH_SIZE = 500;

const FIPS = /^\d{5}$/;

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
    'An overdose report from EMS or police, or a community reversal (fields follow NEMSIS v3.5)',
})
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

  @Field(() => OverdoseSource, {
    nullable: false,
    defaultValue: OverdoseSource.EMERGENCY_RESPONSE,
    description:
      'COMMUNITY: a community reversal (naloxone given by a bystander, peer, family member or the ' +
      'person; never by police, EMS or fire). Outreach workers report only these.',
  })
  source?: OverdoseSource;

  @Field(() => Int, {
    nullable: true,
    description: `Naloxone kits left with the person or those around them (0 to ${MAX_KITS_LEFT_BEHIND})`,
  })
  @IsOptional()
  @IsInt()
  @Min(0, { message: 'must be 0 or more' })
  @Max(MAX_KITS_LEFT_BEHIND, { message: `must be at most ${MAX_KITS_LEFT_BEHIND}` })
  naloxoneKitsLeftBehind?: number;

  @Field(() => PeerContactAnswer, {
    nullable: true,
    description:
      'The person\'s answer to "may a peer contact you?". YES records a consent to follow-up ' +
      'contact for the agency the case is routed to; NO blocks contact on the case until the ' +
      'person re-engages (a self-referral or a consent recorded later). Not "do not contact".',
  })
  @IsOptional()
  consentToPeerContact?: PeerContactAnswer;
}
