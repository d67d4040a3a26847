import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

/** DESIGN.md matrix: audit is W/R own agency for the agency admin; review is the operator's job. */
const auditReviewers = allowRoles(
  'auditReviewers',
  [Role.HUB_ADMIN, Role.AGENCY_ADMIN],
  'hub admin: every event; agency admin: events of their own agency’s users and API keys',
);
/**
 * The disclosure list of one person is the operator's alone: an agency admin holds no victim
 * identity, and the rule depends on the role only, so nobody else can learn whether a person id
 * exists from it.
 */
const disclosureReviewers = allowRoles('disclosureReviewers', [Role.HUB_ADMIN], 'every person');

export const auditPermissions: PermissionMap = {
  Query: { auditEvents: auditReviewers, disclosuresForPerson: disclosureReviewers },
  AuditEventConnection: fields(['edges', 'pageInfo', 'totalCount'], auditReviewers),
  AuditEventEdge: fields(['cursor', 'node'], auditReviewers),
  AuditEvent: fields(
    [
      'id',
      'occurredAt',
      'actorKind',
      'actorUserId',
      'actorApiKeyId',
      'agencyId',
      'role',
      'action',
      'entityType',
      'entityIds',
      'personIds',
      'fields',
      'purpose',
      'requestId',
      'outcome',
      'errorCode',
      'details',
    ],
    auditReviewers,
  ),
};
