import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { Role } from '../common/role';
import { badInput, forbidden } from '../errors/hub-errors';
import type { Sex } from '../modules/person/person-codes';
import {
  extractRowsSql,
  extractSummarySql,
  GENERALISATION,
  type ExtractSqlRow,
  type GeneralisationLevel,
} from './research-extract.sql';
import type { ResearchExtractFilter, ResearchExtractRowType } from './research-extract.types';
import { validateExtractFilter, type ExtractRange } from './research-filter';

export interface ExtractSummary {
  extractId: string;
  k: number;
  fromMonth: string;
  toMonth: string;
  rowCount: number;
  suppressedRowCount: number;
  /** Rows published with coarser quasi-identifiers than month, county and age band. */
  generalisedRowCount: number;
  /** How many rows each generalisation step published (steps that published none left out). */
  generalised: Array<GeneralisationLevel & { rows: number }>;
  /** For the audit line: the shape of the filter, no values. */
  range: Pick<ExtractRange, 'months' | 'countyCount'>;
}

export interface ExtractOptions {
  k: number;
  /** Refuse an extract with more published rows than this (one GraphQL answer); null: stream all. */
  maxRows: number | null;
  batchSize: number;
  /** Per-statement limit for this extract (the CLI); the connection's default otherwise. */
  statementTimeoutMs?: number;
  /** Called once the row count is known, before the first batch (progress bars). */
  onSummary?: (summary: ExtractSummary) => void;
  onRows: (rows: ResearchExtractRowType[]) => void | Promise<void>;
}

/** The research extract is for researchers only, whichever way it is asked for (API or CLI). */
export function assertResearcher(viewer: Viewer): void {
  if (viewer.role !== Role.RESEARCHER) throw forbidden();
}

/**
 * Runs one extract: k-anonymity is decided in SQL — rows of a month × county × age band × sex
 * group with fewer than k people are generalised (quarter, wider band, year, region, state, any
 * age: research-extract.sql.ts) and dropped only when no step reaches k; each stored person key is replaced by an HMAC
 * under a random key made for this extract and forgotten when it ends, so two extracts cannot
 * be joined on it and the stored key never leaves. One read-only snapshot: the count and the
 * rows agree even while reports arrive.
 */
export async function runResearchExtract(
  em: EntityManager,
  viewer: Viewer,
  filter: ResearchExtractFilter,
  options: ExtractOptions,
): Promise<ExtractSummary> {
  assertResearcher(viewer);
  const range = validateExtractFilter(filter);
  const k = options.k;
  const extractKey = randomBytes(32);
  const salt = randomBytes(16).toString('hex');
  const rekey = (subject: string) =>
    createHmac('sha256', extractKey).update(subject).digest('hex').slice(0, 32);

  return em.fork().transactional(
    async (tx) => {
      const connection = tx.getConnection();
      const ctx = tx.getTransactionContext();
      // Sorting a year of rows in memory, not on disk; no parallel workers on a 2-core host
      // (measured slower); the CLI may outlast the per-request statement timeout.
      const settings = [
        `set local work_mem = '64MB'`,
        'set local max_parallel_workers_per_gather = 0',
      ];
      if (options.statementTimeoutMs !== undefined) {
        settings.push(`set local statement_timeout = ${Math.trunc(options.statementTimeoutMs)}`);
      }
      for (const setting of settings) await connection.execute(setting, [], 'run', ctx);
      const summaryStatement = extractSummarySql(range, k);
      const levels = await connection.execute<Array<{ level: number | null; rows: number }>>(
        summaryStatement.text,
        summaryStatement.bindings,
        'all',
        ctx,
      );
      const rowsAt = (level: number | null) =>
        Number(levels.find((l) => l.level === level)?.rows ?? 0);
      const generalised = GENERALISATION.filter((g) => g.level > 0 && rowsAt(g.level) > 0).map(
        (g) => ({ ...g, rows: rowsAt(g.level) }),
      );
      const summary: ExtractSummary = {
        extractId: randomUUID(),
        k,
        fromMonth: range.fromMonth,
        toMonth: range.toMonth,
        rowCount: levels.filter((l) => l.level !== null).reduce((n, l) => n + Number(l.rows), 0),
        suppressedRowCount: rowsAt(null),
        generalisedRowCount: generalised.reduce((n, g) => n + g.rows, 0),
        generalised,
        range: { months: range.months, countyCount: range.countyCount },
      };
      if (options.maxRows !== null && summary.rowCount > options.maxRows) {
        throw badInput({
          field: 'filter',
          message:
            `the extract would have more than ${options.maxRows} rows: ask for fewer months or ` +
            'counties, or use the research-extract CLI',
        });
      }
      options.onSummary?.(summary);

      // A cursor hands the rows over in batches from the one query: memory stays flat however
      // large the extract.
      const rows = extractRowsSql(range, k, salt);
      await connection.execute(
        `declare research_extract no scroll cursor for ${rows.text}`,
        rows.bindings,
        'run',
        ctx,
      );
      for (;;) {
        const batch = await connection.execute<ExtractSqlRow[]>(
          `fetch forward ${Math.trunc(options.batchSize)} from research_extract`,
          [],
          'all',
          ctx,
        );
        if (batch.length === 0) break;
        await options.onRows(batch.map((row) => toPublishedRow(row, rekey)));
        if (batch.length < options.batchSize) break;
      }
      await connection.execute('close research_extract', [], 'run', ctx);
      return summary;
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}

function toPublishedRow(
  row: ExtractSqlRow,
  rekey: (subject: string) => string,
): ResearchExtractRowType {
  return {
    personKey: rekey(row.subject),
    month: GENERALISATION[row.level].period === 'MONTH' ? row.period : null,
    county: GENERALISATION[row.level].area === 'COUNTY' ? row.area : null,
    period: row.period,
    area: row.area,
    generalisationLevel: row.level,
    ageBand: row.age_band,
    sex: row.sex as Sex,
    fatal: row.fatal,
    naloxoneGiven: row.naloxone_given,
    contacted: row.contacted,
    engaged: row.engaged,
    linked: row.linked,
    repeatOverdoseWithin90Days: row.repeat_90,
    leadEnrolled: row.lead_enrolled,
    officerPresence: row.officer_presence,
    hoursToFirstAttempt: row.hours_to_first_attempt,
    hoursToFirstContact: row.hours_to_first_contact,
    attempts: Number(row.attempts),
    substanceCategories: row.substance_categories,
    emsDisposition: row.ems_disposition,
    caseSource: row.case_source,
  };
}
