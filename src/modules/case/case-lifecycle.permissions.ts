import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

const timelineReaders = allowRoles(
  'caseTimelineReaders',
  [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN, Role.HUB_ADMIN],
  'agency staff: cases routed to their agency; hub admin: every case (statuses and codes, no identity)',
);
/** Why a case waits (hospitalised, incarcerated…) is the agency's business, not the operator's. */
const agencyStaff = allowRoles(
  'caseLifecycleAgencyStaff',
  [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN],
  'cases routed to their agency',
);
const caseWorker = allowRoles(
  'caseLifecycleWorker',
  [Role.OUTREACH_WORKER],
  'outreach workers of the agency the case is routed to',
);
const caseClosers = allowRoles(
  'caseClosers',
  [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN, Role.HUB_ADMIN],
  'the routed agency (the reason decides which of its roles); hub admin: not eligible or duplicate',
);
const caseVoiders = allowRoles(
  'caseVoiders',
  [Role.AGENCY_ADMIN, Role.HUB_ADMIN],
  'agency admin: cases routed to their agency; hub admin: every case',
);

export const caseLifecyclePermissions: PermissionMap = {
  Mutation: {
    ...fields(
      [
        'putCaseOnHold',
        'resumeCase',
        'markCaseEngaged',
        'markCaseLinked',
        'startCaseFollowUp',
        'clearDoNotContact',
        'recordDoNotContact',
      ],
      caseWorker,
    ),
    closeCase: caseClosers,
    markCaseEnteredInError: caseVoiders,
  },
  // Workflow facts of the case, no identity: whoever works the queue sees them.
  Case: {
    ...fields(['timeline', 'attemptCount', 'lastAttemptAt', 'resumeOn'], timelineReaders),
    holdReason: agencyStaff,
  },
  CaseEvent: {
    ...fields(['kind', 'at', 'fromStatus', 'toStatus', 'actor'], timelineReaders),
    reason: agencyStaff,
    // What an attempt was (outcome, who was present, what was left) is the outreach team's.
    attempt: caseWorker,
  },
};
