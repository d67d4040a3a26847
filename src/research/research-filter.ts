import { pgArray } from '../common/sql';
import { badInput, type FieldProblem } from '../errors/hub-errors';
import type { ResearchExtractFilter } from './research-extract.types';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const FIPS = /^\d{5}$/;
const MAX_COUNTIES = 200;
const EARLIEST_YEAR = 2000;

/** A validated filter: half-open UTC instants and the counties as a PostgreSQL array literal. */
export interface ExtractRange {
  fromMonth: string;
  toMonth: string;
  fromInstant: string;
  toInstant: string;
  /** `{37001,37003}` or null for every county. */
  counties: string | null;
  countyCount: number | null;
  months: number;
}

/**
 * Checks the filter and names every bad field at once. Messages never echo what was sent: a
 * researcher's typo could be anything, and error text reaches logs.
 */
export function validateExtractFilter(filter: ResearchExtractFilter): ExtractRange {
  const problems: FieldProblem[] = [];
  const from = parseMonth(filter.fromMonth, 'filter.fromMonth', problems);
  const to = parseMonth(filter.toMonth, 'filter.toMonth', problems);
  if (from && to && to.index < from.index) {
    problems.push({ field: 'filter.toMonth', message: 'must not be before filter.fromMonth' });
  }
  const counties = filter.counties ?? null;
  if (counties) {
    if (counties.length === 0) {
      problems.push({ field: 'filter.counties', message: 'must list a county, or be omitted' });
    }
    if (counties.length > MAX_COUNTIES) {
      problems.push({ field: 'filter.counties', message: `must list at most ${MAX_COUNTIES}` });
    }
    counties.slice(0, MAX_COUNTIES).forEach((county, i) => {
      if (!FIPS.test(county)) {
        problems.push({
          field: `filter.counties.${i}`,
          message: 'must be a five-digit county FIPS code',
        });
      }
    });
  }
  if (problems.length > 0 || !from || !to) throw badInput(problems);
  const distinct = counties ? [...new Set(counties)].sort() : null;
  return {
    fromMonth: filter.fromMonth,
    toMonth: filter.toMonth,
    fromInstant: monthStart(from.index),
    toInstant: monthStart(to.index + 1),
    counties: distinct ? pgArray(distinct) : null,
    countyCount: distinct ? distinct.length : null,
    months: to.index - from.index + 1,
  };
}

function parseMonth(
  value: string | undefined,
  field: string,
  problems: FieldProblem[],
): { index: number } | undefined {
  const match = MONTH.exec(value ?? '');
  const year = match ? Number(match[1]) : NaN;
  if (!match || year < EARLIEST_YEAR || year > 9998) {
    problems.push({ field, message: `must be a month as YYYY-MM, from ${EARLIEST_YEAR}` });
    return undefined;
  }
  return { index: year * 12 + Number(match[2]) - 1 };
}

const monthStart = (index: number): string =>
  `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01T00:00:00Z`;
