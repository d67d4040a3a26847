import { Field, Float, ObjectType } from 'type-graphql';
import { StatsDimension } from './stats-dimension';
import { PublishedCountType } from './stats.types';

/** Which group a row describes; a dimension not grouped by (or rolled up in a total) is null. */
@ObjectType('StatsGroup')
export class StatsGroupType {
  @Field(() => String) day?: string | null;
  @Field(() => String) week?: string | null;
  @Field(() => String) month?: string | null;
  @Field(() => String) quarter?: string | null;
  @Field(() => String) fiscalYear?: string | null;
  @Field(() => String) county?: string | null;
  @Field(() => String, { description: 'From the imported population estimates' })
  countyName?: string | null;
  @Field(() => String) agencyId?: string | null;
  @Field(() => String) agencyName?: string | null;
  @Field(() => String) officerPresence?: string | null;
  @Field(() => String) ageBand?: string | null;
  @Field(() => String) sex?: string | null;
  @Field(() => String) raceEthnicity?: string | null;
  @Field(() => String) substanceCategory?: string | null;
  @Field(() => String) naloxoneGivenBy?: string | null;
  @Field(() => String) caseSource?: string | null;
  @Field(() => String) outcome?: string | null;
}

@ObjectType('PublishedRate', {
  description:
    'A share or ratio after disclosure control: null with suppressed = true when its numerator or denominator is suppressed; unstable when the numerator is 20 or less',
})
export class PublishedRateType {
  @Field(() => Float)
  value?: number | null;

  @Field(() => Boolean, { nullable: false })
  suppressed!: boolean;

  @Field(() => Boolean, { nullable: false })
  unstable!: boolean;
}

@ObjectType('TimeToEvent', {
  description: 'Hours from the overdose to an event, over the cases that reached it',
})
export class TimeToEventType {
  @Field(() => Float)
  medianHours?: number | null;

  @Field(() => Float)
  p90Hours?: number | null;

  @Field(() => PublishedRateType, { nullable: false, description: 'Share of cases within 24 h' })
  within24h!: PublishedRateType;

  @Field(() => PublishedRateType, { nullable: false, description: 'Share of cases within 72 h' })
  within72h!: PublishedRateType;

  @Field(() => Boolean, { nullable: false })
  suppressed!: boolean;
}

@ObjectType('ReportingLag', {
  description: 'Hours from the overdose to the hub receiving its report (received − occurred)',
})
export class ReportingLagType {
  @Field(() => Float)
  medianHours?: number | null;

  @Field(() => Float)
  p90Hours?: number | null;
}

const RATE_PER_100K = {
  nullable: false,
  description:
    'Per 100,000 residents of the county (population estimates of the year the range ends in), over the period, not annualised; unstable under 20 events (NCHS); null without a county or population',
} as const;

@ObjectType('OverdoseStatsRow')
export class OverdoseStatsRowType {
  @Field(() => StatsGroupType, { nullable: false }) group!: StatsGroupType;
  @Field(() => PublishedCountType, { nullable: false }) incidents!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) fatal!: PublishedCountType;
  @Field(() => PublishedRateType, { nullable: false }) fatalShare!: PublishedRateType;
  @Field(() => PublishedCountType, { nullable: false }) naloxoneDoses!: PublishedCountType;
  @Field(() => PublishedRateType, {
    nullable: false,
    description: 'Naloxone doses per incident (a ratio)',
  })
  naloxonePerIncident!: PublishedRateType;
  @Field(() => PublishedCountType, { nullable: false, description: 'Incidents with 2+ doses' })
  multipleNaloxone!: PublishedCountType;
  @Field(() => PublishedRateType, { nullable: false }) multipleNaloxoneShare!: PublishedRateType;
  @Field(() => PublishedCountType, { nullable: false }) refusedTransport!: PublishedCountType;
  @Field(() => PublishedRateType, { nullable: false }) refusedTransportShare!: PublishedRateType;
  @Field(() => PublishedRateType, RATE_PER_100K) ratePer100k!: PublishedRateType;
  @Field(() => ReportingLagType, { nullable: false }) reportingLag!: ReportingLagType;
}

@ObjectType('FollowUpStatsRow', { description: 'Non-fatal cases and their follow-up' })
export class FollowUpStatsRowType {
  @Field(() => StatsGroupType, { nullable: false }) group!: StatsGroupType;
  @Field(() => PublishedCountType, { nullable: false }) cases!: PublishedCountType;
  @Field(() => PublishedCountType, {
    nullable: false,
    description: 'Cases routed to an outreach agency',
  })
  routed!: PublishedCountType;
  @Field(() => PublishedRateType, {
    nullable: false,
    description:
      'Routed cases with a first attempt within 72 h of the overdose, over ALL routed cases (a case never attempted counts against it)',
  })
  attemptedWithin72hOfRouted!: PublishedRateType;
  @Field(() => PublishedCountType, {
    nullable: false,
    description: 'Cases first contacted less than 24 h after the overdose',
  })
  contactedBefore24h!: PublishedCountType;
  @Field(() => PublishedRateType, {
    nullable: false,
    description:
      'Caution: contacted before 24 h / contacted. The guidance calls contact this early counter-productive',
  })
  contactedBefore24hShare!: PublishedRateType;
  @Field(() => Boolean, {
    nullable: false,
    description: 'True when any case of the cell was contacted before 24 h',
  })
  earlyContactCaution!: boolean;
  @Field(() => PublishedCountType, {
    nullable: false,
    description: 'Cases with usable contact information (a phone number or street address)',
  })
  withContactInfo!: PublishedCountType;
  @Field(() => PublishedRateType, {
    nullable: false,
    description: 'Completeness: cases with usable contact information / cases',
  })
  completeness!: PublishedRateType;
  @Field(() => ReportingLagType, { nullable: false }) reportingLag!: ReportingLagType;
  @Field(() => PublishedCountType, { nullable: false }) attempted!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) contacted!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) engaged!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) linked!: PublishedCountType;
  @Field(() => PublishedRateType, { nullable: false, description: 'contacted / cases' })
  contactRate!: PublishedRateType;
  @Field(() => PublishedRateType, { nullable: false, description: 'engaged / contacted' })
  engagementRate!: PublishedRateType;
  @Field(() => PublishedRateType, { nullable: false, description: 'linked / engaged' })
  linkageRate!: PublishedRateType;
  @Field(() => TimeToEventType, { nullable: false }) timeToFirstAttempt!: TimeToEventType;
  @Field(() => TimeToEventType, { nullable: false }) timeToFirstContact!: TimeToEventType;
  @Field(() => PublishedCountType, { nullable: false, description: 'Naloxone kits left' })
  naloxoneKitsLeft!: PublishedCountType;
}

@ObjectType('OutcomeStatsRow', { description: 'Non-fatal cases and what came of them' })
export class OutcomeStatsRowType {
  @Field(() => StatsGroupType, { nullable: false }) group!: StatsGroupType;
  @Field(() => PublishedCountType, { nullable: false }) cases!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) contacted!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) engaged!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) linked!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false, description: 'Treatment, MOUD or detox' })
  treatmentEntered!: PublishedCountType;
  @Field(() => PublishedCountType, {
    nullable: false,
    description: 'Cases whose survivor is known (repeat overdoses can only be linked for them)',
  })
  identified!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) repeatWithin30Days!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) repeatWithin90Days!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) leadEnrolled!: PublishedCountType;
  @Field(() => PublishedRateType, { nullable: false, description: 'contacted / cases' })
  contactRate!: PublishedRateType;
  @Field(() => PublishedRateType, { nullable: false, description: 'engaged / contacted' })
  engagementRate!: PublishedRateType;
  @Field(() => PublishedRateType, { nullable: false, description: 'linked / engaged' })
  linkageRate!: PublishedRateType;
  @Field(() => PublishedRateType, { nullable: false, description: 'treatment / cases' })
  treatmentRate!: PublishedRateType;
  @Field(() => PublishedRateType, { nullable: false, description: 'repeat 30 d / identified' })
  repeat30Rate!: PublishedRateType;
  @Field(() => PublishedRateType, { nullable: false, description: 'repeat 90 d / identified' })
  repeat90Rate!: PublishedRateType;
  @Field(() => PublishedRateType, { nullable: false, description: 'LEAD enrolled / cases' })
  leadEnrolmentRate!: PublishedRateType;
}

@ObjectType('DashboardGridRow', { description: 'A month × county cell of the dashboard grid' })
export class DashboardGridRowType {
  @Field(() => StatsGroupType, { nullable: false }) group!: StatsGroupType;
  @Field(() => PublishedCountType, { nullable: false }) incidents!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) fatal!: PublishedCountType;
  @Field(() => PublishedCountType, { nullable: false }) naloxoneDoses!: PublishedCountType;
  @Field(() => PublishedCountType, {
    nullable: false,
    description: 'Cases of these incidents with at least one contact',
  })
  contacted!: PublishedCountType;
  @Field(() => PublishedRateType, RATE_PER_100K) ratePer100k!: PublishedRateType;
}

/** One table type per query: cells, the one-dimension subtotals of a two-way table, the total. */
function tableType<R>(name: string, Row: new () => R, description: string) {
  @ObjectType(name, { description })
  class Table {
    @Field(() => [StatsDimension], { nullable: false })
    groupBy!: StatsDimension[];

    @Field(() => Boolean, {
      nullable: false,
      description:
        'Exact operational data of your own agency (not for publication; the read is audited). False: shared numbers under the disclosure rule (docs/disclosure.md)',
    })
    internal!: boolean;

    @Field(() => String, { nullable: false, description: 'The time zone dates are grouped in' })
    timeZone!: string;

    @Field(() => [Row], { nullable: false, description: 'One per group that has any events' })
    rows!: R[];

    @Field(() => [Row], {
      nullable: false,
      description: 'Two-way tables: the total of each group of either dimension',
    })
    subtotals!: R[];

    @Field(() => Row, { nullable: false })
    total!: R;
  }
  return Table;
}

export const OverdoseStatsType = tableType(
  'OverdoseStats',
  OverdoseStatsRowType,
  'Overdoses reported, with disclosure control',
);
export type OverdoseStatsType = InstanceType<typeof OverdoseStatsType>;
export const FollowUpStatsType = tableType(
  'FollowUpStats',
  FollowUpStatsRowType,
  'Follow-up of non-fatal cases, with disclosure control',
);
export type FollowUpStatsType = InstanceType<typeof FollowUpStatsType>;
export const OutcomeStatsType = tableType(
  'OutcomeStats',
  OutcomeStatsRowType,
  'Outcomes of non-fatal cases, with disclosure control',
);
export type OutcomeStatsType = InstanceType<typeof OutcomeStatsType>;
export const DashboardGridType = tableType(
  'DashboardGrid',
  DashboardGridRowType,
  'Incidents, naloxone doses and contacts by month × county, from the maintained rollup',
);
export type DashboardGridType = InstanceType<typeof DashboardGridType>;
