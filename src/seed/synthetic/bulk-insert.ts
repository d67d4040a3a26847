import type { ClientBase } from 'pg';

/**
 * A column of a bulk insert: its name and the PostgreSQL type its text is cast to. The type
 * `epoch_ms` takes milliseconds since 1970 (a JS time) into a timestamptz, skipping the cost of
 * formatting millions of dates in Node.
 */
export type Column = readonly [name: string, type: string];

export type Cell = string | number | boolean | null | undefined;

/** Never inside a value the seeder writes (codes, names, ciphertexts, numbers). */
const SEPARATOR = '\u001f';
const NULL = '\\N';

/**
 * Inserts many rows in one statement: each column travels as one text parameter (values joined
 * by a control character) that `string_to_array` splits and `unnest` zips back into rows. A
 * statement has as many parameters as columns however many rows (no 65,535-parameter limit),
 * and nothing is escaped value by value. Values are cast to the column's type in SQL.
 */
export async function insertRows(
  client: ClientBase,
  table: string,
  columns: readonly Column[],
  rows: ReadonlyArray<readonly Cell[]>,
): Promise<number> {
  if (rows.length === 0) return 0;
  const texts: string[] = [];
  const cell = new Array<string>(rows.length);
  for (let c = 0; c < columns.length; c++) {
    for (let r = 0; r < rows.length; r++) {
      const value = rows[r][c];
      cell[r] = value === null || value === undefined ? NULL : String(value);
    }
    texts.push(cell.join(SEPARATOR));
  }
  const names = columns.map(([name]) => `"${name}"`).join(', ');
  const casts = columns
    .map(([, type], i) =>
      type === 'epoch_ms' ? `to_timestamp(u.c${i}::float8 / 1000)` : `u.c${i}::${type}`,
    )
    .join(', ');
  const params = columns.map((_, i) => `string_to_array($${i + 1}, E'\\x1f', E'\\\\N')`).join(', ');
  const aliases = columns.map((_, i) => `c${i}`).join(', ');
  const result = await client.query(
    `insert into "${table}" (${names}) select ${casts} from unnest(${params}) as u(${aliases})`,
    texts,
  );
  return result.rowCount ?? 0;
}

/** A PostgreSQL array literal of simple codes (enum values, FIPS codes): '{A,B}'. */
export const pgList = (values: readonly string[]): string => `{${values.join(',')}}`;
