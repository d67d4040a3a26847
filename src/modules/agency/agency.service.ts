import type { EntityManager } from '@mikro-orm/postgresql';
import { flushOrConflict } from '../../common/flush';
import { isUuid } from '../../common/uuid';
import { badInput, notFound } from '../../errors/hub-errors';
import type { AgencyKind } from './agency-kind';
import { Agency } from './agency.entity';
import {
  FOLLOW_UP_ROLES,
  KINDS_WITHOUT_FOLLOW_UP,
  mayRunFollowUp,
  runsFollowUpByDefault,
} from './follow-up-capability';
import { User } from './user.entity';
import type { CreateAgencyInput, UpdateAgencyInput } from './agency.input';
import type { Viewer } from '../../auth/viewer';
import type { CaseDefinitionName } from '../incident/case-definition';
import { targetAgencyId } from './agency-scope';

const DUPLICATE = 'An agency with this name already exists';

export async function listAgencies(em: EntityManager, includeInactive: boolean): Promise<Agency[]> {
  return em.find(Agency, includeInactive ? {} : { active: true }, { orderBy: { name: 'asc' } });
}

export async function getAgency(em: EntityManager, id: string): Promise<Agency> {
  const agency = isUuid(id) ? await em.findOne(Agency, { id }) : null;
  if (!agency) throw notFound('Agency');
  return agency;
}

export async function createAgency(em: EntityManager, input: CreateAgencyInput): Promise<Agency> {
  const runsFollowUp = input.runsFollowUp ?? runsFollowUpByDefault(input.kind);
  if (runsFollowUp && !mayRunFollowUp(input.kind)) throw badInput(noFollowUpFor(input.kind));
  const agency = em.create(Agency, {
    name: input.name.trim(),
    kind: input.kind,
    serviceCounties: [...input.serviceCounties].sort(),
    part2Program: input.part2Program,
    runsFollowUp,
  });
  await flushOrConflict(em, DUPLICATE);
  return agency;
}

export async function updateAgency(
  em: EntityManager,
  id: string,
  input: UpdateAgencyInput,
): Promise<Agency> {
  const agency = await getAgency(em, id);
  // An explicit null means "leave as is", like an omitted field: none of these can be empty.
  if (input.name != null) agency.name = input.name.trim();
  if (input.serviceCounties != null) agency.serviceCounties = [...input.serviceCounties].sort();
  if (input.part2Program != null) agency.part2Program = input.part2Program;
  if (input.runsFollowUp != null && input.runsFollowUp !== agency.runsFollowUp) {
    await assertFollowUpChange(em, agency, input.runsFollowUp);
    agency.runsFollowUp = input.runsFollowUp;
  }
  await flushOrConflict(em, DUPLICATE);
  return agency;
}

const noFollowUpFor = (kind: AgencyKind) => ({
  field: 'input.runsFollowUp',
  message: `a ${kind} agency cannot run follow-up (not ${KINDS_WITHOUT_FOLLOW_UP.join(' or ')})`,
});

/**
 * Only agencies running follow-up hold outreach workers: turning the capability off while some
 * are active would leave accounts reading survivors' identity in an agency routing no longer
 * serves. The admin deactivates them first (their open cases go back to the agency's queue).
 */
async function assertFollowUpChange(
  em: EntityManager,
  agency: Agency,
  runsFollowUp: boolean,
): Promise<void> {
  if (runsFollowUp) {
    if (!mayRunFollowUp(agency.kind)) throw badInput(noFollowUpFor(agency.kind));
    return;
  }
  const workers = await em.count(User, {
    agency: agency.id,
    active: true,
    role: { $in: [...FOLLOW_UP_ROLES] },
  });
  if (workers > 0) {
    throw badInput({
      field: 'input.runsFollowUp',
      message: `the agency still has ${workers} active outreach worker(s): deactivate them first`,
    });
  }
}

/**
 * The case definition an agency's NEMSIS imports use: its own administrator chooses (an agency
 * admin acts on its own agency only), or the hub administrator for any agency.
 */
export async function setCaseDefinition(
  em: EntityManager,
  viewer: Viewer,
  agencyId: string | undefined,
  definition: CaseDefinitionName,
): Promise<Agency> {
  const agency = await getAgency(em, targetAgencyId(viewer, agencyId, 'agencyId'));
  agency.caseDefinition = definition;
  await em.flush();
  return agency;
}

/**
 * The agency's visit policy (issue 14 point 4): whether attempts with a uniformed officer
 * present are refused. Its own administrator sets it, or the hub administrator for any agency.
 */
export async function setVisitPolicy(
  em: EntityManager,
  viewer: Viewer,
  agencyId: string | undefined,
  refuseUniformedOfficers: boolean,
): Promise<Agency> {
  const agency = await getAgency(em, targetAgencyId(viewer, agencyId, 'agencyId'));
  agency.refuseUniformedOfficers = refuseUniformedOfficers;
  await em.flush();
  return agency;
}

/** Opts the agency in or out of family-support cases after a fatal overdose in its area. */
export async function setFamilySupport(
  em: EntityManager,
  viewer: Viewer,
  agencyId: string | undefined,
  offers: boolean,
): Promise<Agency> {
  const agency = await getAgency(em, targetAgencyId(viewer, agencyId, 'agencyId'));
  // Agencies that may never hold a case (DESIGN.md: running follow-up is not theirs).
  if (offers && KINDS_WITHOUT_FOLLOW_UP.includes(agency.kind)) {
    throw badInput({
      field: 'offers',
      message: `a ${agency.kind} agency cannot receive family-support cases`,
    });
  }
  agency.offersFamilySupport = offers;
  await em.flush();
  return agency;
}

/** A deactivated agency's users and keys stop working at once (checked on every request). */
export async function setAgencyActive(
  em: EntityManager,
  id: string,
  active: boolean,
): Promise<Agency> {
  const agency = await getAgency(em, id);
  agency.active = active;
  await em.flush();
  return agency;
}
