import { registerEnumType } from 'type-graphql';

/**
 * The named case definitions an agency chooses from (Agency.caseDefinition): which EMS
 * encounters the hub takes as overdoses when it classifies an export itself (the NEMSIS
 * import). A report sent through the API is the agency's own judgement and is not classified.
 * Each definition has a version; the name and version that admitted an incident are stored on it,
 * so counts made under different rules are never mixed up silently. A change to a definition's
 * rule is a new version, never an edit of an old one.
 */
export enum CaseDefinitionName {
  OPIOID_OVERDOSE = 'OPIOID_OVERDOSE',
  ALL_DRUG_OVERDOSE = 'ALL_DRUG_OVERDOSE',
  STIMULANT_OVERDOSE = 'STIMULANT_OVERDOSE',
}

registerEnumType(CaseDefinitionName, {
  name: 'CaseDefinitionName',
  description: 'Which EMS encounters an import takes as overdoses (docs/imports.md)',
  valuesConfig: {
    OPIOID_OVERDOSE: {
      description:
        'v1: an opioid poisoning or opioid-related impression (F11, T40.0–T40.4, T40.6), a cocaine, psychostimulant or benzodiazepine poisoning, or naloxone with an improved response',
    },
    ALL_DRUG_OVERDOSE: {
      description:
        'v1 (after CDC’s EMS overdose syndrome definitions): a drug poisoning T36–T50 (including T50.9, unspecified drug), a drug-related impression F11–F16, F18, F19, or naloxone with an improved response',
    },
    STIMULANT_OVERDOSE: {
      description:
        'v1: a cocaine (T40.5, F14) or psychostimulant (T43.6 except caffeine, F15) poisoning or impression',
    },
  },
});

/** What a definition looks at in one encounter. */
export interface EncounterFacts {
  /** ICD-10-CM codes of the provider's impressions and symptoms, upper case. */
  impressions: string[];
  /** Naloxone was given and the patient improved. */
  naloxoneReversal: boolean;
}

export interface CaseDefinition {
  name: CaseDefinitionName;
  version: number;
  admits(facts: EncounterFacts): boolean;
}

/**
 * A poisoning of categories `first`–`last` (T36–T50: drugs, medicaments and biologicals) as a
 * new overdose: the 6th character, when coded, is an intent (1 accidental, 2 self-harm, 3
 * assault, 4 undetermined), not 5 (adverse effect of a correct dose) or 6 (underdosing); the
 * 7th, when coded, is A (initial encounter), not a subsequent encounter or a sequela. EMS
 * impressions are often less specific (`T40.4`, `T50.90`), and those count.
 */
function isDrugPoisoning(code: string, first: number, last: number): boolean {
  const match = /^T(\d{2})\.([0-9A-Z]{1,4})$/.exec(code);
  if (!match) return false;
  const category = Number(match[1]);
  if (category < first || category > last) return false;
  const [, , intent, encounter] = match[2];
  if (intent !== undefined && !'1234'.includes(intent)) return false;
  return encounter === undefined || encounter === 'A';
}

const startsWithAny = (code: string, prefixes: readonly string[]) =>
  prefixes.some((p) => code.startsWith(p));

/** The hub's rule before definitions were named (NEMSIS opioid overdose, plus stimulants and benzodiazepines). */
const OPIOID_IMPRESSION = /^(F11.*|T40\.[0-3]X?[1-4]?A?|T40\.4.?[1-4]?A?|T40\.6[09]?[1-4]?A?)$/;
const OTHER_OVERDOSE_IMPRESSION = /^(T40\.5X?[1-4]A?|T43\.6[0-9]?[1-4]?A?|T42\.4X?[1-4]?A?)$/;

const opioidV1: CaseDefinition = {
  name: CaseDefinitionName.OPIOID_OVERDOSE,
  version: 1,
  admits: ({ impressions, naloxoneReversal }) =>
    naloxoneReversal ||
    impressions.some((c) => OPIOID_IMPRESSION.test(c) || OTHER_OVERDOSE_IMPRESSION.test(c)),
};

/** F10 (alcohol) and F17 (nicotine) are not drug overdoses; every other substance category is. */
const DRUG_RELATED = ['F11', 'F12', 'F13', 'F14', 'F15', 'F16', 'F18', 'F19'];

const allDrugV1: CaseDefinition = {
  name: CaseDefinitionName.ALL_DRUG_OVERDOSE,
  version: 1,
  admits: ({ impressions, naloxoneReversal }) =>
    naloxoneReversal ||
    impressions.some((c) => isDrugPoisoning(c, 36, 50) || startsWithAny(c, DRUG_RELATED)),
};

const stimulantV1: CaseDefinition = {
  name: CaseDefinitionName.STIMULANT_OVERDOSE,
  version: 1,
  admits: ({ impressions }) =>
    impressions.some(
      (c) =>
        startsWithAny(c, ['F14', 'F15']) ||
        (c.startsWith('T40.5') && isDrugPoisoning(c, 40, 40)) ||
        (/^T43\.6[02-9]?/.test(c) && !c.startsWith('T43.61') && isDrugPoisoning(c, 43, 43)),
    ),
};

export const CASE_DEFINITIONS: Record<CaseDefinitionName, CaseDefinition> = {
  [CaseDefinitionName.OPIOID_OVERDOSE]: opioidV1,
  [CaseDefinitionName.ALL_DRUG_OVERDOSE]: allDrugV1,
  [CaseDefinitionName.STIMULANT_OVERDOSE]: stimulantV1,
};

/** The definition an agency that never chose one uses: the hub's rule from before. */
export const DEFAULT_CASE_DEFINITION = CaseDefinitionName.OPIOID_OVERDOSE;

/** `OPIOID_OVERDOSE v1`, as reports and the audit name a definition. */
export const definitionLabel = (d: Pick<CaseDefinition, 'name' | 'version'>) =>
  `${d.name} v${d.version}`;

/** The other definitions an encounter meets: why a skipped record may still matter. */
export function otherDefinitionsMet(
  chosen: CaseDefinition,
  facts: EncounterFacts,
): CaseDefinition[] {
  return Object.values(CASE_DEFINITIONS).filter((d) => d !== chosen && d.admits(facts));
}
