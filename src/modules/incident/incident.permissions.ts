import { Role } from '../../common/role';
import { allowRoles, allowWhen, fields, type PermissionMap } from '../../permissions/access';
import { isLocationSealed } from './incident-location-seal';

/**
 * DESIGN.md minimum-necessary matrix for incidents. Reporters only ever reach their own
 * agency's incidents and outreach workers only the index incident of a case routed to them
 * (row scope lives in the queries); these rules decide which fields each may read.
 */
const reporters = allowRoles(
  'incidentReporters',
  [Role.POLICE_OFFICER, Role.EMS_PROVIDER],
  'own agency’s incidents',
);
const reportersAndOutreach = allowRoles(
  'incidentReadersAndOutreach',
  [Role.POLICE_OFFICER, Role.EMS_PROVIDER, Role.OUTREACH_WORKER],
  'reporters: own agency’s incidents; outreach: cases routed to their agency',
);
const emsAndOutreach = allowRoles(
  'emsAndOutreach',
  [Role.EMS_PROVIDER, Role.OUTREACH_WORKER],
  'EMS: own agency’s incidents; outreach: cases routed to their agency',
);

/**
 * Who may send a report: police and EMS (a 911 response or a community reversal they learnt of)
 * and outreach workers (community reversals only: incident-validation.ts refuses any other source).
 */
const senders = allowRoles(
  'incidentSenders',
  [Role.POLICE_OFFICER, Role.EMS_PROVIDER, Role.OUTREACH_WORKER],
  'police and EMS: any report; outreach workers: community reversals',
);

/** The exact place: reporters always; outreach only once the case's identity is unsealed. */
const incidentLocation = allowWhen(
  'incidentLocation',
  [Role.POLICE_OFFICER, Role.EMS_PROVIDER, Role.OUTREACH_WORKER],
  (parent) => !isLocationSealed(parent),
  'reporters: own agency’s incidents; outreach: cases routed to their agency, unless sealed',
);

export const incidentPermissions: PermissionMap = {
  Query: { incident: reporters, myAgencyIncidents: reporters },
  Mutation: { reportIncident: senders, reportIncidents: senders, amendIncident: reporters },
  OverdoseIncident: {
    ...fields(
      [
        'id',
        'occurredAt',
        'county',
        'fatal',
        'naloxoneGiven',
        'reportingAgency',
        'naloxoneAdministrations',
        'substanceCategories',
        'officerWarmHandoff',
        'source',
        'naloxoneKitsLeftBehind',
        'consentToPeerContact',
      ],
      reportersAndOutreach,
    ),
    ...fields(
      [
        'externalId',
        'suspectedSubstances',
        'caseDefinition',
        'caseDefinitionVersion',
        'historical',
        'reportedIdentity',
        'version',
        'createdAt',
        'updatedAt',
      ],
      reporters,
    ),
    ...fields(['street', 'city', 'state', 'zip', 'latitude', 'longitude'], incidentLocation),
    // Police never see EMS disposition (it is EMS clinical detail); outreach uses it as a priority signal.
    emsDisposition: emsAndOutreach,
  },
  NaloxoneAdministration: {
    ...fields(['id', 'administeredAt', 'doseMg', 'response'], reportersAndOutreach),
    ...fields(['route', 'administeredBy'], reporters),
  },
  ReportedIdentity: fields(['firstName', 'lastName', 'dateOfBirth'], reporters),
  ReportIncidentResult: fields(['status', 'incident'], senders),
  BatchReportResult: fields(
    ['items', 'createdCount', 'alreadyReportedCount', 'rejectedCount'],
    senders,
  ),
  BatchReportItem: fields(['index', 'externalId', 'status', 'incident', 'errors'], senders),
  FieldError: fields(['field', 'message'], senders),
  OverdoseIncidentConnection: fields(['edges', 'pageInfo', 'totalCount'], reporters),
  OverdoseIncidentEdge: fields(['cursor', 'node'], reporters),
};
