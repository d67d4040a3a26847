import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Sex } from '../modules/person/person-codes';

@InputType('ResearchExtractFilter', {
  description:
    'Whole calendar months (UTC) and whole counties only, so that every quasi-identifier group is ' +
    'either entirely in an extract or entirely out: two extracts cannot be differenced to a person',
})
export class ResearchExtractFilter {
  @Field(() => String, { nullable: false, description: 'First month, YYYY-MM' })
  fromMonth!: string;

  @Field(() => String, { nullable: false, description: 'Last month (included), YYYY-MM' })
  toMonth!: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Five-digit county FIPS codes; all counties when omitted',
  })
  counties?: string[] | null;
}

@ObjectType('ResearchExtractRow', {
  description:
    'One overdose, pseudonymised: no name, date, address or id; the person key is re-keyed for ' +
    'each extract, so rows link repeat overdoses within one extract and never across extracts',
})
export class ResearchExtractRowType {
  @Field(() => String, { nullable: false })
  personKey!: string;

  @Field(() => String, {
    description: 'YYYY-MM (UTC); null when the row was generalised to a quarter or year',
  })
  month?: string | null;

  @Field(() => String, {
    description: 'County FIPS code; null when generalised to a region or state',
  })
  county?: string | null;

  @Field(() => String, {
    nullable: false,
    description: 'The period: YYYY-MM, YYYY-Qn or YYYY (see generalisationLevel)',
  })
  period!: string;

  @Field(() => String, {
    nullable: false,
    description: 'The area: a county FIPS code, a region name, or a two-digit state FIPS code',
  })
  area!: string;

  @Field(() => Int, {
    nullable: false,
    description:
      'The step of ResearchExtract.generalised this row was published at (0: month, county, age band)',
  })
  generalisationLevel!: number;

  @Field(() => String, {
    nullable: false,
    description: 'An AgeBand value, a wider band (UNDER_25, AGE_25_44, AGE_45_64), ANY, or UNKNOWN',
  })
  ageBand!: string;

  @Field(() => Sex, { nullable: false })
  sex!: Sex;

  @Field(() => Boolean, { nullable: false })
  fatal!: boolean;

  @Field(() => Boolean, { nullable: false, description: 'Any naloxone administration recorded' })
  naloxoneGiven!: boolean;

  @Field(() => Boolean, {
    nullable: false,
    description: 'An outreach attempt reached the person or their network',
  })
  contacted!: boolean;

  @Field(() => Boolean, { nullable: false, description: 'The case reached ENGAGED' })
  engaged!: boolean;

  @Field(() => Boolean, { nullable: false, description: 'The case reached LINKED (to care)' })
  linked!: boolean;

  @Field(() => Boolean, {
    nullable: false,
    description: 'Another overdose of the same person within 90 days after this one',
  })
  repeatOverdoseWithin90Days!: boolean;

  @Field(() => Boolean, { nullable: false, description: 'The person was enrolled in LEAD' })
  leadEnrolled!: boolean;

  @Field(() => String, {
    nullable: false,
    description: 'Most visible officer presence at any attempt (NONE … UNIFORMED), NO_ATTEMPT',
  })
  officerPresence!: string;

  @Field(() => String, {
    nullable: false,
    description:
      'Hours from the overdose to the first attempt: UNDER_24H, H24_TO_72, OVER_72H, NONE',
  })
  hoursToFirstAttempt!: string;

  @Field(() => String, {
    nullable: false,
    description: 'As hoursToFirstAttempt, to the first contact',
  })
  hoursToFirstContact!: string;

  @Field(() => Int, { nullable: false, description: 'Outreach attempts on the case' })
  attempts!: number;

  @Field(() => String, {
    nullable: false,
    description: 'Suspected substance categories, |-separated (e.g. FENTANYL|STIMULANT), UNKNOWN',
  })
  substanceCategories!: string;

  @Field(() => String, { description: 'EMS disposition, when EMS reported it' })
  emsDisposition?: string | null;

  @Field(() => String, {
    nullable: false,
    description:
      'EMERGENCY_RESPONSE (police or EMS), COMMUNITY (a community reversal, or a harm-reduction report), REFERRAL',
  })
  caseSource!: string;
}

@ObjectType('ExtractGeneralisation', {
  description: 'One generalisation step and how many rows it published',
})
export class ExtractGeneralisationType {
  @Field(() => Int, { nullable: false }) level!: number;
  @Field(() => String, { nullable: false, description: 'MONTH, QUARTER or YEAR' }) period!: string;
  @Field(() => String, { nullable: false, description: 'COUNTY, REGION or STATE' }) area!: string;
  @Field(() => String, { nullable: false, description: 'BAND, WIDE or ANY' }) ageBands!: string;
  @Field(() => Int, { nullable: false }) rows!: number;
}

@ObjectType('ResearchExtract', {
  description:
    'A k-anonymous extract: rows whose month, county, age band and sex are shared by fewer than ' +
    'k people are generalised (quarter, wider band, year, region, state, any age) until k is met; ' +
    'only rows under k at every step are dropped (suppressedRowCount)',
})
export class ResearchExtractType {
  @Field(() => String, { nullable: false, description: 'Quote it when asking about the extract' })
  extractId!: string;

  @Field(() => Int, { nullable: false })
  k!: number;

  @Field(() => String, { nullable: false })
  fromMonth!: string;

  @Field(() => String, { nullable: false })
  toMonth!: string;

  @Field(() => Int, { nullable: false })
  rowCount!: number;

  @Field(() => Int, { nullable: false, description: 'Rows dropped: under k at every step' })
  suppressedRowCount!: number;

  @Field(() => Int, { nullable: false, description: 'Rows published generalised (step > 0)' })
  generalisedRowCount!: number;

  @Field(() => [ExtractGeneralisationType], {
    nullable: false,
    description:
      'What was generalised: each step beyond month × county × age band that published rows',
  })
  generalised!: ExtractGeneralisationType[];

  @Field(() => [ResearchExtractRowType], { nullable: false })
  rows!: ResearchExtractRowType[];
}
