import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';
import { AGGREGATE_ROLES } from './stats-access';

/** Police and EMS learn what came of their reports only as suppressed counts (DESIGN.md matrix). */
const reportingAgencies = allowRoles(
  'reportingAgencyFeedback',
  [Role.POLICE_OFFICER, Role.EMS_PROVIDER],
  'own agency’s reports, aggregated and suppressed',
);

/**
 * Analysts (own jurisdiction) and agency admins (own agency): aggregates with disclosure control,
 * nothing else. Researchers get the same fields on /research/graphql only.
 */
const aggregates = allowRoles(
  'aggregateStats',
  AGGREGATE_ROLES,
  'analyst: own jurisdiction; agency admin: own agency (researchers: /research/graphql only)',
);

const publishedCounts = allowRoles(
  'publishedCounts',
  [Role.POLICE_OFFICER, Role.EMS_PROVIDER, ...AGGREGATE_ROLES],
  'a count after disclosure control, inside an aggregate its caller may read',
);

/** Agency admins set their own agency's calendar; the hub admin any agency's. */
const calendarWriters = allowRoles(
  'statsCalendarWrite',
  [Role.AGENCY_ADMIN, Role.HUB_ADMIN],
  'agency admin: own agency; hub admin: any agency',
);
const calendarReaders = allowRoles(
  'statsCalendarRead',
  [...AGGREGATE_ROLES, Role.HUB_ADMIN, Role.POLICE_OFFICER, Role.EMS_PROVIDER],
  'own agency’s calendar (the one its numbers are grouped in)',
);

const TABLE = ['groupBy', 'internal', 'timeZone', 'rows', 'subtotals', 'total'];

export const statsPermissions: PermissionMap = {
  Query: {
    myReferralFeedback: reportingAgencies,
    overdoseStats: aggregates,
    followUpStats: aggregates,
    outcomeStats: aggregates,
    dashboardGrid: aggregates,
    statsCalendar: calendarReaders,
  },
  Mutation: {
    setStatsCalendar: calendarWriters,
  },
  StatsCalendar: fields(['agencyId', 'timeZone', 'fiscalYearStartMonth'], calendarReaders),

  ReferralFeedback: fields(['year', 'months', 'total'], reportingAgencies),
  ReferralFeedbackRow: fields(['month', 'reported', 'reached', 'engaged'], reportingAgencies),
  PublishedCount: fields(['value', 'suppressed', 'internal'], publishedCounts),
  ReportingLag: fields(['medianHours', 'p90Hours'], aggregates),
  PublishedRate: fields(['value', 'suppressed', 'unstable'], aggregates),
  TimeToEvent: fields(
    ['medianHours', 'p90Hours', 'within24h', 'within72h', 'suppressed'],
    aggregates,
  ),
  StatsGroup: fields(
    [
      'day',
      'week',
      'month',
      'quarter',
      'fiscalYear',
      'county',
      'countyName',
      'agencyId',
      'agencyName',
      'officerPresence',
      'ageBand',
      'sex',
      'raceEthnicity',
      'substanceCategory',
      'naloxoneGivenBy',
      'caseSource',
      'outcome',
    ],
    aggregates,
  ),
  OverdoseStats: fields(TABLE, aggregates),
  FollowUpStats: fields(TABLE, aggregates),
  OutcomeStats: fields(TABLE, aggregates),
  DashboardGrid: fields(TABLE, aggregates),
  OverdoseStatsRow: fields(
    [
      'group',
      'incidents',
      'fatal',
      'fatalShare',
      'naloxoneDoses',
      'naloxonePerIncident',
      'multipleNaloxone',
      'multipleNaloxoneShare',
      'refusedTransport',
      'refusedTransportShare',
      'ratePer100k',
      'reportingLag',
    ],
    aggregates,
  ),
  FollowUpStatsRow: fields(
    [
      'group',
      'cases',
      'routed',
      'attemptedWithin72hOfRouted',
      'contactedBefore24h',
      'contactedBefore24hShare',
      'earlyContactCaution',
      'withContactInfo',
      'completeness',
      'reportingLag',
      'attempted',
      'contacted',
      'engaged',
      'linked',
      'contactRate',
      'engagementRate',
      'linkageRate',
      'timeToFirstAttempt',
      'timeToFirstContact',
      'naloxoneKitsLeft',
    ],
    aggregates,
  ),
  OutcomeStatsRow: fields(
    [
      'group',
      'cases',
      'contacted',
      'engaged',
      'linked',
      'treatmentEntered',
      'identified',
      'repeatWithin30Days',
      'repeatWithin90Days',
      'leadEnrolled',
      'contactRate',
      'engagementRate',
      'linkageRate',
      'treatmentRate',
      'repeat30Rate',
      'repeat90Rate',
      'leadEnrolmentRate',
    ],
    aggregates,
  ),
  DashboardGridRow: fields(
    ['group', 'incidents', 'fatal', 'naloxoneDoses', 'contacted', 'ratePer100k'],
    aggregates,
  ),
};
