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
 * Analysts (own jurisdiction), agency admins (own agency) and researchers (research endpoint
 * only, enforced in stats-access.ts): aggregates with disclosure control, nothing else.
 */
const aggregates = allowRoles(
  'aggregateStats',
  AGGREGATE_ROLES,
  'analyst: own jurisdiction; agency admin: own agency; researcher: research endpoint',
);

const publishedCounts = allowRoles('publishedCounts', [
  Role.POLICE_OFFICER,
  Role.EMS_PROVIDER,
  ...AGGREGATE_ROLES,
]);

const TABLE = ['groupBy', 'rows', 'subtotals', 'total'];

export const statsPermissions: PermissionMap = {
  Query: {
    myReferralFeedback: reportingAgencies,
    overdoseStats: aggregates,
    followUpStats: aggregates,
    outcomeStats: aggregates,
    dashboardGrid: aggregates,
  },
  ReferralFeedback: fields(['year', 'months', 'total'], reportingAgencies),
  ReferralFeedbackRow: fields(['month', 'reported', 'reached', 'engaged'], reportingAgencies),
  PublishedCount: fields(['value', 'suppressed'], publishedCounts),
  PublishedRate: fields(['value', 'suppressed', 'unstable'], aggregates),
  TimeToEvent: fields(
    ['medianHours', 'p90Hours', 'within24h', 'within72h', 'suppressed'],
    aggregates,
  ),
  StatsGroup: fields(
    [
      'month',
      'week',
      'county',
      'agencyId',
      'agencyName',
      'officerPresence',
      'ageBand',
      'sex',
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
    ],
    aggregates,
  ),
  FollowUpStatsRow: fields(
    [
      'group',
      'cases',
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
    ['group', 'incidents', 'fatal', 'naloxoneDoses', 'contacted'],
    aggregates,
  ),
};
