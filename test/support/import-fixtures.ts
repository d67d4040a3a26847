import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportRow, ReportSink } from '../../src/modules/import/import-types';
import type { TestHub } from './hub';

/** The county the fixture files are written in; each test replaces it with a county of its own. */
export const FIXTURE_COUNTY = '37021';
/** Surnames in the fixtures; each copy makes them its own (see fixtureCopy). */
const FIXTURE_SURNAMES = ['Rivera', 'Okafor', 'Lindqvist', 'Morgan', 'Whitfield'];
/** Fixture times sit just before this instant; copies move them to just before now. */
const FIXTURE_ANCHOR = Date.parse('2026-11-25T00:00:00-05:00');
const DAY = 86_400_000;

/**
 * A fresh copy of a fixture in a temporary folder: the county replaced (so routing tests do not
 * see each other's agencies) and every date-time moved so the latest lies a day before now (so
 * intake's age and future checks hold whenever the suite runs). Dates of birth are untouched.
 * Surnames get a suffix of letters unique to the copy (person keys ignore digits), so a copy
 * never matches a person filed by another test or an earlier run (whose identity may even be
 * under another key, after identity-encryption.spec.ts rotates the shared database's keys).
 */
export async function fixtureCopy(
  kind: 'nemsis' | 'rms',
  name: string,
  county: string,
  folder?: string,
  /** Move the times this many days further back (history for backfill tests). */
  daysBack = 0,
): Promise<string> {
  const text = await readFile(join(__dirname, '..', 'fixtures', kind, name), 'utf8');
  const shift = Date.now() - DAY - FIXTURE_ANCHOR - daysBack * DAY;
  const suffix = randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 8)
    .padEnd(8, 'x');
  const moved = FIXTURE_SURNAMES.reduce(
    (t, surname) => t.replaceAll(surname, `${surname}${suffix}`),
    text,
  )
    .replaceAll(FIXTURE_COUNTY, county)
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})/g, (at) =>
      new Date(Date.parse(at) + shift).toISOString().replace('.000Z', 'Z'),
    );
  const dir = folder ?? (await mkdtemp(join(tmpdir(), `import-${kind}-`)));
  const path = join(dir, name);
  await writeFile(path, moved);
  return path;
}

export function tempFolder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'import-'));
}

/** A report sink that keeps the rows, for assertions. */
export class MemoryReport implements ReportSink {
  rows: ReportRow[] = [];
  add(row: ReportRow): void {
    this.rows.push(row);
  }
  errors(): ReportRow[] {
    return this.rows.filter((r) => r.level === 'error');
  }
}

/** How many rows of any table of the hub contain `needle` (each row read as text). */
export async function rowsContaining(hub: TestHub, needle: string): Promise<number> {
  const connection = hub.em().getConnection();
  const tables = await connection.execute<Array<{ name: string }>>(
    `select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`,
  );
  let found = 0;
  for (const { name } of tables) {
    const [{ n }] = await connection.execute<Array<{ n: number }>>(
      `select count(*)::int as n from "${name}" t where t::text like ?`,
      [`%${needle}%`],
    );
    found += n;
  }
  return found;
}
