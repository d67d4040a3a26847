import { Role } from '../../common/role';
import { allowRoles, fields, type PermissionMap } from '../../permissions/access';

/** Outcomes include treatment (42 CFR Part 2): the outreach agency of the case only. */
const outreach = allowRoles(
  'outcomeOutreach',
  [Role.OUTREACH_WORKER],
  'cases routed to their agency',
);

export const outcomePermissions: PermissionMap = {
  Mutation: { recordOutcome: outreach },
  Case: { outcomes: outreach },
  Outcome: fields(['id', 'type', 'occurredAt', 'moudType', 'automatic', 'createdAt'], outreach),
};
