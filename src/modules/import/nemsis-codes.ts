import {
  AdministeredBy,
  EmsDisposition,
  NaloxoneResponse,
  NaloxoneRoute,
  SuspectedSubstance,
} from '../incident/incident-codes';
import { RaceEthnicity, Sex } from '../person/person-codes';

/**
 * NEMSIS v3.5 code lists the importer reads, from the v3.5 EMS data set enumerations
 * (EMSDataSet_ElementEnumerations), collapsed to the hub's codes as DESIGN.md and
 * reference/domain.md §8 describe. A code that is not listed here for its element is an
 * "unknown code" error for that record: guessing would put wrong data in front of outreach.
 */

export const NEMSIS_NAMESPACE = 'http://www.nemsis.org';

/** RxNorm codes for naloxone used by the NEMSIS opioid overdose case definition. */
export const NALOXONE_RXNORM = new Set(['7242', '203192', '197117']);

/** eMedications.02 / 9923xxx yes-no. */
export const YES_NO: Record<string, boolean> = { '9923001': false, '9923003': true };

/** eMedications.04: the routes outreach and research use; every other v3.5 route is OTHER. */
export const ROUTE: Record<string, NaloxoneRoute> = {
  '9927015': NaloxoneRoute.IM,
  '9927063': NaloxoneRoute.IM, // auto-injector: naloxone auto-injectors are intramuscular
  '9927017': NaloxoneRoute.IN,
  '9927023': NaloxoneRoute.IV,
};
// prettier-ignore
const OTHER_ROUTES = [
  '9927001', '9927003', '9927005', '9927007', '9927009', '9927011', '9927013', '9927019',
  '9927021', '9927025', '9927027', '9927029', '9927031', '9927033', '9927035', '9927037',
  '9927039', '9927041', '9927043', '9927045', '9927047', '9927049', '9927051', '9927053',
  '9927055', '9927057', '9927059', '9927061', '9927065', '9927067', '9927069', '9927071',
  '9927073', '9927075',
];
for (const code of OTHER_ROUTES) ROUTE[code] = NaloxoneRoute.OTHER;

/** eMedications.06: factor to milligrams; other known units carry no mass (ml, drops…). */
export const DOSE_UNIT_TO_MG: Record<string, number | null> = {
  '3706021': 1, // mg
  '3706015': 0.001, // mcg
  '3706001': 1000, // g
};
// prettier-ignore
const NON_MASS_UNITS = [
  '3706003', '3706005', '3706007', '3706009', '3706013', '3706017', '3706019', '3706023',
  '3706025', '3706027', '3706029', '3706031', '3706033', '3706035', '3706037', '3706039',
  '3706041', '3706043', '3706045', '3706047', '3706049', '3706051', '3706053', '3706055',
];
for (const code of NON_MASS_UNITS) DOSE_UNIT_TO_MG[code] = null;

/** eMedications.07. */
export const RESPONSE: Record<string, NaloxoneResponse> = {
  '9916001': NaloxoneResponse.IMPROVED,
  '9916003': NaloxoneResponse.UNCHANGED,
  '9916005': NaloxoneResponse.WORSE,
};

/**
 * eMedications.10 (v3.5 added the non-EMS roles). `null` = a healthcare professional who is not
 * on an EMS crew: EMS when this unit gave it, a bystander when it was given before EMS arrived.
 */
export const ADMINISTERED_BY: Record<string, AdministeredBy | null> = {
  '9905001': AdministeredBy.EMS, // AEMT
  '9905002': AdministeredBy.EMS, // EMT-Intermediate
  '9905003': AdministeredBy.EMS, // EMR
  '9905005': AdministeredBy.EMS, // EMT
  '9905007': AdministeredBy.EMS, // Paramedic
  '9905029': AdministeredBy.EMS, // Student
  '9905031': AdministeredBy.EMS, // Critical Care Paramedic
  '9905033': AdministeredBy.EMS, // Community Paramedicine
  '9905019': null, // Other Healthcare Professional
  '9905025': null, // Physician
  '9905027': null, // Respiratory Therapist
  '9905035': null, // Nurse Practitioner
  '9905037': null, // Physician Assistant
  '9905039': null, // LPN
  '9905041': null, // Registered Nurse
  '9905021': AdministeredBy.BYSTANDER, // Other Non-Healthcare Professional
  '9905043': AdministeredBy.SELF, // Patient
  '9905045': AdministeredBy.BYSTANDER, // Lay Person
  '9905047': AdministeredBy.POLICE, // Law Enforcement
  '9905049': AdministeredBy.FAMILY, // Family Member
  '9905051': AdministeredBy.FIRE, // Fire Personnel (non EMS)
};

/** eDisposition.19 acuity upon release: the two "dead" codes make the incident fatal. */
export const ACUITY_DEAD = new Set(['4219007', '4219009']);
export const ACUITY_CODES = new Set([
  '4219001',
  '4219003',
  '4219005',
  '4219007',
  '4219009',
  '4219011',
]);

/** eDisposition.21 type of destination: morgue/mortuary. */
export const DESTINATION_MORGUE = '4221009';

/** eDisposition.28 patient evaluation/care: the refusals. */
export const EVALUATION_REFUSED = new Set(['4228003', '4228007']);
export const EVALUATION_CODES = new Set(['4228001', '4228003', '4228005', '4228007', '4228009']);

/** eDisposition.30 transport disposition. */
export const TRANSPORT: Record<string, EmsDisposition> = {
  '4230001': EmsDisposition.TRANSPORTED,
  '4230003': EmsDisposition.TRANSPORTED,
  '4230005': EmsDisposition.TRANSPORTED,
  '4230007': EmsDisposition.TRANSPORTED,
  '4230009': EmsDisposition.REFUSED_TRANSPORT,
  '4230011': EmsDisposition.NO_TRANSPORT,
  '4230013': EmsDisposition.NO_TRANSPORT,
};

/** eDisposition.31 reason for refusal/release; `null` keeps what eDisposition.30 said. */
export const REFUSAL_REASON: Record<string, EmsDisposition | null> = {
  '4231001': EmsDisposition.REFUSED_TRANSPORT, // against medical advice
  '4231003': EmsDisposition.REFUSED_TRANSPORT, // says transport is not necessary
  '4231005': EmsDisposition.TREATED_AND_RELEASED, // released following protocol
  '4231007': EmsDisposition.RELEASED_TO_LAW_ENFORCEMENT,
  '4231009': EmsDisposition.REFUSED_TRANSPORT, // will go by other means
  '4231011': EmsDisposition.NO_TRANSPORT, // DNR
  '4231013': EmsDisposition.NO_TRANSPORT, // MOLST / POLST
  '4231015': null, // other, not listed
  '4231017': EmsDisposition.REFUSED_TRANSPORT, // elopement: left without transport
};

/** ePatient.25 sex (v3.5) and ePatient.13 gender (older extracts). */
export const SEX: Record<string, Sex> = {
  '9919001': Sex.FEMALE,
  '9919003': Sex.MALE,
  '9919005': Sex.UNKNOWN,
};
export const GENDER: Record<string, Sex> = {
  '9906001': Sex.FEMALE,
  '9906003': Sex.MALE,
  '9906005': Sex.UNKNOWN,
  '9906007': Sex.OTHER,
  '9906009': Sex.OTHER,
  '9906011': Sex.OTHER,
};

/** ePatient.14 race. */
export const RACE: Record<string, RaceEthnicity> = {
  '2514001': RaceEthnicity.AMERICAN_INDIAN_OR_ALASKA_NATIVE,
  '2514003': RaceEthnicity.ASIAN,
  '2514005': RaceEthnicity.BLACK_OR_AFRICAN_AMERICAN,
  '2514007': RaceEthnicity.HISPANIC_OR_LATINO,
  '2514009': RaceEthnicity.NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER,
  '2514011': RaceEthnicity.WHITE,
  '2514013': RaceEthnicity.MIDDLE_EASTERN_OR_NORTH_AFRICAN,
};

/** The suspected substance an impression names, if it names one. */
export function substanceOfImpression(code: string): SuspectedSubstance | undefined {
  if (/^T40\.41/.test(code)) return SuspectedSubstance.FENTANYL;
  if (/^T40\.1/.test(code)) return SuspectedSubstance.HEROIN;
  if (/^T40\.[23]/.test(code)) return SuspectedSubstance.PRESCRIPTION_OPIOID;
  if (/^(T40\.[046]|F11)/.test(code)) return SuspectedSubstance.OTHER_OPIOID;
  if (/^T40\.5/.test(code)) return SuspectedSubstance.COCAINE;
  if (/^T43\.62/.test(code)) return SuspectedSubstance.METHAMPHETAMINE;
  if (/^T43\.6/.test(code)) return SuspectedSubstance.OTHER_STIMULANT;
  if (/^T42\.4/.test(code)) return SuspectedSubstance.BENZODIAZEPINE;
  if (/^F14/.test(code)) return SuspectedSubstance.COCAINE;
  if (/^F15/.test(code)) return SuspectedSubstance.OTHER_STIMULANT;
  if (/^(T51\.0|F10)/.test(code)) return SuspectedSubstance.ALCOHOL;
  // Unspecified or other drugs: a drug was involved, which one is not known.
  if (/^(T50\.9|F19)/.test(code)) return SuspectedSubstance.UNKNOWN;
  return undefined;
}

/** eScene.18 / ePatient.08 carry the two-digit ANSI (FIPS) state code. */
// prettier-ignore
export const STATE_BY_FIPS: Record<string, string> = {
  '01': 'AL', '02': 'AK', '04': 'AZ', '05': 'AR', '06': 'CA', '08': 'CO', '09': 'CT',
  '10': 'DE', '11': 'DC', '12': 'FL', '13': 'GA', '15': 'HI', '16': 'ID', '17': 'IL',
  '18': 'IN', '19': 'IA', '20': 'KS', '21': 'KY', '22': 'LA', '23': 'ME', '24': 'MD',
  '25': 'MA', '26': 'MI', '27': 'MN', '28': 'MS', '29': 'MO', '30': 'MT', '31': 'NE',
  '32': 'NV', '33': 'NH', '34': 'NJ', '35': 'NM', '36': 'NY', '37': 'NC', '38': 'ND',
  '39': 'OH', '40': 'OK', '41': 'OR', '42': 'PA', '44': 'RI', '45': 'SC', '46': 'SD',
  '47': 'TN', '48': 'TX', '49': 'UT', '50': 'VT', '51': 'VA', '53': 'WA', '54': 'WV',
  '55': 'WI', '56': 'WY', '60': 'AS', '66': 'GU', '69': 'MP', '72': 'PR', '78': 'VI',
};
