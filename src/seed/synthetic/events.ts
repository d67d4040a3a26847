import type { Column } from './bulk-insert';
import { TABLES } from './tables';

/** The table of overdose events: one per synthetic report (the generator makes no co-reports). */
export const EVENT_TABLE = 'overdose_event';

/** The columns the load writes to overdose_event (merged_into_id stays null). */
export const EVENT_COLUMNS: readonly Column[] = [
  ['id', 'uuid'],
  ['created_at', 'epoch_ms'],
  ['updated_at', 'epoch_ms'],
  ['occurred_at', 'epoch_ms'],
  ['county', 'char(5)'],
  ['latitude', 'text'],
  ['longitude', 'text'],
  ['person_id', 'uuid'],
  ['version', 'integer'],
];

const incidentColumn = (name: string): number => {
  const at = TABLES.overdose_incident.findIndex(([n]) => n === name);
  if (at < 0) throw new Error(`overdose_incident has no column ${name} in the seeder`);
  return at;
};
/** Where each event column comes from in an incident's COPY line (the version is 1). */
const FROM = [
  'id',
  'created_at',
  'created_at',
  'occurred_at',
  'county',
  'latitude',
  'longitude',
  'person_id',
].map(incidentColumn);
const ID = incidentColumn('id');
const EVENT_ID = incidentColumn('event_id');

/**
 * The events of the incidents in COPY text (copy-rows.ts), as COPY text: what the intake's
 * own-event trigger (migration overdose_events) writes for a report that opens its event — the
 * report's id, time, county, person and place, the place copied as the report stores it (its
 * ciphertext, so the text must be the encrypted one). Built from the lines the load copies anyway,
 * so the events go in with COPY in the same pass as their reports instead of being derived from
 * the table afterwards. A report that joins another event would need no event row: the generator
 * makes none, and a line that says otherwise stops the load rather than being skipped.
 */
export function eventCopyText(incidents: string): string {
  if (incidents === '') return '';
  const lines = incidents.split('\n');
  // The text ends with a newline: the last element is empty.
  const events = new Array<string>(lines.length - 1);
  for (let l = 0; l < events.length; l++) {
    const cells = lines[l].split('\t');
    if (cells[EVENT_ID] !== cells[ID]) {
      throw new Error('the seeder writes events only for reports that open their own event');
    }
    let line = cells[FROM[0]];
    for (let c = 1; c < FROM.length; c++) line += `\t${cells[FROM[c]]}`;
    events[l] = `${line}\t1`;
  }
  return `${events.join('\n')}\n`;
}
