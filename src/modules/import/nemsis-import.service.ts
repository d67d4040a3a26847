import { Role } from '../../common/role';
import { forbidden } from '../../errors/hub-errors';
import {
  emptySummary,
  totalsOf,
  type FileSummary,
  type ImportHooks,
  type ImportResult,
  type ReportSink,
} from './import-types';
import {
  expandPaths,
  refuseFile,
  reportableId,
  submitRecord,
  type ImportContext,
} from './import-submit';
import { mapPcr } from './nemsis-mapper';
import { Agency } from '../agency/agency.entity';
import {
  CASE_DEFINITIONS,
  DEFAULT_CASE_DEFINITION,
  type CaseDefinition,
  type CaseDefinitionName,
} from '../incident/case-definition';
import { checkNemsisFile, readPcrs } from './nemsis-reader';

/**
 * `import nemsis`: every file is checked first (root, NEMSIS version, well-formedness) and
 * refused whole if it fails, so a malformed file never leaves half its records behind; then
 * the PCRs are streamed one by one into intake. A bad record is reported and the next one read.
 */
export async function importNemsis(
  context: ImportContext,
  paths: string[],
  report: ReportSink,
  hooks: ImportHooks = {},
): Promise<ImportResult> {
  if (context.viewer.role !== Role.EMS_PROVIDER) {
    throw forbidden(
      'NEMSIS files are imported as an EMS agency: use an EMS_PROVIDER API key or user',
    );
  }
  const agency = await context.em.fork().findOneOrFail(Agency, { id: context.viewer.agencyId });
  const definition =
    CASE_DEFINITIONS[agency.caseDefinition as CaseDefinitionName] ??
    CASE_DEFINITIONS[DEFAULT_CASE_DEFINITION];
  const files = await expandPaths(paths, '.xml');
  const summaries = files.map(emptySummary);
  const counts = new Map<FileSummary, number>();
  for (const summary of summaries) {
    try {
      counts.set(summary, await checkNemsisFile(summary.file));
    } catch (error) {
      refuseFile(summary, error, report);
    }
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  hooks.onStart?.(total);

  let done = 0;
  for (const [summary] of counts) {
    try {
      for await (const raw of readPcrs(summary.file)) {
        summary.read++;
        await importPcr(context, summary, raw, report, definition);
        hooks.onRecord?.({ file: summary.file, done: ++done, total });
      }
    } catch (error) {
      // Only if the file changed between the check and the import.
      refuseFile(summary, error, report);
    }
  }
  return {
    files: summaries,
    totals: totalsOf(summaries),
    caseDefinition: { name: definition.name, version: definition.version },
  };
}

async function importPcr(
  context: ImportContext,
  summary: FileSummary,
  raw: Parameters<typeof mapPcr>[0],
  report: ReportSink,
  definition: CaseDefinition,
): Promise<void> {
  const mapped = mapPcr(raw, definition);
  const row = {
    file: summary.file,
    record: `#${raw.ordinal}`,
    externalId: reportableId(mapped.externalId),
  };
  if (mapped.kind === 'skip') {
    summary.skipped++;
    summary.skippedByReason[mapped.reason] = (summary.skippedByReason[mapped.reason] ?? 0) + 1;
    // A call that is no overdose at all is the bulk of an export: counted, not listed.
    if (mapped.note) {
      report.add({
        ...row,
        field: '',
        level: 'skipped',
        reason: `${mapped.reason}: ${mapped.note}`,
      });
    }
    return;
  }
  if (mapped.kind === 'invalid') {
    summary.failed++;
    for (const problem of mapped.problems) report.add({ ...row, ...problem });
    return;
  }
  const outcome = await submitRecord(context, mapped.input, mapped.elementFor, {
    record: row.record,
    caseDefinition: { name: definition.name, version: definition.version },
  });
  if (outcome.status === 'failed') {
    summary.failed++;
    for (const problem of outcome.problems) report.add({ ...row, ...problem });
    return;
  }
  summary[outcome.status]++;
  for (const problem of mapped.problems) report.add({ ...row, ...problem });
}
