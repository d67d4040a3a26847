import { ArrayMaxSize, IsOptional, IsUUID, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType('StatsFilter', {
  description:
    'Which events count. Dates must fall on the caller’s coarsest period boundary: a Monday 00:00 UTC (weeks) or the 1st of a month 00:00 UTC (research: months).',
})
export class StatsFilterInput {
  @Field(() => Date, { nullable: true, description: 'Overdoses on or after (inclusive)' })
  @IsOptional()
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Overdoses before (exclusive)' })
  @IsOptional()
  to?: Date;

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
