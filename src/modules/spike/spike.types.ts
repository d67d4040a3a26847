import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('SpikeAlert', {
  description:
    'A county whose count of suspected overdoses (in 24 hours or 7 days; all or one substance; alone or pooled with its neighbours) reached its threshold (aggregate only)',
})
export class SpikeAlertType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field({ description: 'County FIPS code' })
  county!: string;

  @Field({
    description: 'COUNTY (the county alone) or NEIGHBOURS (pooled with its bordering counties)',
  })
  scope!: string;

  @Field(() => [String], { description: 'The counties counted' })
  counties!: string[];

  @Field(() => String, {
    nullable: true,
    description: 'Suspected substance, or null for all overdoses',
  })
  substance?: string;

  @Field(() => Int, { description: '24 or 168 (7 days)' })
  windowHours!: number;

  @Field({ description: 'Start of the window counted when the alert was raised' })
  windowStart!: Date;

  @Field()
  windowEnd!: Date;

  @Field(() => Int, {
    description: 'Suspected overdoses in the window (highest while open); null when from 1 to 10',
  })
  count?: number | null;

  @Field({ description: 'True when the count is withheld (from 1 to 10)' })
  countSuppressed!: boolean;

  @Field(() => Int, { description: 'The smallest count that is a spike here' })
  threshold!: number;

  @Field({
    description:
      'CONFIGURED for the county, or BASELINE (negative-binomial exceedance against the baseline weeks)',
  })
  thresholdSource!: string;

  @Field(() => Float, {
    nullable: true,
    description: 'Overdoses expected in the window; null when the baseline count is from 1 to 10',
  })
  expected?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Probability of the count if nothing had changed; null when the count is withheld',
  })
  exceedanceProbability?: number | null;

  @Field()
  raisedAt!: Date;

  @Field({ nullable: true })
  endedAt?: Date;

  @Field()
  active!: boolean;
}

@ObjectType('SpikeSettings', {
  description: "Your agency's spike thresholds for the counties it serves",
})
export class SpikeSettingsType {
  @Field(() => Float, { description: 'Alert when a count is this unlikely under the baseline' })
  exceedanceProbability!: number;

  @Field(() => Int, { description: 'Never alert below this many overdoses in the window' })
  minCount!: number;

  @Field({ description: 'Also alert on spikes pooled with neighbouring counties' })
  poolNeighbours!: boolean;

  @Field(() => [String], { description: 'Substances whose own spikes you are told of; empty: all' })
  substances!: string[];

  @Field({ description: 'True while the hub defaults apply (nothing set yet)' })
  isDefault!: boolean;

  @Field({ nullable: true })
  updatedAt?: Date;
}

@ObjectType('AlertContact', { description: "Where your agency's spike alerts are sent" })
export class AlertContactType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field({ description: 'EMAIL, WEBHOOK or WEB_PUSH' })
  channel!: string;

  @Field()
  label!: string;

  @Field({
    description: 'Email address or webhook URL; for Web Push only the push service origin',
  })
  target!: string;

  @Field()
  active!: boolean;

  @Field()
  createdAt!: Date;
}

@ObjectType('CreatedAlertContact')
export class CreatedAlertContactType {
  @Field(() => AlertContactType)
  contact!: AlertContactType;

  @Field(() => String, {
    nullable: true,
    description:
      'WEBHOOK only, shown once: the secret of X-Hub-Signature (HMAC-SHA256 of "<X-Hub-Timestamp>.<body>")',
  })
  webhookSecret?: string | null;
}

@ObjectType('AlertDelivery', { description: 'One spike alert sent (or being sent) to one contact' })
export class AlertDeliveryType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => ID)
  alertId!: string;

  @Field(() => ID)
  contactId!: string;

  @Field()
  channel!: string;

  @Field({ description: 'PENDING, SENT, RETRYING (failed, will be tried again) or CANCELLED' })
  status!: string;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed' })
  lastError?: string | null;

  @Field({ nullable: true })
  lastAttemptAt?: Date;

  @Field({ nullable: true, description: 'When the next attempt is due (while not sent)' })
  nextAttemptAt?: Date;

  @Field({ nullable: true })
  sentAt?: Date;

  @Field()
  createdAt!: Date;
}
