import { SuspectedSubstance } from '../incident/incident-codes';
import {
  AddressInput,
  NaloxoneAdministrationInput,
  ReportIncidentInput,
  SurvivorInput,
} from '../incident/incident.input';
import type { RecordProblem } from './import-types';
import { parseDateTime, parseDecimal } from './import-values';
import {
  ACUITY_CODES,
  ACUITY_DEAD,
  ADMINISTERED_BY,
  DESTINATION_MORGUE,
  DOSE_UNIT_TO_MG,
  EVALUATION_CODES,
  EVALUATION_REFUSED,
  GENDER,
  NALOXONE_RXNORM,
  RACE,
  REFUSAL_REASON,
  RESPONSE,
  ROUTE,
  SEX,
  STATE_BY_FIPS,
  TRANSPORT,
  YES_NO,
  substanceOfImpression,
} from './nemsis-codes';
import { NOT_VALUE, PERTINENT_NEGATIVE, NEGATED_VALUE, type RawPcr } from './nemsis-reader';
import {
  CASE_DEFINITIONS,
  DEFAULT_CASE_DEFINITION,
  definitionLabel,
  otherDefinitionsMet,
  type CaseDefinition,
} from '../incident/case-definition';
import { AdministeredBy, EmsDisposition, NaloxoneRoute } from '../incident/incident-codes';

/** Why a PCR was read and not imported although nothing is wrong with it. */
export enum SkipReason {
  /** No impression or medication of any of the hub's case definitions. */
  NOT_AN_OVERDOSE = 'NOT_AN_OVERDOSE',
  /** An overdose under another definition than the agency's (e.g. all-drug, not opioid). */
  OUTSIDE_CASE_DEFINITION = 'OUTSIDE_CASE_DEFINITION',
}

export type MappedPcr =
  | { kind: 'skip'; externalId?: string; reason: SkipReason; note?: string }
  | { kind: 'invalid'; externalId?: string; problems: RecordProblem[] }
  | {
      kind: 'report';
      externalId: string;
      input: ReportIncidentInput;
      /** Warnings: the record is imported, a value was left out. */
      problems: RecordProblem[];
      /** The NEMSIS element behind a hub input path (`naloxone.1.doseMg` → eMedications.05). */
      elementFor(hubPath: string): string;
    };

const IMPRESSIONS = ['eSituation.09', 'eSituation.10', 'eSituation.11', 'eSituation.12'];
const OCCURRED_AT_SOURCES = ['eSituation.01', 'eTimes.01', 'eTimes.03'];
const IMPROVED = '9916001';

/** eMedications.03 pertinent negatives (NEMSIS v3.5), named in the report: codes, not patient data. */
const PN_NAMES: Record<string, string> = {
  '8801001': 'Contraindication Noted',
  '8801003': 'Denied By Order',
  '8801007': 'Medication Allergy',
  '8801009': 'Medication Already Taken',
  '8801019': 'Refused',
  '8801023': 'Unable to Complete',
  '8801027': 'Order Criteria Not Met',
};

const ELEMENT_FOR_FIELD: Record<string, string> = {
  externalId: 'eRecord.01',
  county: 'eScene.21',
  'address.street': 'eScene.15',
  'address.city': 'eScene.17',
  'address.state': 'eScene.18',
  'address.zip': 'eScene.19',
  latitude: 'eScene.11',
  longitude: 'eScene.11',
  fatal: 'eDisposition.19',
  suspectedSubstances: 'eSituation.11',
  emsDisposition: 'eDisposition.30',
  naloxone: 'eMedications',
  'survivor.firstName': 'ePatient.03',
  'survivor.lastName': 'ePatient.02',
  'survivor.dateOfBirth': 'ePatient.17',
  'survivor.phone': 'ePatient.18',
  'survivor.address.street': 'ePatient.05',
  'survivor.address.city': 'ePatient.06',
  'survivor.address.state': 'ePatient.08',
  'survivor.address.zip': 'ePatient.09',
  'survivor.sex': 'ePatient.25',
  'survivor.raceEthnicity': 'ePatient.14',
};
const MEDICATION_ELEMENT: Record<string, string> = {
  administeredAt: 'eMedications.01',
  doseMg: 'eMedications.05',
  route: 'eMedications.04',
  administeredBy: 'eMedications.10',
  response: 'eMedications.07',
};

const groupField = (group: number, element: string) =>
  `eMedications.MedicationGroup[${group + 1}]/${element}`;

/**
 * One PCR → one hub report (reference/domain.md §8). A PCR that the agency's case definition
 * does not admit is skipped, with the reason. Codes outside the v3.5 lists make the record
 * invalid: nothing is guessed. NEMSIS not-values (NV, xsi:nil) are absent values, and a
 * pertinent negative is never read as the thing it negates: a naloxone group whose
 * eMedications.03 carries a PN (refused, contraindicated, not given…) is not an administration.
 * The narrative is never read (the reader does not even keep it).
 */
export function mapPcr(
  raw: RawPcr,
  definition: CaseDefinition = CASE_DEFINITIONS[DEFAULT_CASE_DEFINITION],
): MappedPcr {
  const problems: RecordProblem[] = [];
  const error = (field: string, reason: string) => problems.push({ field, reason, level: 'error' });
  const warn = (field: string, reason: string) =>
    problems.push({ field, reason, level: 'warning' });
  const first = (name: string) => raw.values.get(name)?.[0];
  const all = (name: string) => raw.values.get(name) ?? [];
  const coded = <T>(name: string, table: Record<string, T>): T | undefined => {
    const code = first(name);
    if (code === undefined) return undefined;
    if (!(code in table)) error(name, 'is not a NEMSIS v3.5 code for this element');
    return table[code];
  };

  const externalId = first('eRecord.01');
  const impressions = IMPRESSIONS.flatMap(all).map((c) => c.trim().toUpperCase());
  const naloxoneGroups = raw.medications
    .map((group, index) => ({ group, index }))
    .filter(({ group }) => NALOXONE_RXNORM.has(group.get('eMedications.03') ?? ''));
  const reversal = naloxoneGroups.some(({ group }) => group.get('eMedications.07') === IMPROVED);
  const facts = { impressions, naloxoneReversal: reversal };
  if (!definition.admits(facts)) {
    const others = otherDefinitionsMet(definition, facts);
    return others.length === 0
      ? { kind: 'skip', externalId, reason: SkipReason.NOT_AN_OVERDOSE }
      : {
          kind: 'skip',
          externalId,
          reason: SkipReason.OUTSIDE_CASE_DEFINITION,
          note: `an overdose under ${others.map(definitionLabel).join(', ')}, not under ${definitionLabel(definition)} (the agency's case definition)`,
        };
  }
  raw.medications.forEach((group, index) => {
    const negated = group.get(`eMedications.03${NEGATED_VALUE}`);
    const pn = group.get(`eMedications.03${PERTINENT_NEGATIVE}`);
    if (pn !== undefined && NALOXONE_RXNORM.has(negated ?? '')) {
      warn(
        groupField(index, 'eMedications.03'),
        `naloxone recorded as not given (pertinent negative ${PN_NAMES[pn] ?? 'not in the v3.5 list'}): not counted as an administration`,
      );
    }
  });

  if (!externalId) error('eRecord.01', 'is required: the PCR number identifies the report');
  if (first('eScene.21') === undefined && first(`eScene.21${NOT_VALUE}`) !== undefined) {
    error(
      'eScene.21',
      'is recorded as a not-value: the hub needs the county of the scene to route the follow-up',
    );
  }

  const occurredSource = OCCURRED_AT_SOURCES.find((name) => first(name) !== undefined);
  let occurredAt: Date | undefined;
  if (!occurredSource) {
    error('eTimes.01', 'is required: none of eSituation.01, eTimes.01, eTimes.03 is present');
  } else {
    const parsed = parseDateTime(first(occurredSource)!);
    if (parsed.problem) error(occurredSource, parsed.problem);
    occurredAt = parsed.date;
  }

  const location = sceneLocation(first, error);
  const acuity = first('eDisposition.19');
  if (acuity !== undefined && !ACUITY_CODES.has(acuity)) {
    error('eDisposition.19', 'is not a NEMSIS v3.5 code for this element');
  }
  const fatal =
    (acuity !== undefined && ACUITY_DEAD.has(acuity)) ||
    first('eDisposition.21') === DESTINATION_MORGUE;
  const emsDisposition = disposition(first, coded, error, fatal);

  const doses = naloxoneGroups.map(({ group, index }) => naloxoneDose(group, index, error, warn));
  const survivor = patient(first, all, coded, error);
  const suspectedSubstances = [
    ...new Set(impressions.map(substanceOfImpression).filter((s) => s !== undefined)),
  ] as SuspectedSubstance[];

  if (problems.some((p) => p.level === 'error')) return { kind: 'invalid', externalId, problems };

  const input = Object.assign(new ReportIncidentInput(), {
    externalId: externalId!,
    occurredAt: occurredAt!,
    county: location.county!,
    address: location.address,
    latitude: location.latitude,
    longitude: location.longitude,
    fatal,
    suspectedSubstances,
    naloxone: doses as NaloxoneAdministrationInput[],
    emsDisposition,
    officerWarmHandoff: false,
    survivor,
  });
  const groupOfDose = naloxoneGroups.map(({ index }) => index);
  return {
    kind: 'report',
    externalId: externalId!,
    input,
    problems,
    elementFor(hubPath) {
      if (hubPath === 'occurredAt') return occurredSource!;
      const dose = /^naloxone\.(\d+)\.(\w+)$/.exec(hubPath);
      if (dose) {
        const group = groupOfDose[Number(dose[1])];
        return groupField(group ?? Number(dose[1]), MEDICATION_ELEMENT[dose[2]] ?? dose[2]);
      }
      return ELEMENT_FOR_FIELD[hubPath] ?? hubPath;
    },
  };
}

type First = (name: string) => string | undefined;
type Report = (field: string, reason: string) => void;
type Coded = <T>(name: string, table: Record<string, T>) => T | undefined;

function sceneLocation(first: First, error: Report) {
  const state = stateCode(first('eScene.18'), 'eScene.18', error);
  const street = first('eScene.15');
  const city = placeName(first('eScene.17'));
  const zip = first('eScene.19');
  const address =
    street || city || state || zip
      ? Object.assign(new AddressInput(), { street, city, state, zip })
      : undefined;
  let latitude: number | undefined;
  let longitude: number | undefined;
  const gps = first('eScene.11');
  if (gps !== undefined) {
    const [lat, lng, ...rest] = gps.split(',');
    latitude = parseDecimal(lat ?? '');
    longitude = parseDecimal(lng ?? '');
    if (latitude === undefined || longitude === undefined || rest.length > 0) {
      error('eScene.11', 'must be "latitude,longitude" in decimal degrees');
    }
  }
  return { county: first('eScene.21'), address, latitude, longitude };
}

/** City elements carry a GNIS feature code: a number is not a name, so it is left out. */
function placeName(value: string | undefined): string | undefined {
  return value === undefined || /^\d+$/.test(value) ? undefined : value;
}

/** NEMSIS states are two-digit ANSI codes; a two-letter postal code is accepted too. */
function stateCode(value: string | undefined, field: string, error: Report): string | undefined {
  if (value === undefined) return undefined;
  if (/^[A-Z]{2}$/.test(value)) return value;
  const state = STATE_BY_FIPS[value];
  if (!state) error(field, 'is not a state ANSI code');
  return state;
}

/**
 * Death on scene outranks everything; a release to law enforcement is kept apart (domain.md §8
 * flags it); otherwise transport, then the refusal reason, then a refused evaluation.
 */
function disposition(
  first: First,
  coded: Coded,
  error: Report,
  fatal: boolean,
): EmsDisposition | undefined {
  const transport = coded('eDisposition.30', TRANSPORT);
  const reason = coded('eDisposition.31', REFUSAL_REASON);
  const evaluation = first('eDisposition.28');
  if (evaluation !== undefined && !EVALUATION_CODES.has(evaluation)) {
    error('eDisposition.28', 'is not a NEMSIS v3.5 code for this element');
  }
  if (fatal && transport !== EmsDisposition.TRANSPORTED) return EmsDisposition.DEAD_AT_SCENE;
  if (reason === EmsDisposition.RELEASED_TO_LAW_ENFORCEMENT) return reason;
  if (transport === EmsDisposition.TRANSPORTED || transport === EmsDisposition.REFUSED_TRANSPORT) {
    return transport;
  }
  if (reason) return reason;
  if (transport) return transport;
  if (evaluation !== undefined && EVALUATION_REFUSED.has(evaluation)) {
    return EmsDisposition.REFUSED_TRANSPORT;
  }
  return undefined;
}

function naloxoneDose(
  group: Map<string, string>,
  index: number,
  error: Report,
  warn: Report,
): Partial<NaloxoneAdministrationInput> {
  const field = (element: string) => groupField(index, element);
  const code = <T>(element: string, table: Record<string, T>): T | undefined => {
    const value = group.get(element);
    if (value === undefined) return undefined;
    if (!(value in table)) error(field(element), 'is not a NEMSIS v3.5 code for this element');
    return table[value];
  };

  let administeredAt: Date | undefined;
  const at = group.get('eMedications.01');
  if (at !== undefined) {
    const parsed = parseDateTime(at);
    if (parsed.problem) error(field('eMedications.01'), parsed.problem);
    administeredAt = parsed.date;
  }
  const beforeEms = code('eMedications.02', YES_NO) ?? false;
  let route = code('eMedications.04', ROUTE);
  if (group.has(`eMedications.04${NOT_VALUE}`)) {
    // The standard lets the route be nil; the hub keeps the dose, under OTHER.
    route = NaloxoneRoute.OTHER;
    warn(field('eMedications.04'), 'is not recorded (NV): the dose is kept with route OTHER');
  } else if (!group.has('eMedications.04')) {
    error(field('eMedications.04'), 'is required for a naloxone administration');
  }
  const response = code('eMedications.07', RESPONSE);

  let administeredBy: AdministeredBy | undefined;
  const role = code('eMedications.10', ADMINISTERED_BY);
  if (role !== undefined) {
    administeredBy = role ?? (beforeEms ? AdministeredBy.BYSTANDER : AdministeredBy.EMS);
  } else if (group.has(`eMedications.10${NOT_VALUE}`)) {
    administeredBy = beforeEms ? AdministeredBy.BYSTANDER : AdministeredBy.EMS;
    if (beforeEms) {
      warn(
        field('eMedications.10'),
        'is not recorded (NV): given before EMS care by someone not named, kept as BYSTANDER',
      );
    }
  } else if (!group.has('eMedications.10')) {
    if (beforeEms) {
      error(
        field('eMedications.10'),
        'is required when eMedications.02 says it was given before EMS care: who gave it?',
      );
    } else {
      administeredBy = AdministeredBy.EMS;
    }
  }

  let doseMg: number | undefined;
  const dose = group.get('eMedications.05');
  if (dose !== undefined) {
    const amount = parseDecimal(dose);
    const unit = group.get('eMedications.06');
    if (amount === undefined) {
      error(field('eMedications.05'), 'must be a number');
    } else if (unit === undefined) {
      warn(field('eMedications.06'), 'is missing, so the dose was left out');
    } else if (!(unit in DOSE_UNIT_TO_MG)) {
      error(field('eMedications.06'), 'is not a NEMSIS v3.5 code for this element');
    } else if (DOSE_UNIT_TO_MG[unit] === null) {
      warn(field('eMedications.06'), 'is not a mass unit (mg, mcg, g), so the dose was left out');
    } else {
      doseMg = Math.round(amount * DOSE_UNIT_TO_MG[unit]! * 100) / 100;
    }
  }
  return Object.assign(new NaloxoneAdministrationInput(), {
    administeredAt,
    doseMg,
    route,
    administeredBy,
    response,
  });
}

function patient(
  first: First,
  all: (name: string) => string[],
  coded: Coded,
  error: Report,
): SurvivorInput | undefined {
  const sex =
    first('ePatient.25') !== undefined ? coded('ePatient.25', SEX) : coded('ePatient.13', GENDER);
  const races = all('ePatient.14');
  const raceEthnicity = [...new Set(races.filter((r) => r in RACE).map((r) => RACE[r]))];
  if (races.some((r) => !(r in RACE))) {
    error('ePatient.14', 'is not a NEMSIS v3.5 code for this element');
  }
  const state = stateCode(first('ePatient.08'), 'ePatient.08', error);
  const home = {
    street: first('ePatient.05'),
    city: placeName(first('ePatient.06')),
    state,
    zip: first('ePatient.09'),
  };
  const hasHome = Object.values(home).some((v) => v !== undefined);
  const survivor = {
    firstName: first('ePatient.03'),
    lastName: first('ePatient.02'),
    dateOfBirth: first('ePatient.17'),
    phone: first('ePatient.18'),
    address: hasHome ? Object.assign(new AddressInput(), home) : undefined,
    sex,
    raceEthnicity: raceEthnicity.length > 0 ? raceEthnicity : undefined,
  };
  // Sex and race alone identify nobody: without a name, date of birth, phone or home there is
  // no one to follow up with, and no vault entry is made.
  const { firstName, lastName, dateOfBirth, phone, address } = survivor;
  const known = [firstName, lastName, dateOfBirth, phone, address].some((v) => v !== undefined);
  return known ? Object.assign(new SurvivorInput(), survivor) : undefined;
}
