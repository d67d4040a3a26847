import { createReadStream } from 'node:fs';
import { parse, type CsvError } from 'csv-parse';
import { Role } from '../../common/role';
import { forbidden } from '../../errors/hub-errors';
import { ImportFileError } from './import-types';
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
import {
  mapRmsRow,
  normaliseHeader,
  REQUIRED_RMS_COLUMNS,
  RMS_COLUMNS,
  type RmsColumn,
} from './rms-mapper';

export interface RmsOptions {
  /** UTC offset (e.g. -05:00) for date-times written without one. */
  utcOffset?: string;
}

interface CsvRow {
  line: number;
  cells: string[];
}

/**
 * `import rms`: a police records-management export in the documented CSV layout. Like the
 * NEMSIS import, each file is checked whole first (readable CSV, required columns), then each
 * row goes through intake on its own.
 */
export async function importRms(
  context: ImportContext,
  paths: string[],
  report: ReportSink,
  hooks: ImportHooks & RmsOptions = {},
): Promise<ImportResult> {
  if (context.viewer.role !== Role.POLICE_OFFICER) {
    throw forbidden(
      'RMS files are imported as a police agency: use a POLICE_OFFICER API key or user',
    );
  }
  const files = await expandPaths(paths, '.csv');
  const summaries = files.map(emptySummary);
  const checked = new Map<FileSummary, { rows: number; header: Array<RmsColumn | undefined> }>();
  for (const summary of summaries) {
    try {
      checked.set(summary, await checkFile(summary, report));
    } catch (error) {
      refuseFile(summary, error, report);
    }
  }
  const total = [...checked.values()].reduce((n, c) => n + c.rows, 0);
  hooks.onStart?.(total);

  let done = 0;
  for (const [summary, { header }] of checked) {
    try {
      let first = true;
      for await (const { line, cells } of rows(summary.file)) {
        if (first) {
          first = false;
          continue;
        }
        summary.read++;
        await importRow(context, summary, header, { line, cells }, report, hooks);
        hooks.onRecord?.({ file: summary.file, done: ++done, total });
      }
    } catch (error) {
      refuseFile(summary, error, report);
    }
  }
  return { files: summaries, totals: totalsOf(summaries) };
}

async function importRow(
  context: ImportContext,
  summary: FileSummary,
  header: Array<RmsColumn | undefined>,
  { line, cells }: CsvRow,
  report: ReportSink,
  options: RmsOptions,
): Promise<void> {
  const base = { file: summary.file, record: `line ${line}` };
  if (cells.length !== header.length) {
    summary.failed++;
    report.add({
      ...base,
      externalId: '',
      field: '',
      level: 'error',
      reason: `has ${cells.length} columns where the header has ${header.length}`,
    });
    return;
  }
  const row: Partial<Record<RmsColumn, string>> = {};
  header.forEach((column, i) => {
    if (column) row[column] = cells[i];
  });
  const mapped = mapRmsRow(row, options);
  const at = { ...base, externalId: reportableId(mapped.externalId) };
  if (mapped.kind === 'invalid') {
    summary.failed++;
    for (const problem of mapped.problems) report.add({ ...at, ...problem });
    return;
  }
  const outcome = await submitRecord(context, mapped.input, mapped.columnFor, {
    record: base.record,
  });
  if (outcome.status === 'failed') {
    summary.failed++;
    for (const problem of outcome.problems) report.add({ ...at, ...problem });
    return;
  }
  summary[outcome.status]++;
}

/** Reads the whole file once: refuses unreadable CSV or missing columns before importing any. */
async function checkFile(
  summary: FileSummary,
  report: ReportSink,
): Promise<{ rows: number; header: Array<RmsColumn | undefined> }> {
  let header: Array<RmsColumn | undefined> | undefined;
  let count = 0;
  for await (const { cells } of rows(summary.file)) {
    if (header) {
      count++;
      continue;
    }
    const names = cells.map(normaliseHeader);
    const missing = REQUIRED_RMS_COLUMNS.filter((c) => !names.includes(c));
    if (missing.length > 0) {
      throw new ImportFileError(`lacks the required column(s) ${missing.join(', ')}`);
    }
    const duplicated = names.filter((n, i) => n && names.indexOf(n) !== i);
    if (duplicated.length > 0) {
      throw new ImportFileError(`has the column(s) ${[...new Set(duplicated)].join(', ')} twice`);
    }
    header = names.map((n) => (n in RMS_COLUMNS ? (n as RmsColumn) : undefined));
    const ignored = names.filter((n) => !(n in RMS_COLUMNS));
    if (ignored.length > 0) {
      report.add({
        file: summary.file,
        record: 'header',
        externalId: '',
        field: ignored.join(', '),
        level: 'warning',
        reason: 'not a column of the RMS layout: ignored, never read',
      });
    }
  }
  if (!header) throw new ImportFileError('is empty: no header row');
  return { rows: count, header };
}

async function* rows(path: string): AsyncGenerator<CsvRow> {
  const parser = createReadStream(path).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      yield { line: info.lines, cells: record };
    }
  } catch (error) {
    throw asFileError(error);
  }
}

const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted field is followed by text before the next delimiter',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text follows a closing quote',
  INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted field',
};

/** csv-parse messages quote the offending text; only the code and the line are passed on. */
function asFileError(error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'ENOENT') return new ImportFileError('does not exist');
  if (code === 'EISDIR') return new ImportFileError('is a folder, not a file');
  if (code.startsWith('CSV_') || code === 'INVALID_OPENING_QUOTE') {
    const line = (error as CsvError & { lines?: number }).lines;
    return new ImportFileError(
      `is not readable CSV (${CSV_PROBLEMS[code] ?? code}${line ? ` near line ${line}` : ''}); nothing from it was imported`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
