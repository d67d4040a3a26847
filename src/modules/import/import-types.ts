/** What the importers report. Nothing here ever holds a personal value: fields and reasons only. */

/** `skipped`: read, nothing wrong, not imported (e.g. outside the agency's case definition). */
export type ProblemLevel = 'error' | 'warning' | 'skipped';

/** One problem with one record: `field` in the file's own terms (NEMSIS element, CSV column). */
export interface RecordProblem {
  field: string;
  /** The hub input field it maps to, when the problem came from the hub's own validation. */
  hubField?: string;
  reason: string;
  level: ProblemLevel;
}

/** A row of the error report: which file, which record, what is wrong with which field. */
export interface ReportRow extends RecordProblem {
  file: string;
  /** Position in the file: `#3` (third PCR) or `line 7` (CSV); empty for a file-level problem. */
  record: string;
  /** The record's own id (PCR number, RMS case number) when it has a usable one. */
  externalId: string;
}

/** Where report rows go (a CSV or JSON file from the CLI; an array in tests). */
export interface ReportSink {
  add(row: ReportRow): void;
}

export interface FileSummary {
  file: string;
  /** Records read from the file. */
  read: number;
  /** New incidents created. */
  imported: number;
  /** Already in the hub under the same id (a re-import, or a duplicate inside the file). */
  unchanged: number;
  /** Read but not an overdose (NEMSIS files carry every call). */
  skipped: number;
  /** The skipped records by reason (NOT_AN_OVERDOSE, OUTSIDE_CASE_DEFINITION). */
  skippedByReason: Record<string, number>;
  /** Not imported because of an error: see the report. */
  failed: number;
  /** Set when the whole file was refused (wrong version, malformed, unreadable). */
  fileError?: string;
}

export interface ImportResult {
  files: FileSummary[];
  totals: Omit<FileSummary, 'file' | 'fileError'> & { filesRefused: number };
  /** The case definition that decided which records were overdoses (NEMSIS). */
  caseDefinition?: { name: string; version: number };
}

export interface ImportHooks {
  /** Called once every file has been checked, with the number of records to import. */
  onStart?(total: number): void;
  /** Called after each record. */
  onRecord?(progress: { file: string; done: number; total: number }): void;
}

export function emptySummary(file: string): FileSummary {
  return { file, read: 0, imported: 0, unchanged: 0, skipped: 0, skippedByReason: {}, failed: 0 };
}

export function totalsOf(files: FileSummary[]): ImportResult['totals'] {
  const sum = (key: 'read' | 'imported' | 'unchanged' | 'skipped' | 'failed') =>
    files.reduce((n, f) => n + f[key], 0);
  const skippedByReason: Record<string, number> = {};
  for (const f of files) {
    for (const [reason, n] of Object.entries(f.skippedByReason)) {
      skippedByReason[reason] = (skippedByReason[reason] ?? 0) + n;
    }
  }
  return {
    read: sum('read'),
    imported: sum('imported'),
    unchanged: sum('unchanged'),
    skipped: sum('skipped'),
    skippedByReason,
    failed: sum('failed'),
    filesRefused: files.filter((f) => f.fileError).length,
  };
}

/** A problem with a whole file: it is refused and nothing from it is imported. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}
