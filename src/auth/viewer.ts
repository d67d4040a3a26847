import type { Role } from '../common/role';
import type { AgencyKind } from '../modules/agency/agency-kind';

/**
 * The verified caller. Built from the database on every request (the token only names the user),
 * so a role change or deactivation takes effect at once.
 */
export interface Viewer {
  kind: 'USER' | 'API_KEY';
  userId?: string;
  apiKeyId?: string;
  agencyId: string;
  agencyKind: AgencyKind;
  /** The caller's agency runs post-overdose follow-up (follow-up-capability.ts). */
  runsFollowUp?: boolean;
  role: Role;
}
