import { Role } from '../../common/role';
import { allowRoles, allowWhen, fields, type PermissionMap } from '../../permissions/access';
import type { LeadReferralFlagType, LeadReferralType } from './lead.types';

// Rule names are unique across the hub: the permission layer caches results by name.
const CM = [Role.LEAD_CASE_MANAGER];
const PROGRAM_STAFF = [Role.LEAD_CASE_MANAGER, Role.AGENCY_ADMIN];
const REFERRERS = [Role.POLICE_OFFICER, Role.OUTREACH_WORKER];

const leadCaseManager = allowRoles('leadCaseManager', CM, 'referrals to their program');
const leadProgramStaff = allowRoles(
  'leadProgramStaff',
  PROGRAM_STAFF,
  'referrals to their program (agency admin: the queue, no status detail or identity)',
);
/** DESIGN.md matrix, LEAD case manager Rc: identity and exact location only under a release. */
const leadReleased = allowWhen(
  'leadReleased',
  CM,
  (parent) => (parent as LeadReferralType).releaseInForce === true,
  'referrals to their program, while a release naming the program is in force',
);
const leadReferrers = allowRoles(
  'leadReferrers',
  REFERRERS,
  'referrals their own agency made: that they exist, nothing downstream',
);
/**
 * DESIGN.md matrix, LEAD status for police: a flag, only if they referred and a release covers
 * police (outreach: Rc, any release to the program). Computed per caller in the query.
 */
const leadEnrolledFlag = allowWhen(
  'leadEnrolledFlag',
  REFERRERS,
  (parent) => (parent as LeadReferralFlagType).enrolledVisible === true,
  'referrals their own agency made, while a release covering them is in force',
);

export const leadPermissions: PermissionMap = {
  Query: {
    leadReferrals: leadProgramStaff,
    leadReferral: leadProgramStaff,
    myLeadReferrals: leadReferrers,
  },
  Mutation: {
    referToLead: leadReferrers,
    updateLeadStatus: leadCaseManager,
    assignLeadCaseManager: leadProgramStaff,
    recordLeadRelease: leadCaseManager,
  },
  LeadReferralConnection: fields(['edges', 'pageInfo', 'totalCount'], leadProgramStaff),
  LeadReferralEdge: fields(['cursor', 'node'], leadProgramStaff),
  LeadReferral: {
    // The queue an admin works to assign case managers.
    ...fields(
      [
        'id',
        'door',
        'intakeDeadline',
        'intakeOverdue',
        'program',
        'caseManager',
        'createdAt',
        'updatedAt',
        'version',
        'county',
      ],
      leadProgramStaff,
    ),
    // The track itself, and the overdose without location (matrix: R referred).
    ...fields(
      ['status', 'exitReason', 'releaseInForce', 'releases', 'incidentSummary'],
      leadCaseManager,
    ),
    // Issue 14 point 5: what police know and entered for the referral reaches the case manager
    // without a release: it is police information shared for the referral, not treatment data.
    referralDetails: leadCaseManager,
    ...fields(['person', 'incidentAddress'], leadReleased),
  },
  LeadIncidentSummary: fields(['occurredAt', 'county', 'fatal', 'naloxoneGiven'], leadCaseManager),
  LeadIncidentAddress: fields(['street', 'city', 'state', 'zip'], leadCaseManager),
  LeadReferralDetails: fields(
    [
      'firstName',
      'lastName',
      'dateOfBirth',
      'whereToFind',
      'contact',
      'referringOfficer',
      'referringAgency',
    ],
    leadCaseManager,
  ),
  LeadReferralFlagConnection: fields(['edges', 'pageInfo', 'totalCount'], leadReferrers),
  LeadReferralFlagEdge: fields(['cursor', 'node'], leadReferrers),
  LeadReferralFlag: {
    // The one signal back (issue 14 point 5): intake completed by the deadline, yes or no.
    ...fields(['id', 'createdAt', 'door', 'intakeCompletedByDeadline'], leadReferrers),
    enrolled: leadEnrolledFlag,
  },
};
