import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { SingleBar, Presets } from 'cli-progress';
import { stringify } from 'csv-stringify';
import { authenticate } from '../auth/authenticate';
import { createTokenVerifier } from '../auth/tokens';
import { forbidden } from '../errors/hub-errors';
import type { Logger } from '../logger';
import { recordResearchAccess, type ResearchAccess } from '../research/research-audit';
import { researchExtractPermissions } from '../research/research-extract.permissions';
import { runResearchExtract } from '../research/research-extract.service';
import type { ResearchExtractRowType } from '../research/research-extract.types';
import { CliError } from './errors';
import { note } from './output';
import type { CliSession } from './session';

export interface ResearchExtractOptions {
  token: string;
  from: string;
  to: string;
  counties?: string[];
  out: string;
}

/** Column name in the CSV → field of a row, in order. */
export const EXTRACT_COLUMNS: ReadonlyArray<[string, keyof ResearchExtractRowType]> = [
  ['person_key', 'personKey'],
  ['period', 'period'],
  ['area', 'area'],
  ['generalisation_level', 'generalisationLevel'],
  ['month', 'month'],
  ['county', 'county'],
  ['age_band', 'ageBand'],
  ['sex', 'sex'],
  ['fatal', 'fatal'],
  ['naloxone_given', 'naloxoneGiven'],
  ['contacted', 'contacted'],
  ['engaged', 'engaged'],
  ['linked', 'linked'],
  ['repeat_overdose_90d', 'repeatOverdoseWithin90Days'],
  ['lead_enrolled', 'leadEnrolled'],
  ['officer_presence', 'officerPresence'],
  ['hours_to_first_attempt', 'hoursToFirstAttempt'],
  ['hours_to_first_contact', 'hoursToFirstContact'],
  ['attempts', 'attempts'],
  ['substance_categories', 'substanceCategories'],
  ['ems_disposition', 'emsDisposition'],
  ['case_source', 'caseSource'],
];

const BATCH_SIZE = 5_000;
/** An operator's extract of several years may run for minutes; an API request may not. */
const CLI_STATEMENT_TIMEOUT_MS = 30 * 60_000;

/**
 * `research-extract`: the same extract as `researchExtract` on /research/graphql, for any size.
 * The caller proves who they are with the token or API key they use on the API; the same
 * permission rule and service decide, and the access is audited like an API request. The file is
 * written under a temporary name and renamed when complete, so a failed run leaves no partial
 * extract behind.
 */
export async function researchExtractCommand(
  { em, config }: CliSession,
  options: ResearchExtractOptions,
  logger: Logger,
): Promise<void> {
  const viewer = await authenticate(
    `Bearer ${options.token}`,
    em,
    createTokenVerifier(config.auth),
  );
  const requestId = randomUUID();
  const audit = (outcome: string, extra: Partial<ResearchAccess> = {}) =>
    recordResearchAccess(em, logger, {
      actor: viewer,
      action: 'research.extract',
      channel: 'cli',
      requestId,
      outcome,
      ...extra,
    });
  if (!researchExtractPermissions.Query.researchExtract.roles.includes(viewer.role)) {
    await audit('FORBIDDEN');
    throw forbidden();
  }

  const partial = `${options.out}.${requestId.slice(0, 8)}.partial`;
  const csv = stringify({
    header: true,
    columns: EXTRACT_COLUMNS.map(([header]) => header),
    cast: { boolean: (value) => (value ? 'true' : 'false') },
  });
  const file = createWriteStream(partial, { mode: 0o600 });
  const written = new Promise<void>((resolve, reject) => {
    file.on('finish', resolve).on('error', reject);
    csv.on('error', reject);
  });
  csv.pipe(file);
  const bar = new SingleBar(
    { format: 'extract {bar} {percentage}% | {value}/{total} rows', stream: process.stderr },
    Presets.shades_classic,
  );
  let done = 0;
  try {
    const summary = await runResearchExtract(
      em,
      viewer,
      { fromMonth: options.from, toMonth: options.to, counties: options.counties },
      {
        k: config.research.kAnonymity,
        maxRows: null,
        batchSize: BATCH_SIZE,
        statementTimeoutMs: CLI_STATEMENT_TIMEOUT_MS,
        onSummary: (s) => bar.start(s.rowCount, 0),
        onRows: async (rows) => {
          for (const row of rows) {
            if (!csv.write(EXTRACT_COLUMNS.map(([, field]) => row[field]))) {
              await once(csv, 'drain');
            }
          }
          done += rows.length;
          bar.update(done);
        },
      },
    );
    csv.end();
    await written;
    bar.stop();
    // Audited before the file appears under its name: an unaudited extract is never released.
    await audit('ok', {
      filter: {
        fromMonth: summary.fromMonth,
        toMonth: summary.toMonth,
        months: summary.range.months,
        countyCount: summary.range.countyCount,
      },
      extractId: summary.extractId,
      rowCount: summary.rowCount,
      suppressedRowCount: summary.suppressedRowCount,
      generalisedRowCount: summary.generalisedRowCount,
    });
    await rename(partial, options.out);
    note(
      `wrote ${summary.rowCount} rows to ${options.out} (extract ${summary.extractId}, k = ` +
        `${summary.k}; ${summary.generalisedRowCount} rows generalised, ` +
        `${summary.suppressedRowCount} rows still under k were dropped)`,
    );
  } catch (error) {
    bar.stop();
    csv.destroy();
    file.destroy();
    await rm(partial, { force: true });
    const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
    await audit(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR').catch(() => undefined);
    throw error;
  }
}

/** `--token -` reads the credential from stdin, so it never shows in the process list. */
export async function readToken(value: string): Promise<string> {
  if (value !== '-') return value.trim();
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const token = Buffer.concat(chunks).toString('utf8').trim();
  if (!token) throw new CliError('--token -: nothing on stdin');
  return token;
}
