import { Role } from '../../common/role';
import type { Context } from '../../context';
import { allowRoles, allowWhen, fields, type PermissionMap } from '../../permissions/access';
import type { CaseType } from './case.types';

const OUTREACH = [Role.OUTREACH_WORKER];
const AGENCY_STAFF = [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN];
const CASE_READERS = [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN, Role.HUB_ADMIN];

const caseReaders = allowRoles(
  'caseReaders',
  CASE_READERS,
  'agency staff: cases routed to their agency; hub admin: every case',
);
const caseAgencyStaff = allowRoles('caseAgencyStaff', AGENCY_STAFF, 'cases routed to their agency');
const caseOutreach = allowRoles('caseOutreach', OUTREACH, 'cases routed to their agency');
const caseHubAdmin = allowRoles('caseHubAdmin', [Role.HUB_ADMIN]);
/** Identity only reaches the routed agency under an active data-sharing agreement. */
const caseIdentity = allowWhen(
  'caseIdentity',
  OUTREACH,
  (parent) => (parent as CaseType).identitySealed === false,
  'cases routed to their agency, unless identity is sealed',
);

/** The follow-up queue is an outreach agency's work list: its workers and its administrator. */
const followUpQueue = allowWhen(
  'caseFollowUpQueue',
  AGENCY_STAFF,
  (_parent, ctx: Context) => ctx.viewer.runsFollowUp === true,
  'staff of an agency running follow-up: cases routed to their agency',
);

export const casePermissions: PermissionMap = {
  Query: { case: caseReaders, cases: caseReaders, followUpQueue },
  Mutation: {
    acceptCase: caseAgencyStaff,
    declineCase: caseAgencyStaff,
    retriageCase: caseHubAdmin,
  },
  CaseConnection: fields(['edges', 'pageInfo', 'totalCount'], caseReaders),
  CaseEdge: fields(['cursor', 'node'], caseReaders),
  // The queue: status, window and routing, no identity. Agency admins and the operator work it.
  Case: {
    ...fields(
      [
        'id',
        'status',
        'closeReason',
        'triageReason',
        'county',
        'routedAgency',
        'followUpOpensAt',
        'followUpDueAt',
        'overdue',
        'followUpBucket',
        'identitySealed',
        'sealedReason',
        'referrals',
        'event',
        'referralSource',
        'referredAt',
        'version',
        'createdAt',
        'updatedAt',
      ],
      caseReaders,
    ),
    // Who holds the case is the agency's business, not the operator's.
    assignedWorker: caseAgencyStaff,
    // Why attempts are refused: the team's and its admin's (like consent, existence only).
    peerContactDeclinedAt: caseAgencyStaff,
    // The event and the person's history are for the one who visits.
    ...fields(
      ['indexIncident', 'priorCaseCount', 'repeatOverdose', 'declinedServicesOn'],
      caseOutreach,
    ),
    // Attempts are the outreach team's (DESIGN.md matrix), like Case.outreachAttempts.
    lastAttempt: caseOutreach,
    person: caseIdentity,
  },
  // Which reports make one overdose: no identity, no place. The routed agency's admin merges
  // events by id and version; the doses are the outreach team's (DESIGN.md matrix).
  OverdoseEvent: {
    ...fields(
      ['id', 'occurredAt', 'county', 'sourceReportCount', 'mergedIntoId', 'version'],
      caseReaders,
    ),
    naloxoneAdministrations: caseOutreach,
  },
  Referral: fields(
    ['id', 'toAgency', 'type', 'status', 'statusReason', 'createdAt', 'respondedAt'],
    caseReaders,
  ),
};
