import { registerEnumType } from 'type-graphql';

/** Roles from DESIGN.md. A caller has exactly one, taken from the database, never from a token. */
export enum Role {
  POLICE_OFFICER = 'POLICE_OFFICER',
  EMS_PROVIDER = 'EMS_PROVIDER',
  OUTREACH_WORKER = 'OUTREACH_WORKER',
  LEAD_CASE_MANAGER = 'LEAD_CASE_MANAGER',
  /** Staff of a treatment agency: a person only through an onward referral, under consent. */
  TREATMENT_PROVIDER = 'TREATMENT_PROVIDER',
  AGENCY_ADMIN = 'AGENCY_ADMIN',
  ANALYST = 'ANALYST',
  RESEARCHER = 'RESEARCHER',
  HUB_ADMIN = 'HUB_ADMIN',
}

export const ALL_ROLES: readonly Role[] = Object.values(Role);

registerEnumType(Role, { name: 'Role', description: 'What a caller may do; see DESIGN.md' });
