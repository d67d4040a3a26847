import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import { forbidden, notFound } from '../../errors/hub-errors';
import { Agency } from '../agency/agency.entity';
import { AuditAction } from '../audit/audit-codes';
import { recordAuditEvent } from '../audit/audit-writer';
import {
  ImportRun,
  type ImportKind,
  type ImportRunStatus,
  type ImportSource,
} from './import-run.entity';
import type { ImportContext } from './import-submit';
import type { ImportHooks, ImportResult, ReportRow, ReportSink } from './import-types';
import { importNemsis } from './nemsis-import.service';
import { importRms, type RmsOptions } from './rms-import.service';

/** Report rows kept with a run (the CLI's report file has them all; a run counts them all). */
export const MAX_STORED_ROWS = 5000;
/** How often the run's progress is written while records go through. */
const PROGRESS_EVERY_RECORDS = 25;
const PROGRESS_EVERY_MS = 1000;

const ROLE_OF_KIND: Record<ImportKind, { role: Role; message: string }> = {
  NEMSIS: {
    role: Role.EMS_PROVIDER,
    message: 'NEMSIS files are imported as an EMS agency: use an EMS_PROVIDER API key or user',
  },
  RMS: {
    role: Role.POLICE_OFFICER,
    message: 'RMS files are imported as a police agency: use a POLICE_OFFICER API key or user',
  },
};

/** The role a credential must have to import a kind of file (FORBIDDEN otherwise). */
export function assertImportRole(viewer: Viewer, kind: ImportKind): void {
  const { role, message } = ROLE_OF_KIND[kind];
  if (viewer.role !== role) throw forbidden(message);
}

export interface TrackedImport {
  kind: ImportKind;
  source: ImportSource;
  paths: string[];
  /** Where every report row also goes (the CLI's report file); the run keeps the first ones. */
  report?: ReportSink;
  hooks?: ImportHooks & RmsOptions;
  /** How a file is named in the run and its report (an upload has no path worth showing). */
  displayName?: (path: string) => string;
}

/** A run as the agency may see it: counts, progress and the report, never a value from a file. */
export interface ImportRunView {
  runId: string;
  kind: ImportKind;
  status: ImportRunStatus;
  backfill: boolean;
  startedAt: Date;
  finishedAt: Date | null;
  progress: { done: number; total: number | null };
  summary: Record<string, unknown> | null;
  report: unknown[];
  reportRows: number;
}

/** Creates the run first, so a caller can hand out its id before the records go through. */
export async function createImportRun(
  em: EntityManager,
  viewer: Viewer,
  kind: ImportKind,
  source: ImportSource,
  backfill: boolean,
): Promise<ImportRun> {
  assertImportRole(viewer, kind);
  const fork = em.fork();
  const run = fork.create(ImportRun, {
    agency: fork.getReference(Agency, viewer.agencyId),
    reportedById: (viewer.apiKeyId ?? viewer.userId)!,
    kind,
    source,
    backfill,
  });
  await fork.flush();
  return run;
}

/**
 * Runs an import as a recorded run: progress while records go through, the counts and the first
 * report rows at the end, and the audit row of the run itself (the records that carry identity
 * have theirs, written as each is stored). A failure (the database gone mid-way) ends the run
 * as FAILED and is rethrown; what was imported before it stays, each record being whole.
 */
export async function runTrackedImport(
  context: ImportContext,
  run: ImportRun,
  job: TrackedImport,
): Promise<ImportResult> {
  const em = context.em.fork();
  const name = job.displayName ?? ((path: string) => path);
  const rows: ReportRow[] = [];
  let rowCount = 0;
  const sink: ReportSink = {
    add(row) {
      const shown = { ...row, file: name(row.file) };
      job.report?.add(shown);
      if (rows.length < MAX_STORED_ROWS) rows.push(shown);
      rowCount++;
    },
  };
  let lastWrite = 0;
  let pending: Promise<unknown> = Promise.resolve();
  const progress = (done: number, total?: number) => {
    // Writes are chained so they land in order; a failed write only delays the progress shown.
    pending = pending
      .then(() =>
        em.nativeUpdate(
          ImportRun,
          { id: run.id },
          total === undefined ? { done } : { done, total },
        ),
      )
      .catch(() => undefined);
  };
  const hooks: ImportHooks & RmsOptions = {
    ...job.hooks,
    onStart(total) {
      progress(0, total);
      job.hooks?.onStart?.(total);
    },
    onRecord(step) {
      const now = Date.now();
      if (step.done % PROGRESS_EVERY_RECORDS === 0 || now - lastWrite > PROGRESS_EVERY_MS) {
        lastWrite = now;
        progress(step.done);
      }
      job.hooks?.onRecord?.(step);
    },
  };
  const tracked = { ...context, runId: run.id };
  let result: ImportResult;
  try {
    result =
      job.kind === 'NEMSIS'
        ? await importNemsis(tracked, job.paths, sink, hooks)
        : await importRms(tracked, job.paths, sink, hooks);
  } catch (error) {
    await pending;
    await finish(
      em,
      context,
      run,
      'FAILED',
      { error: 'the import stopped on an internal error' },
      rows,
      rowCount,
    );
    throw error;
  }
  await pending;
  const summary = {
    files: result.files.map((f) => ({ ...f, file: name(f.file) })),
    totals: result.totals,
    ...(result.caseDefinition ? { caseDefinition: result.caseDefinition } : {}),
  };
  const allRefused = result.files.length > 0 && result.totals.filesRefused === result.files.length;
  await finish(
    em,
    context,
    run,
    allRefused ? 'REFUSED' : 'COMPLETED',
    summary,
    rows,
    rowCount,
    result.totals.read,
  );
  return { ...result, files: summary.files };
}

async function finish(
  em: EntityManager,
  context: ImportContext,
  run: ImportRun,
  status: ImportRunStatus,
  summary: Record<string, unknown>,
  rows: ReportRow[],
  rowCount: number,
  done?: number,
): Promise<void> {
  const finishedAt = new Date();
  await em.nativeUpdate(
    ImportRun,
    { id: run.id },
    {
      status,
      summary,
      report: rows,
      reportRows: rowCount,
      finishedAt,
      ...(done !== undefined ? { done } : {}),
    },
  );
  const totals = (summary.totals ?? {}) as Record<string, unknown>;
  await recordAuditEvent(em, {
    viewer: context.viewer,
    action: AuditAction.IMPORT_RUN,
    entityType: 'ImportRun',
    entityIds: [run.id],
    requestId: run.id,
    details: {
      kind: run.kind,
      source: run.source,
      backfill: run.backfill,
      status,
      ...totals,
      reportRows: rowCount,
    },
  });
}

/** A run of the caller's own agency (another agency's answers like a missing one). */
export async function getImportRun(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<ImportRunView> {
  const run = isUuid(id)
    ? await em.fork().findOne(ImportRun, { id, agency: viewer.agencyId })
    : null;
  if (!run) throw notFound('Import run');
  return viewOf(run);
}

export function viewOf(run: ImportRun): ImportRunView {
  return {
    runId: run.id,
    kind: run.kind,
    status: run.status,
    backfill: run.backfill,
    startedAt: run.createdAt,
    finishedAt: run.finishedAt ?? null,
    progress: { done: run.done, total: run.total ?? null },
    summary: run.summary ?? null,
    report: run.report,
    reportRows: run.reportRows,
  };
}
