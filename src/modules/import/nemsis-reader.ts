import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { ImportFileError } from './import-types';
import { NEMSIS_NAMESPACE } from './nemsis-codes';

const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

/**
 * The only sections the hub maps (reference/domain.md §8). Everything else in a PCR, vitals,
 * exam, and above all eNarrative, is never kept, not even in memory.
 */
const KEPT_SECTIONS = new Set([
  'eRecord',
  'eResponse',
  'eTimes',
  'ePatient',
  'eScene',
  'eSituation',
  'eMedications',
  'eDisposition',
]);

/**
 * One PatientCareReport as read: leaf element texts, by element name, in document order.
 * NEMSIS "not values" and pertinent negatives never appear as values: an element that is nil or
 * carries NV is absent (its NV code, or `nil`, is kept under `<name>#NV`), and an element that
 * carries PN is a negative statement (its PN code is kept under `<name>#PN`, and any text it has
 * under `<name>#PN-value`), so no mapper can read "naloxone: refused" as "naloxone given".
 */
export interface RawPcr {
  /** 1-based position of the PCR in its file. */
  ordinal: number;
  uuid?: string;
  values: Map<string, string[]>;
  /** One map per eMedications.MedicationGroup, in document order. */
  medications: Array<Map<string, string>>;
}

interface Frame {
  name: string;
  hasChildren: boolean;
  /** xsi:nil="true", or an NV attribute: the element states that there is no value. */
  notValue?: string;
  /** A pertinent negative (PN attribute): the element states what was not done or not found. */
  pertinentNegative?: string;
}

export const NOT_VALUE = '#NV';
export const PERTINENT_NEGATIVE = '#PN';
export const NEGATED_VALUE = '#PN-value';

/**
 * Streams a NEMSIS EMS data set: the file is read in chunks and each PCR is handed over as soon
 * as its closing tag is parsed, so memory stays flat however large the file. With `keep: false`
 * it only checks the file (root element, version, well-formedness) and counts the PCRs.
 */
async function* parse(path: string, keep: boolean): AsyncGenerator<RawPcr, number> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: Frame[] = [];
  const ready: RawPcr[] = [];
  let count = 0;
  let pcrDepth = -1;
  let current: RawPcr | null = null;
  let medication: Map<string, string> | null = null;
  let text = '';

  const section = () => (pcrDepth >= 0 ? stack[pcrDepth + 1]?.name : undefined);

  parser.on('opentag', (tag) => {
    if (stack.length === 0) checkRoot(tag);
    const parent = stack[stack.length - 1];
    if (parent) parent.hasChildren = true;
    stack.push({
      name: tag.local,
      hasChildren: false,
      notValue: notValueOf(tag),
      pertinentNegative: attribute(tag, 'PN'),
    });
    text = '';
    if (tag.local === 'PatientCareReport' && tag.uri === NEMSIS_NAMESPACE && pcrDepth < 0) {
      pcrDepth = stack.length - 1;
      count++;
      if (keep) {
        const uuid = attribute(tag, 'UUID');
        current = { ordinal: count, uuid, values: new Map(), medications: [] };
      }
    } else if (current && stack.length === pcrDepth + 3 && section() === 'eMedications') {
      medication = new Map();
    }
  });

  parser.on('text', (chunk) => {
    if (current && KEPT_SECTIONS.has(section() ?? '')) text += chunk;
  });
  parser.on('cdata', (chunk) => {
    if (current && KEPT_SECTIONS.has(section() ?? '')) text += chunk;
  });

  parser.on('closetag', () => {
    const depth = stack.length - 1;
    const frame = stack.pop()!;
    if (current && !frame.hasChildren && KEPT_SECTIONS.has(section() ?? '')) {
      const value = text.trim();
      const keep = (name: string, v: string) => {
        if (medication) {
          if (!medication.has(name)) medication.set(name, v);
        } else {
          const values = current!.values.get(name);
          if (values) values.push(v);
          else current!.values.set(name, [v]);
        }
      };
      if (frame.pertinentNegative !== undefined) {
        keep(frame.name + PERTINENT_NEGATIVE, frame.pertinentNegative);
        if (value && frame.notValue === undefined) keep(frame.name + NEGATED_VALUE, value);
      } else if (frame.notValue !== undefined) {
        keep(frame.name + NOT_VALUE, frame.notValue);
      } else if (value) {
        keep(frame.name, value);
      }
    }
    text = '';
    if (medication && depth === pcrDepth + 2) {
      current?.medications.push(medication);
      medication = null;
    }
    if (depth === pcrDepth) {
      if (current) ready.push(current);
      current = null;
      pcrDepth = -1;
    }
  });

  try {
    let first = true;
    for await (const chunk of createReadStream(path, {
      encoding: 'utf8',
      highWaterMark: 64 * 1024,
    })) {
      let data = chunk as string;
      if (first && data.charCodeAt(0) === 0xfeff) data = data.slice(1);
      first = false;
      parser.write(data);
      while (ready.length > 0) yield ready.shift()!;
    }
    parser.close();
    while (ready.length > 0) yield ready.shift()!;
  } catch (error) {
    throw asFileError(error);
  }
  return count;
}

/** An attribute without a namespace (NV, PN, UUID), trimmed. */
function attribute(tag: SaxesTagNS, name: string): string | undefined {
  return Object.values(tag.attributes)
    .find((a) => a.local === name && !a.uri)
    ?.value.trim();
}

/** The NV code of an element, `nil` for xsi:nil without one, undefined for an element with a value. */
function notValueOf(tag: SaxesTagNS): string | undefined {
  const nv = attribute(tag, 'NV');
  if (nv !== undefined) return nv || 'nil';
  const nil = Object.values(tag.attributes).some(
    (a) => a.local === 'nil' && a.uri === XSI_NAMESPACE && ['true', '1'].includes(a.value.trim()),
  );
  return nil ? 'nil' : undefined;
}

/**
 * The NEMSIS version a file names. ePCR systems and the NEMSIS TAC name it in
 * xsi:schemaLocation in several forms, all of which hold the version as `3.5.x`:
 * `…/nemsis_v3/release-3.5.0/XSDs/…` (published releases), `…/nemsis_v3/3.5.0.211008CP3/XSDs/…`
 * (the TAC's build and critical-patch form), and vendor forms such as `…/NEMSIS_v3.5.1/…` or
 * `…/3_5_0/…`. Only the schema location of the NEMSIS namespace is read.
 */
export function nemsisVersionOf(schemaLocation: string | undefined): string | undefined {
  const tokens = (schemaLocation ?? '').trim().split(/\s+/);
  // Pairs of namespace and location; a lone location (no pairs) is read as it is.
  const paired = tokens.filter((_, i) => i % 2 === 1 && tokens[i - 1] === NEMSIS_NAMESPACE);
  const locations = paired.length > 0 ? paired : tokens;
  for (const location of locations) {
    const match = /(?:^|[^0-9.])(3)[._](\d{1,2})[._](\d{1,2})(?![0-9_])/.exec(location);
    if (match) return `${match[1]}.${match[2]}.${match[3]}`;
  }
  return undefined;
}

/** The root must be a NEMSIS v3.5 EMSDataSet; anything else refuses the whole file up front. */
function checkRoot(tag: SaxesTagNS): void {
  if (tag.uri === NEMSIS_NAMESPACE && tag.local === 'DEMDataSet') {
    throw new ImportFileError(
      'is a NEMSIS demographic data set (DEMDataSet), not EMS patient care reports (EMSDataSet)',
    );
  }
  if (tag.uri !== NEMSIS_NAMESPACE || tag.local !== 'EMSDataSet') {
    throw new ImportFileError(
      `is not a NEMSIS EMS data set: the root element is not EMSDataSet in the ${NEMSIS_NAMESPACE} namespace`,
    );
  }
  const location = Object.values(tag.attributes).find(
    (a) => a.local === 'schemaLocation' && a.uri === XSI_NAMESPACE,
  )?.value;
  const version = nemsisVersionOf(location);
  if (!version) {
    throw new ImportFileError(
      'does not say which NEMSIS version it follows: expected an xsi:schemaLocation naming a 3.5.x schema (such as …/nemsis_v3/3.5.1.250403CP1/XSDs/NEMSIS_XSDs/EMSDataSet_v3.xsd)',
    );
  }
  if (!version.startsWith('3.5.')) {
    throw new ImportFileError(
      `is NEMSIS ${version}; this importer reads NEMSIS v3.5 only (export the file as v3.5)`,
    );
  }
}

/** Parser messages name a position and a construct, never the text around it. */
function asFileError(error: unknown): Error {
  if (error instanceof ImportFileError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ImportFileError('does not exist');
  if (code === 'EISDIR') return new ImportFileError('is a folder, not a file');
  if (code === 'EACCES') return new ImportFileError('cannot be read (permission denied)');
  const message = error instanceof Error ? error.message : String(error);
  const match = /^(\d+):(\d+): (.*)$/s.exec(message);
  if (!match) return error instanceof Error ? error : new Error(message);
  const [, line, column, reason] = match;
  const safe = reason.startsWith('malformed name') ? 'malformed name.' : reason.slice(0, 120);
  return new ImportFileError(
    `is not well-formed XML (line ${line}, column ${Number(column) + 1}: ${safe}); nothing from it was imported`,
  );
}

/** Checks a whole file and counts its PCRs; throws ImportFileError if it must be refused. */
export async function checkNemsisFile(path: string): Promise<number> {
  const reader = parse(path, false);
  for (;;) {
    const step = await reader.next();
    if (step.done) return step.value;
  }
}

/** The PCRs of a file, one at a time, as the stream is read. */
export function readPcrs(path: string): AsyncGenerator<RawPcr, number> {
  return parse(path, true);
}
