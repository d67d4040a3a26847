import { registerEnumType } from 'type-graphql';

/** What an aggregate may be grouped by (at most two at a time, so that totals can be protected). */
export enum StatsDimension {
  MONTH = 'MONTH',
  WEEK = 'WEEK',
  COUNTY = 'COUNTY',
  AGENCY = 'AGENCY',
  OFFICER_PRESENCE = 'OFFICER_PRESENCE',
  AGE_BAND = 'AGE_BAND',
  SEX = 'SEX',
  OUTCOME = 'OUTCOME',
}

registerEnumType(StatsDimension, {
  name: 'StatsDimension',
  description:
    'MONTH (YYYY-MM, UTC), WEEK (its Monday, YYYY-MM-DD), COUNTY (FIPS), AGENCY (reporting agency for overdoses, routed agency for cases), OFFICER_PRESENCE (most visible at any attempt, NO_ATTEMPT), AGE_BAND, SEX, OUTCOME (FATAL/NON_FATAL for overdoses, close reason or OPEN for cases)',
});
