import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

// Rule names are unique across the hub: the permission layer caches results by name.

/** Caseload supervision is the agency admin's (issue 14 point 3): no identity, own agency only. */
const caseloadSupervisor = allowRoles(
  'caseloadSupervisor',
  [Role.AGENCY_ADMIN],
  "agency admin: their own agency's cases and outreach workers",
);

export const caseloadPermissions: PermissionMap = {
  Query: { agencyCaseload: caseloadSupervisor },
  Mutation: { reassignCase: caseloadSupervisor },
  AgencyCaseload: fields(
    ['workers', 'unassignedOpenCases', 'unassignedOverdueCases', 'uniformedOfficerVisits'],
    caseloadSupervisor,
  ),
  WorkerCaseload: fields(['worker', 'openCases', 'overdueCases'], caseloadSupervisor),
};
