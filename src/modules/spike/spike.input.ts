import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsDate,
  IsIn,
  IsOptional,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Field, Float, InputType, Int } from 'type-graphql';
import { SuspectedSubstance } from '../incident/incident-codes';
import { PushSubscriptionInput } from '../../common/push-subscription.input';

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

  @Field({ nullable: true, description: 'COUNTY or NEIGHBOURS' })
  @IsOptional()
  @IsIn(['COUNTY', 'NEIGHBOURS'], { message: 'must be COUNTY or NEIGHBOURS' })
  scope?: string;
}

@InputType()
export class SpikeSettingsInput {
  @Field(() => Float, {
    nullable: false,
    description: 'Alert when a count is this unlikely under the baseline (0.000001 to 0.5)',
  })
  @Min(0.000001)
  @Max(0.5)
  exceedanceProbability!: number;

  @Field(() => Int, { nullable: false, description: 'Minimum overdoses in a window (1 to 1000)' })
  @Min(1)
  @Max(1000)
  minCount!: number;

  @Field({ nullable: false, defaultValue: true })
  poolNeighbours!: boolean;

  @Field(() => [SuspectedSubstance], { nullable: false, defaultValue: [] })
  @ArrayMaxSize(20)
  @ArrayUnique()
  substances!: SuspectedSubstance[];
}

@InputType()
export class AddAlertContactInput {
  @Field({ nullable: false, description: 'EMAIL, WEBHOOK or WEB_PUSH' })
  @IsIn(['EMAIL', 'WEBHOOK', 'WEB_PUSH'], { message: 'must be EMAIL, WEBHOOK or WEB_PUSH' })
  channel!: string;

  @Field({ nullable: false })
  @Length(1, 100)
  @Matches(/\S/, { message: 'must not be blank' })
  label!: string;

  @Field({ nullable: true, description: 'EMAIL: the address' })
  @IsOptional()
  @Length(3, 254)
  email?: string;

  @Field({ nullable: true, description: 'WEBHOOK: the URL (https outside development)' })
  @IsOptional()
  @Length(8, 2000)
  url?: string;

  @Field(() => PushSubscriptionInput, { nullable: true, description: 'WEB_PUSH: the subscription' })
  @IsOptional()
  @ValidateNested()
  pushSubscription?: PushSubscriptionInput;
}
