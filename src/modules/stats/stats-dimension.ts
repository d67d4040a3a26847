import { registerEnumType } from 'type-graphql';

/** What an aggregate may be grouped by (at most two at a time). */
export enum StatsDimension {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
  FISCAL_YEAR = 'FISCAL_YEAR',
  COUNTY = 'COUNTY',
  AGENCY = 'AGENCY',
  OFFICER_PRESENCE = 'OFFICER_PRESENCE',
  AGE_BAND = 'AGE_BAND',
  SEX = 'SEX',
  RACE_ETHNICITY = 'RACE_ETHNICITY',
  SUBSTANCE_CATEGORY = 'SUBSTANCE_CATEGORY',
  NALOXONE_GIVEN_BY = 'NALOXONE_GIVEN_BY',
  CASE_SOURCE = 'CASE_SOURCE',
  OUTCOME = 'OUTCOME',
}

export const TIME_DIMENSIONS = [
  StatsDimension.DAY,
  StatsDimension.WEEK,
  StatsDimension.MONTH,
  StatsDimension.QUARTER,
  StatsDimension.FISCAL_YEAR,
] as const;

registerEnumType(StatsDimension, {
  name: 'StatsDimension',
  description: [
    'Dates in the calendar in effect (the time zone of the filter, else of your agency, else of the hub):',
    'DAY (YYYY-MM-DD), WEEK (ISO week, its Monday YYYY-MM-DD), MONTH (YYYY-MM), QUARTER (YYYY-Qn),',
    'FISCAL_YEAR (FYyyyy, named by the year it ends in).',
    'COUNTY (FIPS, with countyName), AGENCY (reporting agency for overdoses, routed agency for cases),',
    'OFFICER_PRESENCE (most visible at any attempt, NO_ATTEMPT), AGE_BAND, SEX,',
    'RACE_ETHNICITY (HISPANIC_OR_LATINO of any race, else the one race, MULTIPLE or UNKNOWN),',
    'SUBSTANCE_CATEGORY and NALOXONE_GIVEN_BY (an overdose counts once in each category it has, so these',
    'rows add up to more than the total; NONE when no naloxone was recorded),',
    'CASE_SOURCE (COMMUNITY: a community reversal, whoever reported it, or a harm-reduction report; EMERGENCY_RESPONSE: police or EMS; REFERRAL: any other agency),',
    'OUTCOME (FATAL/NON_FATAL for overdoses, close reason or OPEN for cases)',
  ].join(' '),
});
