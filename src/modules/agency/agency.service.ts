import type { EntityManager } from '@mikro-orm/postgresql';
import { flushOrConflict } from '../../common/flush';
import { isUuid } from '../../common/uuid';
import { badInput, notFound } from '../../errors/hub-errors';
import { AgencyKind } from './agency-kind';
import { Agency } from './agency.entity';
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
  const agency = em.create(Agency, {
    name: input.name.trim(),
    kind: input.kind,
    serviceCounties: [...input.serviceCounties].sort(),
    part2Program: input.part2Program,
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
  await flushOrConflict(em, DUPLICATE);
  return agency;
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

/** Agencies that may never hold a case (DESIGN.md: running follow-up is not theirs). */
const NO_CASES: readonly AgencyKind[] = [AgencyKind.LAW_ENFORCEMENT, AgencyKind.RESEARCH];

/** Opts the agency in or out of family-support cases after a fatal overdose in its area. */
export async function setFamilySupport(
  em: EntityManager,
  viewer: Viewer,
  agencyId: string | undefined,
  offers: boolean,
): Promise<Agency> {
  const agency = await getAgency(em, targetAgencyId(viewer, agencyId, 'agencyId'));
  if (offers && NO_CASES.includes(agency.kind)) {
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
