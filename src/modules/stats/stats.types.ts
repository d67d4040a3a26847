import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('PublishedCount', {
  description:
    'A count after disclosure control: null with suppressed = true when it could identify someone',
})
export class PublishedCountType {
  @Field(() => Int)
  value?: number | null;

  @Field(() => Boolean, { nullable: false })
  suppressed!: boolean;

  @Field(() => Boolean, {
    nullable: false,
    description: 'Exact operational data of your own agency (not perturbed, not suppressed)',
  })
  internal!: boolean;
}

@ObjectType('ReferralFeedbackRow')
export class ReferralFeedbackRowType {
  @Field(() => String, { description: 'YYYY-MM, or null for the year total' })
  month?: string | null;

  @Field(() => PublishedCountType, {
    description: 'Non-fatal reports your agency sent: exact (your own operational data)',
  })
  reported!: PublishedCountType;

  @Field(() => PublishedCountType, {
    description: 'Of those, people an outreach worker reached (shared: suppressed and perturbed)',
  })
  reached!: PublishedCountType;

  @Field(() => PublishedCountType, { description: 'Of those, people who engaged with services' })
  engaged!: PublishedCountType;
}

@ObjectType('ReferralFeedback', {
  description:
    "What came of your agency's reports, as suppressed counts only: never about one person",
})
export class ReferralFeedbackType {
  @Field(() => Int, { nullable: false })
  year!: number;

  @Field(() => [ReferralFeedbackRowType], { nullable: false })
  months!: ReferralFeedbackRowType[];

  @Field(() => ReferralFeedbackRowType, { nullable: false })
  total!: ReferralFeedbackRowType;
}
