import { ArrayMaxSize, IsOptional, IsUUID, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { StatsScope } from './stats-scope';

export { StatsScope };

@InputType('StatsFilter', {
  description:
    'Which events count. Bounds are whole local days in the calendar in effect (timeZone, else your agency’s, else the hub’s); research: whole months. Give dates (fromDate/toDate) or instants (from/to) for each bound.',
})
export class StatsFilterInput {
  @Field(() => Date, {
    nullable: true,
    description: 'Overdoses on or after (inclusive): a local midnight',
  })
  @IsOptional()
  from?: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'Overdoses before (exclusive): a local midnight',
  })
  @IsOptional()
  to?: Date;

  @Field(() => String, {
    nullable: true,
    description: 'First local day, YYYY-MM-DD (inclusive)',
  })
  @IsOptional()
  fromDate?: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Local day after the last, YYYY-MM-DD (exclusive): a quarter is 2026-01-01 to 2026-04-01',
  })
  @IsOptional()
  toDate?: string;

  @Field(() => String, {
    nullable: true,
    description: 'IANA time zone for bounds and date groups, e.g. America/New_York',
  })
  @IsOptional()
  timeZone?: string;

  @Field(() => StatsScope, { nullable: true, description: 'Analysts: default JURISDICTION' })
  @IsOptional()
  scope?: StatsScope;

  @Field(() => [String], { nullable: true, description: 'County FIPS codes' })
  @IsOptional()
  @ArrayMaxSize(200)
  @Matches(/^\d{5}$/, { each: true, message: 'must be five-digit county FIPS codes' })
  counties?: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Agencies (reporting agency for overdoses, routed agency for cases)',
  })
  @IsOptional()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true, message: 'must be agency ids' })
  agencyIds?: string[];
}
