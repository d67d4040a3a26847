import { parse } from 'csv-parse/sync';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, type FieldProblem } from '../../errors/hub-errors';

/**
 * Reads the Census Bureau's county population estimates file as published (co-est<vintage>-alldata.csv:
 * SUMLEV, REGION, DIVISION, STATE, COUNTY, STNAME, CTYNAME, ESTIMATESBASE<year>,
 * POPESTIMATE<year>…, then change components). County rows (SUMLEV 050, or any row whose COUNTY is
 * not 000 when the file has no SUMLEV) give one population per POPESTIMATE<year> column; state
 * rows are skipped. Every row is checked before anything is written, and the whole file goes in
 * one transaction: a file in another layout, or with one bad value, imports nothing.
 */
export interface PopulationRow {
  county: string;
  year: number;
  population: number;
  countyName: string;
  stateName: string;
}

export interface PopulationImport {
  counties: number;
  years: number[];
  rows: number;
}

const REQUIRED = ['STATE', 'COUNTY', 'STNAME', 'CTYNAME'] as const;
const ESTIMATE = /^POPESTIMATE(\d{4})$/;
const MAX_PROBLEMS = 20;

/** The published files are Latin-1 (county names such as Doña Ana); UTF-8 is taken too. */
export function decodeCensusFile(bytes: Buffer): string {
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const text = utf8.includes('\uFFFD') ? bytes.toString('latin1') : utf8;
  return text.replace(/^\uFEFF/, '');
}

export function parseCensusPopulation(text: string): PopulationRow[] {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false, skip_empty_lines: true, trim: true });
  } catch {
    throw badInput({ field: 'file', message: 'is not a readable CSV file' });
  }
  if (records.length === 0) throw badInput({ field: 'file', message: 'is empty' });
  const header = records[0].map((h) => h.toUpperCase());
  const problems: FieldProblem[] = [];
  for (const column of REQUIRED) {
    if (!header.includes(column)) {
      problems.push({
        field: column,
        message: 'column missing: not the Census county estimates layout',
      });
    }
  }
  const years = header
    .map((h, index) => ({ year: Number(ESTIMATE.exec(h)?.[1]), index }))
    .filter((c) => Number.isInteger(c.year));
  if (years.length === 0) {
    problems.push({ field: 'POPESTIMATE<year>', message: 'no population estimate column' });
  }
  if (problems.length) throw badInput(problems);
  const at = (name: string) => header.indexOf(name);
  const sumlev = at('SUMLEV');
  const rows: PopulationRow[] = [];
  records.slice(1).forEach((record, i) => {
    if (problems.length >= MAX_PROBLEMS) return;
    const line = i + 2;
    const state = record[at('STATE')];
    const county = record[at('COUNTY')];
    if (!/^\d{1,2}$/.test(state)) {
      problems.push({ field: `STATE (line ${line})`, message: 'must be a state FIPS code' });
      return;
    }
    if (!/^\d{1,3}$/.test(county)) {
      problems.push({ field: `COUNTY (line ${line})`, message: 'must be a county FIPS code' });
      return;
    }
    const isCounty = sumlev >= 0 ? record[sumlev] === '050' : Number(county) !== 0;
    if (!isCounty) return;
    const fips = state.padStart(2, '0') + county.padStart(3, '0');
    for (const { year, index } of years) {
      const value = record[index];
      if (!/^\d{1,9}$/.test(value)) {
        problems.push({
          field: `${header[index]} (line ${line})`,
          message: 'must be a whole number',
        });
        continue;
      }
      rows.push({
        county: fips,
        year,
        population: Number(value),
        countyName: record[at('CTYNAME')],
        stateName: record[at('STNAME')],
      });
    }
  });
  if (problems.length) throw badInput(problems);
  if (rows.length === 0)
    throw badInput({ field: 'file', message: 'has no county rows (SUMLEV 050)' });
  return rows;
}

/** Writes (or replaces) the populations in one transaction. */
export async function importPopulations(
  em: EntityManager,
  rows: PopulationRow[],
): Promise<PopulationImport> {
  await em.transactional(async (tx) => {
    const connection = tx.getConnection();
    const ctx = tx.getTransactionContext();
    // In slices: one statement per 1,000 values keeps the bindings well under PostgreSQL's limit.
    for (let start = 0; start < rows.length; start += 1000) {
      const slice = rows.slice(start, start + 1000);
      await connection.execute(
        `insert into county_population (county, year, population, county_name, state_name)
         select * from jsonb_to_recordset(?::jsonb)
           as r(county char(5), year int, population int, county_name text, state_name text)
         on conflict (county, year) do update
           set population = excluded.population, county_name = excluded.county_name,
               state_name = excluded.state_name`,
        [
          JSON.stringify(
            slice.map((r) => ({
              county: r.county,
              year: r.year,
              population: r.population,
              county_name: r.countyName,
              state_name: r.stateName,
            })),
          ),
        ],
        'run',
        ctx,
      );
    }
  });
  return {
    counties: new Set(rows.map((r) => r.county)).size,
    years: [...new Set(rows.map((r) => r.year))].sort(),
    rows: rows.length,
  };
}
