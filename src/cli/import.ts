import { basename } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Viewer } from '../auth/viewer';
import { ErrorReportFile } from '../modules/import/error-report';
import { importViewer } from '../modules/import/import-credential';
import type { ImportResult } from '../modules/import/import-types';
import type { ImportKind } from '../modules/import/import-run.entity';
import {
  assertImportRole,
  createImportRun,
  runTrackedImport,
} from '../modules/import/import-run.service';
import { HubError } from '../errors/hub-errors';
import { CliError } from './errors';
import { findAgency } from './lookup';
import { note, print, printTable } from './output';
import type { CliSession } from './session';

/** Where the credential may come from: an option, or the environment (kept out of `ps`). */
export const TOKEN_ENV = 'HUB_IMPORT_TOKEN';

export interface ImportOptions {
  paths: string[];
  token?: string;
  agency?: string;
  report?: string;
  progress?: boolean;
  utcOffset?: string;
  backfill?: boolean;
}

export function importNemsisCommand(session: CliSession, options: ImportOptions): Promise<void> {
  return runImport(session, options, 'NEMSIS');
}

export function importRmsCommand(session: CliSession, options: ImportOptions): Promise<void> {
  return runImport(session, options, 'RMS');
}

/**
 * Authenticates the credential exactly as the API would, checks it belongs to `--agency` when
 * given, runs the import with a progress bar on stderr, prints the summary on stdout and leaves
 * the per-record report on disk. Exits 1 when any record or file failed.
 */
async function runImport(
  session: CliSession,
  options: ImportOptions,
  kind: ImportKind,
): Promise<void> {
  if (options.utcOffset !== undefined && !/^[+-](0\d|1[0-4]):[0-5]\d$/.test(options.utcOffset)) {
    throw new CliError('--utc-offset: must look like -05:00 or +01:00');
  }
  const viewer = await viewerFor(session, options);
  assertImportRole(viewer, kind);
  const reportPath = options.report ?? defaultReportPath(kind.toLowerCase());
  const report = await ErrorReportFile.open(reportPath).catch(() => {
    throw new CliError(`--report: cannot write ${reportPath}`);
  });
  const bar =
    options.progress === false
      ? undefined
      : new SingleBar(
          {
            format: '{bar} {value}/{total} records | {eta_formatted} left | {file}',
            hideCursor: true,
            stream: process.stderr,
          },
          Presets.shades_classic,
        );
  let result: ImportResult;
  const backfill = options.backfill === true;
  const run = await createImportRun(session.em, viewer, kind, 'CLI', backfill);
  note(`import run ${run.id}${backfill ? ' (backfill)' : ''}`);
  try {
    result = await runTrackedImport(
      { em: session.em, config: session.config, viewer, backfill },
      run,
      {
        kind,
        source: 'CLI',
        paths: options.paths,
        report,
        hooks: {
          utcOffset: options.utcOffset,
          onStart: (total) => bar?.start(total, 0, { file: '' }),
          onRecord: ({ file, done }) => bar?.update(done, { file: basename(file) }),
        },
      },
    );
  } finally {
    bar?.stop();
    await report.close();
  }
  printSummary(result);
  print('');
  print(
    report.rows === 0
      ? `no problems to report (empty report: ${reportPath})`
      : `${report.rows} problem(s) by file, record and field: ${reportPath}`,
  );
  if (result.totals.failed > 0 || result.totals.filesRefused > 0) process.exitCode = 1;
}

async function viewerFor(session: CliSession, options: ImportOptions): Promise<Viewer> {
  const credential = options.token ?? process.env[TOKEN_ENV];
  if (!credential) {
    throw new CliError(
      `--token: give the agency's API key or a user token (or set ${TOKEN_ENV}); ` +
        'records are reported as that key or user',
    );
  }
  const viewer = await importViewer(session.em, session.config, credential).catch(
    (error: unknown) => {
      if (error instanceof HubError && error.extensions.code === 'UNAUTHENTICATED') {
        throw new CliError(
          '--token: not a valid API key or user token (revoked, expired or unknown)',
        );
      }
      throw error;
    },
  );
  if (options.agency) {
    const agency = await findAgency(session.em, options.agency, { mustBeActive: true });
    if (agency.id !== viewer.agencyId) {
      throw new CliError(
        `--agency: the credential belongs to another agency than "${agency.name}"`,
      );
    }
  }
  note(
    `importing as ${viewer.kind === 'API_KEY' ? 'API key' : 'user'} ${viewer.apiKeyId ?? viewer.userId} (${viewer.role})`,
  );
  return viewer;
}

function defaultReportPath(kind: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return `import-${kind}-report-${stamp}.csv`;
}

function printSummary({ files, totals, caseDefinition }: ImportResult): void {
  printTable(
    ['FILE', 'READ', 'IMPORTED', 'UNCHANGED', 'SKIPPED', 'FAILED', 'NOTE'],
    [
      ...files.map((f) => [
        f.file,
        String(f.read),
        String(f.imported),
        String(f.unchanged),
        String(f.skipped),
        String(f.failed),
        f.fileError ? `refused: ${f.fileError}` : '',
      ]),
      [
        'TOTAL',
        String(totals.read),
        String(totals.imported),
        String(totals.unchanged),
        String(totals.skipped),
        String(totals.failed),
        totals.filesRefused > 0 ? `${totals.filesRefused} file(s) refused` : '',
      ],
    ],
    'no files to import',
  );
  const reasons = Object.entries(totals.skippedByReason);
  if (caseDefinition) note(`case definition: ${caseDefinition.name} v${caseDefinition.version}`);
  if (reasons.length > 0) {
    print(`skipped by reason: ${reasons.map(([reason, n]) => `${reason} ${n}`).join(', ')}`);
  }
}
