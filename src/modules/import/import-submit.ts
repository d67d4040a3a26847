import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { ReadyConfig } from '../../config';
import { reportIncidents } from '../../stories/report-incidents/report-incidents.story';
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
): Promise<SubmitOutcome> {
  try {
    const [outcome] = await reportIncidents(context.em.fork(), context.viewer, context.config, [
      input,
    ]);
    if (outcome.status === ReportStatus.CREATED) return { status: 'imported' };
    if (outcome.status === ReportStatus.ALREADY_REPORTED) return { status: 'unchanged' };
    return {
      status: 'failed',
      problems: outcome.errors.map((e) => {
        const hubField = e.field.replace(/^inputs\.0\.?/, '');
        return { field: fieldFor(hubField), hubField, reason: e.message, level: 'error' as const };
      }),
    };
  } catch (error) {
    const kind = error instanceof Error ? error.constructor.name : 'unknown error';
    return {
      status: 'failed',
      problems: [{ field: '', reason: `could not be saved (${kind}); try again`, level: 'error' }],
    };
  }
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
