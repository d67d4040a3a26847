import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Cell, Column } from './bulk-insert';

const DAY_MS = 86_400_000;
const MICROS_PER_DAY = 86_400_000_000;
const pad2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const pad3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** 'YYYY-MM-DDT' by day since 1970 (a few thousand days are ever used). */
const dayPrefixes = new Map<number, string>();
let lastMs = NaN;
let lastText = '';

/**
 * An epoch-milliseconds time (fractions allowed) as the ISO text PostgreSQL reads into a
 * timestamptz, to the microsecond as `to_timestamp(ms / 1000)` would keep it. Built from a cached
 * date and the time of day (`Date#toISOString` for each of tens of millions of times costs more
 * and drops the microseconds); a row's created_at and updated_at are often the same time.
 */
export function isoFromEpochMs(ms: number): string {
  if (ms === lastMs) return lastText;
  const micros = Math.round(ms * 1000);
  const day = Math.floor(micros / MICROS_PER_DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const ofDay = micros - day * MICROS_PER_DAY;
  const second = Math.floor(ofDay / 1_000_000);
  const fraction = ofDay - second * 1_000_000;
  const hours = Math.floor(second / 3600);
  const minutes = Math.floor((second - hours * 3600) / 60);
  const seconds = second - hours * 3600 - minutes * 60;
  const clock = `${prefix}${pad2[hours]}:${pad2[minutes]}:${pad2[seconds]}`;
  lastMs = ms;
  lastText =
    fraction === 0
      ? `${clock}Z`
      : `${clock}.${pad3[Math.floor(fraction / 1000)]}${pad3[fraction % 1000]}Z`;
  return lastText;
}

/** Characters COPY's text format gives a meaning to: escaped when a value holds one. */
const SPECIAL = /[\\\t\n\r]/;
const escapeText = (text: string): string =>
  SPECIAL.test(text)
    ? text.replace(
        /[\\\t\n\r]/g,
        (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c as '\\'],
      )
    : text;

/** Per column: 1 an epoch_ms time, 2 free text (escaped), 0 anything else. */
const kindsOf = new WeakMap<readonly Column[], Uint8Array>();
function columnKinds(columns: readonly Column[]): Uint8Array {
  let kinds = kindsOf.get(columns);
  if (!kinds) {
    // Only free text can hold a tab, newline or backslash: ids, codes, numbers and arrays of
    // codes cannot, and skipping the check on them saves a scan of every value.
    kinds = Uint8Array.from(columns, ([, type]) =>
      type === 'epoch_ms' ? 1 : type === 'text' ? 2 : 0,
    );
    kindsOf.set(columns, kinds);
  }
  return kinds;
}

/**
 * One row as a line of COPY text (without its newline): tab between columns, `\N` for NULL.
 * Columns typed `epoch_ms` (bulk-insert.ts) hold epoch milliseconds and are written as ISO
 * times; booleans as t/f; everything else as its text, which PostgreSQL casts to the column's
 * type (enums, arrays as `{A,B}` literals, numerics).
 */
export function copyLine(columns: readonly Column[], row: readonly Cell[]): string {
  const kinds = columnKinds(columns);
  const texts = scratch;
  texts.length = kinds.length;
  for (let c = 0; c < kinds.length; c++) {
    const value = row[c];
    const text =
      value === null || value === undefined
        ? '\\N'
        : kinds[c] === 1
          ? isoFromEpochMs(value as number)
          : typeof value === 'boolean'
            ? value
              ? 't'
              : 'f'
            : typeof value === 'number'
              ? String(value)
              : kinds[c] === 2
                ? escapeText(value)
                : value;
    texts[c] = text;
  }
  return texts.join('\t');
}

/** Reused by copyLine (joining an array makes one flat string; `+` makes a rope of them). */
const scratch: string[] = [];

/** A batch's rows of one table: cells, or lines already made by copyLine. */
export type Row = Cell[] | string;

/** Rows as COPY text, a line each. */
export function copyText(columns: readonly Column[], rows: ReadonlyArray<Row>): string {
  if (rows.length === 0) return '';
  const lines = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    lines[r] = typeof row === 'string' ? row : copyLine(columns, row);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes COPY text (copyText) with `COPY … FROM STDIN` on the client (in its transaction, if one
 * is open): far less work for PostgreSQL than INSERT, and no statement size limit. `freeze` for
 * a table created or truncated in the same transaction: rows are written frozen and their pages
 * marked all-visible, so no VACUUM has to visit them later. Returns the number of rows written.
 */
export async function copyIn(
  client: ClientBase,
  table: string,
  columns: readonly Column[],
  text: string,
  freeze = false,
): Promise<number> {
  if (text === '') return 0;
  const names = columns.map(([name]) => `"${name}"`).join(', ');
  const stream = client.query(
    copyFrom(`copy "${table}" (${names}) from stdin${freeze ? ' with (freeze)' : ''}`),
  );
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(Buffer.from(text, 'utf8'));
  });
  return stream.rowCount;
}
