/**
 * Terminal output for the CLI. Results go to stdout (so they can be piped); notes and errors go to
 * stderr. Only src/cli.ts may use console, so these helpers write to the streams directly.
 */
export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A plain aligned table; an empty list says so instead of printing a lone header. */
export function printTable(headers: string[], rows: string[][], empty: string): void {
  if (rows.length === 0) {
    print(empty);
    return;
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  print(line(headers));
  for (const row of rows) print(line(row));
}
