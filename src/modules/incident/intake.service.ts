import { ref } from '@mikro-orm/core';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../../config';
import type { Viewer } from '../../auth/viewer';
import { badInput, type FieldProblem } from '../../errors/hub-errors';
import { AgencyRouter } from '../case/agency-router';
import { openCaseForIncident } from '../case/case-intake.service';
import { personKey } from '../person/person-key';
import { Person } from '../person/person.entity';
import { filePersonFromReport } from '../person/person.service';
import { raiseAfterCommit } from '../../events/domain-events';
import { coveredCounties, intakeFacts, reportProblems } from './incident-validation';
import { addNaloxone, incidentData } from './incident-data';
import { OverdoseIncident } from './incident.entity';
import type { ReportIncidentInput } from './incident.input';
import { MAX_BATCH_SIZE } from './incident.input';
import { ReportStatus } from './incident.types';
import { insertNewPeopleReports, type NewPersonReport } from './new-people-intake';

/**
 * How a batch is taken in. `backfill`: reports older than MAX_INCIDENT_AGE_DAYS are accepted as
 * history (stored, counted, linked to the person's other cases; never routed). `caseDefinition`:
 * the definition that admitted the reports, when the hub classified them (imports).
 */
export interface IntakeOptions {
  backfill?: boolean;
  caseDefinition?: { name: string; version: number };
}

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
 * Writes valid reports with their naloxone doses, vault entries and cases. Idempotent on
 * (agency, externalId): a re-send, even one racing the original, finds the stored incident and
 * changes nothing. A lost race (the same report, or the same new person, written by another
 * request meanwhile) rolls back that round and the next round sees the winner's rows.
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
 * One round: reports already stored are answered ALREADY_REPORTED; reports of people new to the
 * hub are written in one transaction (one multi-row INSERT per table, routed in memory); a
 * report of someone the hub knows (a repeat overdose, possibly a death) is written on its own,
 * since it locks and may change that person's earlier cases.
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
  const { newPeople, knownPeople } = await splitByPersonKnown(em, config, fresh);

  if (newPeople.length > 0) {
    const ids = await em.fork().transactional(async (tx) => {
      const router = await AgencyRouter.load(
        tx,
        newPeople.map((r) => r.input.county),
        viewer.agencyId,
      );
      return insertNewPeopleReports(tx, viewer, config, newPeople, router, options);
    });
    const stored = new Map(
      (await em.find(OverdoseIncident, { id: { $in: ids } })).map((i) => [i.id, i]),
    );
    newPeople.forEach((report, i) => {
      written.set(report.index, { status: ReportStatus.CREATED, incident: stored.get(ids[i])! });
    });
  }

  for (const report of knownPeople) {
    const id = await em.fork().transactional(async (tx) => {
      const router = await AgencyRouter.load(tx, [report.input.county], viewer.agencyId);
      return (await createReport(tx, viewer, config, report.input, router, options)).id;
    });
    const incident = await em.findOneOrFail(OverdoseIncident, id);
    written.set(report.index, { status: ReportStatus.CREATED, incident });
  }
}

/**
 * Reports whose survivor the hub does not know yet (by person key, one query for the batch), or
 * without a survivor; and the rest: a known person, or a second report of one person in this
 * batch (written after the first, so it links to it as a repeat).
 */
async function splitByPersonKnown(
  em: EntityManager,
  config: ReadyConfig,
  reports: ValidReport[],
): Promise<{ newPeople: Array<ValidReport & NewPersonReport>; knownPeople: ValidReport[] }> {
  const keys = reports.map(({ input }) =>
    input.survivor
      ? personKey(
          config.personKeySecret,
          input.survivor.firstName,
          input.survivor.lastName,
          input.survivor.dateOfBirth,
        )
      : null,
  );
  const wanted = keys.filter((k): k is string => k !== null);
  const stored =
    wanted.length === 0
      ? []
      : await em.find(
          Person,
          { personKey: { $in: wanted } },
          // Only the keys: partial entities must not stay in the request's identity map.
          { fields: ['personKey'], disableIdentityMap: true },
        );
  const seen = new Set(stored.map((p) => p.personKey));
  const newPeople: Array<ValidReport & NewPersonReport> = [];
  const knownPeople: ValidReport[] = [];
  reports.forEach((report, i) => {
    const key = keys[i];
    if (key !== null && seen.has(key)) {
      knownPeople.push(report);
      return;
    }
    if (key !== null) seen.add(key);
    newPeople.push({ ...report, personKey: key });
  });
  return { newPeople, knownPeople };
}

async function createReport(
  tx: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  input: ReportIncidentInput,
  router: AgencyRouter,
  options: IntakeOptions,
): Promise<OverdoseIncident> {
  const incident = tx.create(OverdoseIncident, {
    ...incidentData(tx, viewer, input),
    ...intakeFacts(input, config, options),
  });
  addNaloxone(tx, incident, input.naloxone ?? []);
  const person = input.survivor
    ? await filePersonFromReport(tx, incident, input.survivor, config.personKeySecret)
    : undefined;
  if (person) incident.person = ref(person);
  await openCaseForIncident(tx, incident, person, router, config.followUp);
  raiseAfterCommit(tx, 'incidentReported', {
    agencyId: viewer.agencyId,
    incidentId: incident.id,
    county: incident.county,
  });
  return incident;
}
