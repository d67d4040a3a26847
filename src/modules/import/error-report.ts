import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { stringify, type Stringifier } from 'csv-stringify';
import type { ReportRow, ReportSink } from './import-types';

const COLUMNS: Array<keyof ReportRow> = [
  'file',
  'record',
  'externalId',
  'field',
  'hubField',
  'level',
  'reason',
];

/**
 * The per-record error report, streamed to disk as rows arrive (a large file with many bad
 * records never piles up in memory). JSON when the path ends in `.json`, CSV otherwise.
 * Rows carry field names and reasons only, never a value from the file.
 */
export class ErrorReportFile implements ReportSink {
  rows = 0;
  private readonly out: WriteStream;
  private readonly csv?: Stringifier;

  private constructor(readonly path: string) {
    this.out = createWriteStream(path, { flags: 'w', mode: 0o600 });
    if (path.toLowerCase().endsWith('.json')) {
      this.out.write('[\n');
    } else {
      this.csv = stringify({ header: true, columns: COLUMNS as string[] });
      this.csv.pipe(this.out);
    }
  }

  static async open(path: string): Promise<ErrorReportFile> {
    const report = new ErrorReportFile(path);
    await Promise.race([
      once(report.out, 'open'),
      once(report.out, 'error').then(([error]) => Promise.reject(error as Error)),
    ]);
    return report;
  }

  add(row: ReportRow): void {
    const ordered = Object.fromEntries(COLUMNS.map((c) => [c, row[c] ?? '']));
    if (this.csv) this.csv.write(ordered);
    else this.out.write(`${this.rows === 0 ? '' : ',\n'}  ${JSON.stringify(ordered)}`);
    this.rows++;
  }

  async close(): Promise<void> {
    if (this.csv) {
      this.csv.end();
    } else {
      this.out.end(`${this.rows === 0 ? '' : '\n'}]\n`);
    }
    await once(this.out, 'finish');
  }
}
