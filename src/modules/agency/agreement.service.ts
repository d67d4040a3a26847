import { assertVersion, flushVersioned } from '../../common/optimistic-lock';
import { type EntityManager, type FilterQuery } from '@mikro-orm/postgresql';
import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import { badInput, forbidden, notFound, type FieldProblem } from '../../errors/hub-errors';
import { validateInputAs } from '../../errors/validation-problems';
import type { Viewer } from '../../auth/viewer';
import { AgencyKind } from './agency-kind';
import { Agency } from './agency.entity';
import { AgreementPurpose } from './agreement-codes';
import {
  AmendDataSharingAgreementInput,
  CreateDataSharingAgreementInput,
  DataSharingAgreementFilter,
} from './agreement.input';
import { activeAgreementWhere } from './agreement-query';
import { DataSharingAgreement } from './data-sharing-agreement.entity';

const AGREEMENT = 'Data-sharing agreement';
const STALE = 'The agreement was changed by someone else: reload it and try again';
export const MAX_END_REASON_LENGTH = 500;

/** Identity comes from the agencies that report overdoses. */
export const SOURCE_KINDS: readonly AgencyKind[] = [AgencyKind.LAW_ENFORCEMENT, AgencyKind.EMS];

/** Who may receive identity for each purpose. */
export const RECIPIENT_KINDS: Record<AgreementPurpose, readonly AgencyKind[]> = {
  [AgreementPurpose.FOLLOW_UP_OUTREACH]: [AgencyKind.HARM_REDUCTION, AgencyKind.TREATMENT],
  [AgreementPurpose.LEAD]: [AgencyKind.LEAD_PROGRAM],
};

/**
 * Row scope, as a query condition: the hub admin sees every agreement, an agency admin those its
 * agency is party to. Anyone else has no business here (the permission layer stops them first).
 */
function scopeOf(viewer: Viewer): FilterQuery<DataSharingAgreement> {
  if (viewer.role === Role.HUB_ADMIN) return {};
  if (viewer.role === Role.AGENCY_ADMIN) return partyTo(viewer.agencyId);
  throw forbidden();
}

const partyTo = (agencyId: string): FilterQuery<DataSharingAgreement> => ({
  $or: [{ sourceAgency: agencyId }, { recipientAgency: agencyId }],
});

function assertHubAdmin(viewer: Viewer): void {
  if (viewer.role !== Role.HUB_ADMIN) throw forbidden();
}

export async function listAgreements(
  em: EntityManager,
  viewer: Viewer,
  filter: DataSharingAgreementFilter | undefined,
): Promise<DataSharingAgreement[]> {
  const scope = scopeOf(viewer);
  const problems = filter
    ? await validateInputAs(DataSharingAgreementFilter, filter, 'filter')
    : [];
  if (filter?.agencyId && !isUuid(filter.agencyId)) {
    problems.push({ field: 'filter.agencyId', message: 'is not an id' });
  }
  if (problems.length > 0) throw badInput(problems);

  const conditions = [scope];
  if (filter?.agencyId) conditions.push(partyTo(filter.agencyId));
  if (filter?.activeOnly) conditions.push(activeAgreementWhere(new Date()));
  return em.find(
    DataSharingAgreement,
    { $and: conditions },
    { orderBy: { createdAt: 'desc', id: 'asc' } },
  );
}

/** An agreement outside the caller's scope answers exactly like a missing one. */
export async function getAgreement(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<DataSharingAgreement> {
  const scope = scopeOf(viewer);
  const agreement = isUuid(id)
    ? await em.findOne(DataSharingAgreement, { $and: [{ id }, scope] })
    : null;
  if (!agreement) throw notFound(AGREEMENT);
  return agreement;
}

export async function createAgreement(
  em: EntityManager,
  viewer: Viewer,
  input: CreateDataSharingAgreementInput,
): Promise<DataSharingAgreement> {
  assertHubAdmin(viewer);
  const problems = await validateInputAs(CreateDataSharingAgreementInput, input, 'input');
  const effectiveFrom = input.effectiveFrom ?? new Date();
  problems.push(...periodProblems(effectiveFrom, input.effectiveTo, 'input.effectiveTo'));
  problems.push(...(await partyProblems(em, input)));
  if (problems.length > 0) throw badInput(problems);

  const agreement = em.create(DataSharingAgreement, {
    sourceAgency: input.sourceAgencyId,
    recipientAgency: input.recipientAgencyId,
    purpose: input.purpose,
    lawfulBasis: input.lawfulBasis,
    counties: [...input.counties].sort(),
    effectiveFrom,
    effectiveTo: input.effectiveTo ?? undefined,
  });
  await em.flush();
  return agreement;
}

export async function amendAgreement(
  em: EntityManager,
  viewer: Viewer,
  id: string,
  version: number,
  input: AmendDataSharingAgreementInput,
): Promise<DataSharingAgreement> {
  assertHubAdmin(viewer);
  const agreement = await getAgreement(em, viewer, id);
  const problems = await validateInputAs(AmendDataSharingAgreementInput, input, 'input');
  for (const field of ['lawfulBasis', 'counties', 'effectiveFrom'] as const) {
    if (input[field] === null)
      problems.push({ field: `input.${field}`, message: 'cannot be null' });
  }
  if (agreement.endedAt) {
    problems.push({ field: 'id', message: 'the agreement has ended and cannot be amended' });
  }
  const effectiveFrom = input.effectiveFrom ?? agreement.effectiveFrom;
  const effectiveTo = input.effectiveTo === undefined ? agreement.effectiveTo : input.effectiveTo;
  const periodField = input.effectiveTo === undefined ? 'input.effectiveFrom' : 'input.effectiveTo';
  problems.push(...periodProblems(effectiveFrom, effectiveTo, periodField));
  if (problems.length > 0) throw badInput(problems);
  assertVersion(agreement, version, STALE);

  if (input.lawfulBasis) agreement.lawfulBasis = input.lawfulBasis;
  if (input.counties) agreement.counties = [...input.counties].sort();
  agreement.effectiveFrom = effectiveFrom;
  agreement.effectiveTo = effectiveTo ?? undefined;
  await flushVersioned(em, STALE);
  return agreement;
}

/** Ends the agreement now; identity stops flowing under it at once. */
export async function endAgreement(
  em: EntityManager,
  viewer: Viewer,
  id: string,
  version: number,
  reason: string,
): Promise<DataSharingAgreement> {
  assertHubAdmin(viewer);
  const agreement = await getAgreement(em, viewer, id);
  const trimmed = typeof reason === 'string' ? reason.trim() : '';
  const problems: FieldProblem[] = [];
  if (trimmed.length < 1 || trimmed.length > MAX_END_REASON_LENGTH) {
    problems.push({
      field: 'reason',
      message: `must be 1 to ${MAX_END_REASON_LENGTH} characters`,
    });
  }
  if (agreement.endedAt) problems.push({ field: 'id', message: 'the agreement has already ended' });
  if (problems.length > 0) throw badInput(problems);
  assertVersion(agreement, version, STALE);

  agreement.endedAt = new Date();
  agreement.endedReason = trimmed;
  await flushVersioned(em, STALE);
  return agreement;
}

function periodProblems(from: Date, to: Date | null | undefined, field: string): FieldProblem[] {
  if (!(from instanceof Date) || !(to instanceof Date)) return [];
  return to.getTime() > from.getTime() ? [] : [{ field, message: 'must be after effectiveFrom' }];
}

/**
 * Both parties must be active agencies of the right kinds. A missing agency is a problem with
 * the input, not a NOT_FOUND: the hub admin sees every agency, so there is nothing to hide.
 */
async function partyProblems(
  em: EntityManager,
  input: CreateDataSharingAgreementInput,
): Promise<FieldProblem[]> {
  const ids = [input.sourceAgencyId, input.recipientAgencyId].filter(
    (id) => typeof id === 'string' && isUuid(id),
  );
  const agencies = ids.length > 0 ? await em.find(Agency, { id: ids, active: true }) : [];
  const byId = new Map(agencies.map((a) => [a.id, a]));
  const source = byId.get(input.sourceAgencyId);
  const recipient = byId.get(input.recipientAgencyId);
  const problems: FieldProblem[] = [];

  if (!source) {
    problems.push({ field: 'input.sourceAgencyId', message: 'is not an active agency' });
  } else if (!SOURCE_KINDS.includes(source.kind)) {
    problems.push({
      field: 'input.sourceAgencyId',
      message: `must be a reporting agency (${SOURCE_KINDS.join(' or ')})`,
    });
  }

  const allowed = RECIPIENT_KINDS[input.purpose] as readonly AgencyKind[] | undefined;
  if (!recipient) {
    problems.push({ field: 'input.recipientAgencyId', message: 'is not an active agency' });
  } else if (input.sourceAgencyId === input.recipientAgencyId) {
    problems.push({ field: 'input.recipientAgencyId', message: 'must differ from the source' });
  } else if (
    allowed &&
    !allowed.includes(recipient.kind) &&
    // Identity for follow-up goes to whoever runs follow-up, whatever its kind.
    !(input.purpose === AgreementPurpose.FOLLOW_UP_OUTREACH && recipient.runsFollowUp)
  ) {
    problems.push({
      field: 'input.recipientAgencyId',
      message:
        input.purpose === AgreementPurpose.FOLLOW_UP_OUTREACH
          ? `must be an agency running follow-up (or a ${allowed.join(' or ')} agency) for ${input.purpose}`
          : `must be a ${allowed.join(' or ')} agency for ${input.purpose}`,
    });
  }
  return problems;
}
