import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { ReadyConfig } from '../../config';
import {
  reportIncidents,
  type IntakeOptions,
  type ReportOutcome,
} from '../../stories/report-incidents/report-incidents.story';
import type { OverdoseIncident } from '../incident/incident.entity';
import { AuditAction } from '../audit/audit-codes';
import { recordAuditEvent } from '../audit/audit-writer';
import type { ReportIncidentInput } from '../incident/incident.input';
import { ReportStatus } from '../incident/incident.types';
import {
  ImportFileError,
  type FileSummary,
  type RecordProblem,
  type ReportSink,
} from './import-types';

export interface ImportContext {
  em: EntityManager;
  config: ReadyConfig;
  /** The agency's API key or user the records are reported as (checked like an API call). */
  viewer: Viewer;
  /** Records older than MAX_INCIDENT_AGE_DAYS are taken as history (never routed). */
  backfill?: boolean;
  /** The import run (import_run.id): the audit rows of its records carry it as request id. */
  runId?: string;
}

/** Where a record came from, for its audit row: `#5` of a file. */
export interface RecordPosition {
  record: string;
}

export type SubmitOutcome =
  { status: 'imported' | 'unchanged' } | { status: 'failed'; problems: RecordProblem[] };

/**
 * Hands one record to the same intake the API uses (validation, idempotency on externalId,
 * identity vault, triage and routing), in its own transaction and on its own EntityManager so a
 * long import neither shares a transaction nor grows one identity map. Intake problems come back
 * under the file's own field names; an unexpected failure is reported without its message, which
 * could carry SQL or values.
 */
export async function submitRecord(
  context: ImportContext,
  input: ReportIncidentInput,
  fieldFor: (hubPath: string) => string,
  options: Omit<IntakeOptions, 'backfill'> & RecordPosition = { record: '' },
): Promise<SubmitOutcome> {
  const em = context.em.fork();
  let outcome: ReportOutcome;
  try {
    [outcome] = await reportIncidents(em, context.viewer, context.config, [input], {
      backfill: context.backfill,
      caseDefinition: options.caseDefinition,
    });
  } catch (error) {
    const kind = error instanceof Error ? error.constructor.name : 'unknown error';
    return {
      status: 'failed',
      problems: [{ field: '', reason: `could not be saved (${kind}); try again`, level: 'error' }],
    };
  }
  if (outcome.status === ReportStatus.CREATED) {
    // Outside the catch: a record whose audit row cannot be written stops the import.
    await auditImportedRecord(em, context, input, outcome.incident!, options.record);
    return { status: 'imported' };
  }
  if (outcome.status === ReportStatus.ALREADY_REPORTED) return { status: 'unchanged' };
  return {
    status: 'failed',
    problems: outcome.errors.map((e) => {
      const hubField = e.field.replace(/^inputs\.0\.?/, '');
      return { field: fieldFor(hubField), hubField, reason: e.message, level: 'error' as const };
    }),
  };
}

/**
 * An imported record that carries identity leaves the audit row an API report leaves: who wrote
 * which person's identity into the vault, which fields (names only), in which run. Written after
 * the record's own transaction, like the API's audit rows are written after the mutation.
 */
async function auditImportedRecord(
  em: EntityManager,
  context: ImportContext,
  input: ReportIncidentInput,
  incident: OverdoseIncident,
  record: string,
): Promise<void> {
  const survivor = Object.entries(input.survivor ?? {})
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([name]) => `survivor.${name}`);
  const place = Object.entries(input.address ?? {})
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([name]) => `address.${name}`);
  if (input.latitude !== undefined && input.latitude !== null) place.push('latitude', 'longitude');
  if (survivor.length === 0 && place.length === 0) return;
  await recordAuditEvent(em, {
    viewer: context.viewer,
    action: AuditAction.IMPORT_RECORD,
    entityType: 'OverdoseIncident',
    entityIds: [incident.id],
    personIds: incident.person ? [incident.person.id] : [],
    fields: [...survivor, ...place],
    requestId: context.runId,
    details: { runId: context.runId, record, historical: incident.historical },
  });
}

/** Files named on the command line; a folder stands for the files in it with `extension`. */
export async function expandPaths(paths: string[], extension: string): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) {
      const names = (await readdir(path)).filter((n) => extname(n).toLowerCase() === extension);
      files.push(...names.sort().map((n) => join(path, n)));
    } else {
      files.push(path);
    }
  }
  return files;
}

/** An id is shown in the report only if it looks like one (not a value pasted in the wrong column). */
export function reportableId(id: string | undefined): string {
  return id && /^[\x21-\x7E]{1,100}$/.test(id) ? id : '';
}

/** Records a refused file in its summary and the report; any other error is not ours to hide. */
export function refuseFile(summary: FileSummary, error: unknown, report: ReportSink): void {
  if (!(error instanceof ImportFileError)) throw error;
  summary.fileError = error.message;
  report.add({
    file: summary.file,
    record: '',
    externalId: '',
    field: '',
    level: 'error',
    reason: `file refused: it ${error.message}`,
  });
}
