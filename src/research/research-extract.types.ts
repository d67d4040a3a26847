import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { AgeBand } from '../modules/person/age-band';
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

  @Field(() => String, { nullable: false, description: 'YYYY-MM (UTC)' })
  month!: string;

  @Field(() => String, { nullable: false, description: 'County FIPS code' })
  county!: string;

  @Field(() => String, { nullable: false, description: 'An AgeBand value, or UNKNOWN' })
  ageBand!: AgeBand | 'UNKNOWN';

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
}

@ObjectType('ResearchExtract', {
  description:
    'A k-anonymous extract: rows whose month, county, age band and sex are shared by fewer than ' +
    'k people are dropped (and counted in suppressedRowCount)',
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

  @Field(() => Int, { nullable: false })
  suppressedRowCount!: number;

  @Field(() => [ResearchExtractRowType], { nullable: false })
  rows!: ResearchExtractRowType[];
}
