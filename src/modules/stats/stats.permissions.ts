import { Role } from '../../common/role';
import { allowRoles, allowWhen, fields, type PermissionMap } from '../../permissions/access';
import type { Context } from '../../context';
import { AgencyKind } from '../agency/agency-kind';
import { AGGREGATE_ROLES, isLawEnforcement } from './stats-access';

const REPORTING_KINDS: readonly AgencyKind[] = [AgencyKind.LAW_ENFORCEMENT, AgencyKind.EMS];

/**
 * Police and EMS learn what came of their reports only as suppressed counts (DESIGN.md matrix):
 * their crews, and the analysts and admins of a reporting agency.
 */
const reportingAgencies = allowWhen(
  'reportingAgencyFeedback',
  [Role.POLICE_OFFICER, Role.EMS_PROVIDER, ...AGGREGATE_ROLES],
  (_parent, ctx: Context) =>
    ctx.viewer.role === Role.POLICE_OFFICER ||
    ctx.viewer.role === Role.EMS_PROVIDER ||
    REPORTING_KINDS.includes(ctx.viewer.agencyKind),
  'own agency’s reports, aggregated and suppressed; analysts and admins of police and EMS agencies only',
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

/**
 * What came of people after a report (follow-up, outcomes, treatment, LEAD, repeats) is never a
 * law-enforcement agency's to read (DESIGN.md): its analysts, admins and API keys get
 * overdoseStats of their own reports and myReferralFeedback only.
 */
const downstreamAggregates = allowWhen(
  'downstreamAggregateStats',
  AGGREGATE_ROLES,
  (_parent, ctx: Context) => !isLawEnforcement(ctx.viewer),
  'analyst: own jurisdiction; agency admin: own agency; never a law-enforcement agency (researchers: /research/graphql only)',
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
    followUpStats: downstreamAggregates,
    outcomeStats: downstreamAggregates,
    dashboardGrid: downstreamAggregates,
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
