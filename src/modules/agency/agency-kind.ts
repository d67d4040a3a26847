import { registerEnumType } from 'type-graphql';
import { Role } from '../../common/role';

export enum AgencyKind {
  LAW_ENFORCEMENT = 'LAW_ENFORCEMENT',
  EMS = 'EMS',
  HARM_REDUCTION = 'HARM_REDUCTION',
  LEAD_PROGRAM = 'LEAD_PROGRAM',
  TREATMENT = 'TREATMENT',
  PUBLIC_HEALTH = 'PUBLIC_HEALTH',
  RESEARCH = 'RESEARCH',
}

registerEnumType(AgencyKind, { name: 'AgencyKind' });

/**
 * Which roles an agency of each kind may hand out. This keeps, for example, a police department
 * from minting an outreach-worker account that would read survivors' identity. OUTREACH_WORKER
 * is not here: it follows the follow-up capability, not the kind (follow-up-capability.ts).
 */
export const ROLES_BY_AGENCY_KIND: Record<AgencyKind, readonly Role[]> = {
  [AgencyKind.LAW_ENFORCEMENT]: [Role.POLICE_OFFICER, Role.AGENCY_ADMIN, Role.ANALYST],
  [AgencyKind.EMS]: [Role.EMS_PROVIDER, Role.AGENCY_ADMIN, Role.ANALYST],
  [AgencyKind.HARM_REDUCTION]: [Role.AGENCY_ADMIN, Role.ANALYST],
  [AgencyKind.LEAD_PROGRAM]: [Role.LEAD_CASE_MANAGER, Role.AGENCY_ADMIN, Role.ANALYST],
  [AgencyKind.TREATMENT]: [Role.TREATMENT_PROVIDER, Role.AGENCY_ADMIN, Role.ANALYST],
  [AgencyKind.PUBLIC_HEALTH]: [Role.ANALYST, Role.AGENCY_ADMIN, Role.HUB_ADMIN],
  [AgencyKind.RESEARCH]: [Role.RESEARCHER, Role.AGENCY_ADMIN],
};

/** Machine clients only report or read aggregates; they never hold a person-facing role. */
export const API_KEY_ROLES: readonly Role[] = [
  Role.EMS_PROVIDER,
  Role.POLICE_OFFICER,
  Role.ANALYST,
];
