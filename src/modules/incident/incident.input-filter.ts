import { IsOptional, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class IncidentFilter {
  @Field(() => Date, { nullable: true })
  @IsOptional()
  occurredFrom?: Date;

  @Field(() => Date, { nullable: true, description: 'Exclusive' })
  @IsOptional()
  occurredTo?: Date;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^\d{5}$/, { message: 'must be a five-digit FIPS code' })
  county?: string;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  fatal?: boolean;
}
