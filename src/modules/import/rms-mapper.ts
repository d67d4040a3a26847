import {
  AdministeredBy,
  NaloxoneResponse,
  NaloxoneRoute,
  SuspectedSubstance,
} from '../incident/incident-codes';
import {
  AddressInput,
  NaloxoneAdministrationInput,
  ReportIncidentInput,
  SurvivorInput,
} from '../incident/incident.input';
import { Sex } from '../person/person-codes';
import type { RecordProblem } from './import-types';
import { parseDateTime, parseDecimal } from './import-values';

/**
 * The police RMS CSV layout (docs/imports.md has the full table). Header names are matched
 * case-insensitively, with spaces and dashes read as underscores. Columns not listed are
 * ignored, and so are free-text columns such as narratives: they are never read.
 */
export const RMS_COLUMNS = {
  case_number: 'externalId',
  incident_datetime: 'occurredAt',
  county_fips: 'county',
  street: 'address.street',
  city: 'address.city',
  state: 'address.state',
  zip: 'address.zip',
  latitude: 'latitude',
  longitude: 'longitude',
  fatal: 'fatal',
  substances: 'suspectedSubstances',
  naloxone_doses: 'naloxone',
  naloxone_dose_mg: 'naloxone.doseMg',
  naloxone_route: 'naloxone.route',
  naloxone_by: 'naloxone.administeredBy',
  naloxone_response: 'naloxone.response',
  naloxone_at: 'naloxone.administeredAt',
  officer_warm_handoff: 'officerWarmHandoff',
  victim_first_name: 'survivor.firstName',
  victim_last_name: 'survivor.lastName',
  victim_dob: 'survivor.dateOfBirth',
  victim_phone: 'survivor.phone',
  victim_street: 'survivor.address.street',
  victim_city: 'survivor.address.city',
  victim_state: 'survivor.address.state',
  victim_zip: 'survivor.address.zip',
  victim_sex: 'survivor.sex',
} as const;

export type RmsColumn = keyof typeof RMS_COLUMNS;
export const REQUIRED_RMS_COLUMNS: RmsColumn[] = [
  'case_number',
  'incident_datetime',
  'county_fips',
  'fatal',
];
const MAX_DOSES = 20;

const COLUMN_FOR_FIELD = new Map<string, string>(
  Object.entries(RMS_COLUMNS).map(([column, field]) => [field, column]),
);

export function normaliseHeader(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

const YES = new Set(['y', 'yes', 'true', '1']);
const NO = new Set(['n', 'no', 'false', '0']);
const SEX_ALIASES: Record<string, Sex> = { F: Sex.FEMALE, M: Sex.MALE, U: Sex.UNKNOWN };

export type MappedRow =
  | { kind: 'invalid'; externalId?: string; problems: RecordProblem[] }
  | {
      kind: 'report';
      externalId: string;
      input: ReportIncidentInput;
      columnFor(hubPath: string): string;
    };

/** One CSV row (already keyed by normalised header) → one report, or the reasons it is not. */
export function mapRmsRow(
  row: Partial<Record<RmsColumn, string>>,
  options: { utcOffset?: string },
): MappedRow {
  const problems: RecordProblem[] = [];
  const error = (field: RmsColumn, reason: string) =>
    problems.push({ field, reason, level: 'error' });
  const text = (column: RmsColumn) => {
    const value = row[column]?.trim();
    return value ? value : undefined;
  };
  const flag = (column: RmsColumn): boolean | undefined => {
    const value = text(column)?.toLowerCase();
    if (value === undefined) return undefined;
    if (YES.has(value)) return true;
    if (NO.has(value)) return false;
    error(column, 'must be Y or N');
    return undefined;
  };
  const code = <T extends string>(
    column: RmsColumn,
    values: Record<string, T>,
    aliases: Record<string, T> = {},
  ): T | undefined => {
    const value = text(column)?.toUpperCase();
    if (value === undefined) return undefined;
    const found =
      aliases[value] ?? (Object.values(values).includes(value as T) ? (value as T) : undefined);
    if (!found) error(column, `is not one of ${Object.values(values).join(', ')}`);
    return found;
  };
  const number = (column: RmsColumn): number | undefined => {
    const value = text(column);
    if (value === undefined) return undefined;
    const parsed = parseDecimal(value);
    if (parsed === undefined) error(column, 'must be a number');
    return parsed;
  };
  const time = (column: RmsColumn): Date | undefined => {
    const value = text(column);
    if (value === undefined) return undefined;
    const parsed = parseDateTime(value, options.utcOffset);
    if (parsed.problem) error(column, parsed.problem);
    return parsed.date;
  };

  const externalId = text('case_number');
  if (!externalId) error('case_number', 'is required');
  const occurredAt = time('incident_datetime');
  if (!text('incident_datetime')) error('incident_datetime', 'is required');
  const fatal = flag('fatal');
  if (!text('fatal')) error('fatal', 'is required (Y or N)');

  const substances = (text('substances') ?? '')
    .split(/[;|]/)
    .map((s) =>
      s
        .trim()
        .toUpperCase()
        .replace(/[\s-]+/g, '_'),
    )
    .filter(Boolean);
  const unknown = substances.filter((s) => !(s in SuspectedSubstance));
  if (unknown.length > 0) {
    error(
      'substances',
      `has a code that is not one of ${Object.keys(SuspectedSubstance).join(', ')}`,
    );
  }

  const latitude = number('latitude');
  const longitude = number('longitude');
  const officerWarmHandoff = flag('officer_warm_handoff') ?? false;
  const naloxone = doses({ text, number, time, code, error });
  const survivor = victim({ text, code });

  if (problems.length > 0) return { kind: 'invalid', externalId, problems };
  const address = {
    street: text('street'),
    city: text('city'),
    state: text('state')?.toUpperCase(),
    zip: text('zip'),
  };
  const input = Object.assign(new ReportIncidentInput(), {
    externalId: externalId!,
    occurredAt: occurredAt!,
    county: text('county_fips') ?? '',
    address: Object.values(address).some(Boolean)
      ? Object.assign(new AddressInput(), address)
      : undefined,
    latitude,
    longitude,
    fatal: fatal!,
    suspectedSubstances: [...new Set(substances)] as SuspectedSubstance[],
    naloxone,
    officerWarmHandoff,
    survivor,
  });
  return {
    kind: 'report',
    externalId: externalId!,
    input,
    columnFor(hubPath) {
      const field = hubPath.replace(/^naloxone\.\d+\./, 'naloxone.');
      return COLUMN_FOR_FIELD.get(field) ?? hubPath;
    },
  };
}

interface Readers {
  text(column: RmsColumn): string | undefined;
  number(column: RmsColumn): number | undefined;
  time(column: RmsColumn): Date | undefined;
  code<T extends string>(
    column: RmsColumn,
    values: Record<string, T>,
    aliases?: Record<string, T>,
  ): T | undefined;
  error(column: RmsColumn, reason: string): void;
}

/**
 * A flat RMS row says how many doses were given and how; the hub keeps one row per dose, so the
 * count becomes that many administrations with the same route, giver and dose. Police RMS
 * exports record police reversals: the giver defaults to POLICE.
 */
function doses({ text, number, time, code, error }: Readers): NaloxoneAdministrationInput[] {
  const count = number('naloxone_doses') ?? 0;
  if (!Number.isInteger(count) || count < 0 || count > MAX_DOSES) {
    error('naloxone_doses', `must be a whole number from 0 to ${MAX_DOSES}`);
    return [];
  }
  const details = [
    'naloxone_dose_mg',
    'naloxone_route',
    'naloxone_by',
    'naloxone_response',
    'naloxone_at',
  ] as const;
  if (count === 0) {
    if (details.some((c) => text(c) !== undefined)) {
      error('naloxone_doses', 'must be at least 1 when naloxone details are given');
    }
    return [];
  }
  const route = code('naloxone_route', NaloxoneRoute, {
    NASAL: NaloxoneRoute.IN,
    INTRANASAL: NaloxoneRoute.IN,
  });
  if (!text('naloxone_route'))
    error('naloxone_route', 'is required when naloxone_doses is above 0');
  const dose = {
    administeredAt: time('naloxone_at'),
    doseMg: number('naloxone_dose_mg'),
    route: route!,
    administeredBy: code('naloxone_by', AdministeredBy) ?? AdministeredBy.POLICE,
    response: code('naloxone_response', NaloxoneResponse),
  };
  return Array.from({ length: count }, () =>
    Object.assign(new NaloxoneAdministrationInput(), dose),
  );
}

function victim({ text, code }: Pick<Readers, 'text' | 'code'>): SurvivorInput | undefined {
  const home = {
    street: text('victim_street'),
    city: text('victim_city'),
    state: text('victim_state')?.toUpperCase(),
    zip: text('victim_zip'),
  };
  const survivor = {
    firstName: text('victim_first_name'),
    lastName: text('victim_last_name'),
    dateOfBirth: text('victim_dob'),
    phone: text('victim_phone'),
    address: Object.values(home).some(Boolean)
      ? Object.assign(new AddressInput(), home)
      : undefined,
    sex: code('victim_sex', Sex, SEX_ALIASES),
  };
  return Object.values(survivor).some((v) => v !== undefined)
    ? Object.assign(new SurvivorInput(), survivor)
    : undefined;
}
