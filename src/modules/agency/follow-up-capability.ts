import { Role } from '../../common/role';
import { AgencyKind, ROLES_BY_AGENCY_KIND } from './agency-kind';

/**
 * Running follow-up is a capability, not an agency kind (issue 14 point 1): post-overdose teams
 * are run by harm-reduction organisations, EMS community-paramedic programs and health
 * departments alike. The hub admin gives it to an agency of any kind but these two: police must
 * never hold survivors' identity as a follow-up team, and research never sees a person.
 */
export const KINDS_WITHOUT_FOLLOW_UP: readonly AgencyKind[] = [
  AgencyKind.LAW_ENFORCEMENT,
  AgencyKind.RESEARCH,
];

/** Roles only an agency running follow-up may hold. */
export const FOLLOW_UP_ROLES: readonly Role[] = [Role.OUTREACH_WORKER];

export function mayRunFollowUp(kind: AgencyKind): boolean {
  return !KINDS_WITHOUT_FOLLOW_UP.includes(kind);
}

/** A harm-reduction organisation runs follow-up unless the hub admin says otherwise. */
export function runsFollowUpByDefault(kind: AgencyKind): boolean {
  return kind === AgencyKind.HARM_REDUCTION;
}

/** The roles an agency may hand out: those of its kind, and outreach workers if it runs follow-up. */
export function rolesOf(agency: { kind: AgencyKind; runsFollowUp: boolean }): readonly Role[] {
  const byKind = ROLES_BY_AGENCY_KIND[agency.kind];
  return agency.runsFollowUp ? [...FOLLOW_UP_ROLES, ...byKind] : byKind;
}
