import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('SpikeAlert', {
  description:
    'A county whose rolling 24-hour count of suspected overdoses reached its threshold (aggregate only)',
})
export class SpikeAlertType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field({ description: 'County FIPS code' })
  county!: string;

  @Field({ description: 'Start of the 24 hours counted when the alert was raised' })
  windowStart!: Date;

  @Field()
  windowEnd!: Date;

  @Field(() => Int, {
    description: 'Suspected overdoses in the window (highest while open); null when from 1 to 10',
  })
  count?: number | null;

  @Field({ description: 'True when the count is withheld (from 1 to 10)' })
  countSuppressed!: boolean;

  @Field(() => Int)
  threshold!: number;

  @Field({ description: 'CONFIGURED for the county, or BASELINE (mean + k·sd of recent days)' })
  thresholdSource!: string;

  @Field()
  raisedAt!: Date;

  @Field({ nullable: true })
  endedAt?: Date;

  @Field()
  active!: boolean;
}
