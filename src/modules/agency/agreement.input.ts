import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDate,
  IsEnum,
  IsOptional,
  IsString,
  Matches,
} from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { AgreementPurpose, LawfulBasis } from './agreement-codes';

const FIPS = /^\d{5}$/;
export const MAX_AGREEMENT_COUNTIES = 400;

/** The same rules for creating and amending: 1–400 distinct five-digit FIPS codes. */
function CountyList(): PropertyDecorator {
  const decorators = [
    IsArray({ message: 'must be a list of county FIPS codes' }),
    ArrayMinSize(1, { message: 'must name at least one county' }),
    ArrayMaxSize(MAX_AGREEMENT_COUNTIES, {
      message: `must name at most ${MAX_AGREEMENT_COUNTIES} counties`,
    }),
    ArrayUnique(undefined, { message: 'must not name a county twice' }),
    Matches(FIPS, { each: true, message: 'each county must be a five-digit FIPS code' }),
  ];
  return (target, key) => decorators.forEach((d) => d(target, key));
}

@InputType()
export class CreateDataSharingAgreementInput {
  @Field(() => ID, { nullable: false, description: 'The reporting agency (police or EMS)' })
  @IsString()
  sourceAgencyId!: string;

  @Field(() => ID, {
    nullable: false,
    description:
      'An agency running follow-up (or a treatment agency) for FOLLOW_UP_OUTREACH, LEAD program for LEAD',
  })
  @IsString()
  recipientAgencyId!: string;

  @Field(() => AgreementPurpose, { nullable: false })
  @IsEnum(AgreementPurpose, { message: 'is not a known purpose' })
  purpose!: AgreementPurpose;

  @Field(() => LawfulBasis, { nullable: false })
  @IsEnum(LawfulBasis, { message: 'is not a known lawful basis' })
  lawfulBasis!: LawfulBasis;

  @Field(() => [String], { nullable: false })
  @CountyList()
  counties!: string[];

  @Field(() => Date, { nullable: true, description: 'Defaults to now' })
  @IsOptional()
  @IsDate({ message: 'must be a date-time' })
  effectiveFrom?: Date;

  @Field(() => Date, { nullable: true, description: 'Exclusive end; omit for open-ended' })
  @IsOptional()
  @IsDate({ message: 'must be a date-time' })
  effectiveTo?: Date;
}

/** Only the terms may change; the parties and the purpose make a different agreement. */
@InputType()
export class AmendDataSharingAgreementInput {
  @Field(() => LawfulBasis, { nullable: true })
  @IsOptional()
  @IsEnum(LawfulBasis, { message: 'is not a known lawful basis' })
  lawfulBasis?: LawfulBasis;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @CountyList()
  counties?: string[];

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate({ message: 'must be a date-time' })
  effectiveFrom?: Date;

  @Field(() => Date, { nullable: true, description: 'Exclusive end; null makes it open-ended' })
  @IsOptional()
  @IsDate({ message: 'must be a date-time' })
  effectiveTo?: Date | null;
}

@InputType()
export class DataSharingAgreementFilter {
  @Field(() => ID, { nullable: true, description: 'Agreements where this agency is a party' })
  @IsOptional()
  @IsString()
  agencyId?: string;

  @Field(() => Boolean, { defaultValue: false, description: 'Only agreements in force now' })
  @IsOptional()
  @IsBoolean()
  activeOnly?: boolean;
}
