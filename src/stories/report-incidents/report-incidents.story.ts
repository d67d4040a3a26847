import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../../config';
import type { Viewer } from '../../auth/viewer';
import { badInput, type FieldProblem } from '../../errors/hub-errors';
import { coveredCounties, reportProblems } from '../../modules/incident/incident-validation';
import { OverdoseIncident } from '../../modules/incident/incident.entity';
import type { ReportIncidentInput } from '../../modules/incident/incident.input';
import { MAX_BATCH_SIZE } from '../../modules/incident/incident.input';
import { ReportStatus } from '../../modules/incident/incident.types';
import { writeReports as writeBatch, type IntakeOptions } from './intake-batch';

export type { IntakeOptions };

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
 * A batch: each report is validated on its own, so one bad item never sinks the others, and each
 * answer says what happened to that item. The valid ones are written together (writeReports).
 */
export async function reportIncidents(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  inputs: ReportIncidentInput[],
  options: IntakeOptions = {},
): Promise<ReportOutcome[]> {
  if (inputs.length === 0)
    throw badInput({ field: 'inputs', message: 'must contain at least one report' });
  if (inputs.length > MAX_BATCH_SIZE) {
    throw badInput({ field: 'inputs', message: `must contain at most ${MAX_BATCH_SIZE} reports` });
  }
  return reportMany(em, viewer, config, inputs, (i) => `inputs.${i}`, options);
}

interface ValidReport {
  index: number;
  input: ReportIncidentInput;
}

type Written = Pick<ReportOutcome, 'status' | 'incident'>;

async function reportMany(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  inputs: ReportIncidentInput[],
  pathOf: (index: number) => string,
  options: IntakeOptions = {},
): Promise<ReportOutcome[]> {
  const covered = await coveredCounties(
    em,
    inputs.map((i) => i.county),
  );
  const firstIndexOf = firstIndexByExternalId(inputs);
  const rejected = new Map<number, FieldProblem[]>();
  const valid: ValidReport[] = [];
  for (const [index, input] of inputs.entries()) {
    // The same report twice in one batch is a retry inside the batch: answered like the first.
    if (firstIndexOf.get(input.externalId) !== index) continue;
    const path = pathOf(index);
    const errors = await reportProblems(input, path, viewer, config, new Date(), options);
    if (/^\d{5}$/.test(input.county ?? '') && !covered.has(input.county)) {
      errors.push({ field: `${path}.county`, message: 'is outside every agency’s service area' });
    }
    if (errors.length > 0) rejected.set(index, errors);
    else valid.push({ index, input });
  }
  const written = await writeReports(em, viewer, config, valid, options);

  return inputs.map((input, index) => {
    const firstIndex = firstIndexOf.get(input.externalId)!;
    const errors = rejected.get(firstIndex);
    if (errors) {
      return { index, externalId: input.externalId, status: ReportStatus.REJECTED, errors };
    }
    const first = written.get(firstIndex)!;
    const status = firstIndex === index ? first.status : ReportStatus.ALREADY_REPORTED;
    return { index, externalId: input.externalId, ...first, status, errors: [] };
  });
}

function firstIndexByExternalId(inputs: ReportIncidentInput[]): Map<string, number> {
  const first = new Map<string, number>();
  inputs.forEach((input, index) => {
    if (!first.has(input.externalId)) first.set(input.externalId, index);
  });
  return first;
}

/**
 * Writes valid reports with their naloxone doses, vault entries and cases (intake-batch.ts).
 * Idempotent on (agency, externalId): a re-send, even one racing the original, finds the stored
 * incident and changes nothing. A lost race (the same report, or the same new person, written by
 * another request meanwhile) rolls the whole attempt back and the next one sees the winner's rows.
 */
async function writeReports(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  reports: ValidReport[],
  options: IntakeOptions,
): Promise<Map<number, Written>> {
  const written = new Map<number, Written>();
  for (let attempt = 1; ; attempt++) {
    const pending = reports.filter((r) => !written.has(r.index));
    if (pending.length === 0) return written;
    try {
      await writeRound(em, viewer, config, pending, written, options);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

/**
 * One attempt: reports already stored are answered ALREADY_REPORTED; every other report is
 * written in one transaction by the one set-based intake (intake-batch.ts), then read back.
 */
async function writeRound(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  pending: ValidReport[],
  written: Map<number, Written>,
  options: IntakeOptions,
): Promise<void> {
  const known = await em.find(OverdoseIncident, {
    reportingAgency: viewer.agencyId,
    externalId: { $in: pending.map((r) => r.input.externalId) },
  });
  const knownByExternalId = new Map(known.map((incident) => [incident.externalId, incident]));
  const fresh: ValidReport[] = [];
  for (const report of pending) {
    const incident = knownByExternalId.get(report.input.externalId);
    if (incident) written.set(report.index, { status: ReportStatus.ALREADY_REPORTED, incident });
    else fresh.push(report);
  }
  if (fresh.length === 0) return;
  const ids = await em.fork().transactional((tx) =>
    writeBatch(
      tx,
      viewer,
      config,
      fresh.map((r) => r.input),
      options,
    ),
  );
  const stored = new Map(
    (await em.find(OverdoseIncident, { id: { $in: ids } })).map((i) => [i.id, i]),
  );
  fresh.forEach((report, i) => {
    written.set(report.index, { status: ReportStatus.CREATED, incident: stored.get(ids[i])! });
  });
}
