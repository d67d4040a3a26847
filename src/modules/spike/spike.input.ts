import { IsBoolean, IsDate, IsOptional, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class SpikeAlertsFilter {
  @Field({ nullable: true, description: 'County FIPS code (5 digits)' })
  @IsOptional()
  @Matches(/^\d{5}$/, { message: 'must be a 5-digit county FIPS code' })
  county?: string;

  @Field({ nullable: true, description: 'Only alerts still open' })
  @IsOptional()
  @IsBoolean()
  activeOnly?: boolean;

  @Field({ nullable: true, description: 'Only alerts raised at or after this time' })
  @IsOptional()
  @IsDate()
  since?: Date;
}
