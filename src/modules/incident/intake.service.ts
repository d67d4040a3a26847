import { ref } from '@mikro-orm/core';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../../config';
import type { Viewer } from '../../auth/viewer';
import { badInput, type FieldProblem } from '../../errors/hub-errors';
import { Agency } from '../agency/agency.entity';
import { ageBandAt } from '../person/age-band';
import { openCaseForIncident } from '../case/case-intake.service';
import { filePersonFromReport } from '../person/person.service';
import { raiseAfterCommit } from '../../events/domain-events';
import { coveredCounties, reportProblems } from './incident-validation';
import { OverdoseIncident } from './incident.entity';
import type { NaloxoneAdministrationInput, ReportIncidentInput } from './incident.input';
import { MAX_BATCH_SIZE } from './incident.input';
import { ReportStatus } from './incident.types';
import { NaloxoneAdministration } from './naloxone-administration.entity';

export interface ReportOutcome {
  index: number;
  externalId?: string;
  status: ReportStatus;
  incident?: OverdoseIncident;
  errors: FieldProblem[];
}

/** Attempts when two reports of the same new person race on the person key. */
const MAX_ATTEMPTS = 3;

/** One report: BAD_USER_INPUT naming every problem, or the created / already known incident. */
export async function reportIncident(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  input: ReportIncidentInput,
): Promise<ReportOutcome> {
  const [outcome] = await reportMany(em, viewer, config, [input], () => 'input');
  if (outcome.status === ReportStatus.REJECTED) throw badInput(outcome.errors);
  return outcome;
}

/**
 * A batch: each report is validated and written on its own (its own transaction), so one bad or
 * failing item never sinks the others, and each answer says what happened to that item.
 */
export async function reportIncidents(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  inputs: ReportIncidentInput[],
): Promise<ReportOutcome[]> {
  if (inputs.length === 0)
    throw badInput({ field: 'inputs', message: 'must contain at least one report' });
  if (inputs.length > MAX_BATCH_SIZE) {
    throw badInput({ field: 'inputs', message: `must contain at most ${MAX_BATCH_SIZE} reports` });
  }
  return reportMany(em, viewer, config, inputs, (i) => `inputs.${i}`);
}

async function reportMany(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  inputs: ReportIncidentInput[],
  pathOf: (index: number) => string,
): Promise<ReportOutcome[]> {
  const covered = await coveredCounties(
    em,
    inputs.map((i) => i.county),
  );
  const duplicatesInBatch = firstIndexByExternalId(inputs);
  const outcomes: ReportOutcome[] = [];
  for (const [index, input] of inputs.entries()) {
    const path = pathOf(index);
    const errors = await reportProblems(input, path, viewer, config);
    if (/^\d{5}$/.test(input.county ?? '') && !covered.has(input.county)) {
      errors.push({ field: `${path}.county`, message: 'is outside every agency’s service area' });
    }
    const firstIndex = duplicatesInBatch.get(input.externalId);
    if (firstIndex !== undefined && firstIndex !== index) {
      // The same report twice in one batch is a retry inside the batch: answer like a re-send.
      const first = outcomes[firstIndex];
      outcomes.push({
        ...first,
        index,
        status: first.incident ? ReportStatus.ALREADY_REPORTED : first.status,
      });
      continue;
    }
    if (errors.length > 0) {
      outcomes.push({ index, externalId: input.externalId, status: ReportStatus.REJECTED, errors });
      continue;
    }
    outcomes.push({
      index,
      externalId: input.externalId,
      ...(await writeReport(em, viewer, config, input)),
    });
  }
  return outcomes;
}

function firstIndexByExternalId(inputs: ReportIncidentInput[]): Map<string, number> {
  const first = new Map<string, number>();
  inputs.forEach((input, index) => {
    if (!first.has(input.externalId)) first.set(input.externalId, index);
  });
  return first;
}

/**
 * Writes one valid report with its naloxone doses, vault entry and case in one transaction.
 * Idempotent on (agency, externalId): a re-send, even one racing the original, finds the stored
 * incident and changes nothing.
 */
async function writeReport(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  input: ReportIncidentInput,
): Promise<Pick<ReportOutcome, 'status' | 'incident' | 'errors'>> {
  for (let attempt = 1; ; attempt++) {
    const known = await findByExternalId(em, viewer.agencyId, input.externalId);
    if (known) return { status: ReportStatus.ALREADY_REPORTED, incident: known, errors: [] };
    const fork = em.fork();
    try {
      const incident = await fork.transactional((tx) => createReport(tx, viewer, config, input));
      return {
        status: ReportStatus.CREATED,
        incident: await em.findOneOrFail(OverdoseIncident, incident.id),
        errors: [],
      };
    } catch (error) {
      // Lost a race: either the same report (found on the next loop) or the same new person.
      if (error instanceof UniqueConstraintViolationException && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

async function findByExternalId(
  em: EntityManager,
  agencyId: string,
  externalId: string,
): Promise<OverdoseIncident | null> {
  return em.findOne(OverdoseIncident, { reportingAgency: agencyId, externalId });
}

async function createReport(
  tx: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  input: ReportIncidentInput,
): Promise<OverdoseIncident> {
  const incident = tx.create(OverdoseIncident, {
    reportingAgency: tx.getReference(Agency, viewer.agencyId),
    externalId: input.externalId,
    occurredAt: input.occurredAt,
    county: input.county,
    street: input.address?.street?.trim(),
    city: input.address?.city?.trim(),
    state: input.address?.state,
    zip: input.address?.zip,
    latitude: input.latitude ?? undefined,
    longitude: input.longitude ?? undefined,
    fatal: input.fatal,
    suspectedSubstances: input.suspectedSubstances ?? [],
    emsDisposition: input.emsDisposition ?? undefined,
    officerWarmHandoff: input.officerWarmHandoff ?? false,
    ageBand: ageBandAt(input.survivor?.dateOfBirth, input.occurredAt),
    reportedById: (viewer.userId ?? viewer.apiKeyId)!,
  });
  addNaloxone(tx, incident, input.naloxone ?? []);
  const person = input.survivor
    ? await filePersonFromReport(tx, incident, input.survivor, config.personKeySecret)
    : undefined;
  if (person) incident.person = ref(person);
  await openCaseForIncident(tx, incident, person, viewer.agencyId, config.followUp);
  raiseAfterCommit(tx, 'incidentReported', {
    agencyId: viewer.agencyId,
    incidentId: incident.id,
    county: incident.county,
  });
  return incident;
}

export function addNaloxone(
  em: EntityManager,
  incident: OverdoseIncident,
  doses: NaloxoneAdministrationInput[],
): void {
  for (const dose of doses) {
    em.create(NaloxoneAdministration, {
      incident,
      administeredAt: dose.administeredAt ?? undefined,
      doseMg: dose.doseMg === undefined || dose.doseMg === null ? undefined : String(dose.doseMg),
      route: dose.route,
      administeredBy: dose.administeredBy,
      response: dose.response ?? undefined,
    });
  }
}
