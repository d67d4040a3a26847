import { registerEnumType } from 'type-graphql';

/** NEMSIS eMedications.04 route, collapsed to what outreach and research use. */
export enum NaloxoneRoute {
  IN = 'IN',
  IM = 'IM',
  IV = 'IV',
  OTHER = 'OTHER',
}

/** NEMSIS eMedications.10 (role of the person who gave it), collapsed as in DESIGN.md. */
export enum AdministeredBy {
  EMS = 'EMS',
  POLICE = 'POLICE',
  FIRE = 'FIRE',
  BYSTANDER = 'BYSTANDER',
  /** A peer or outreach worker (a community reversal, issue 14 point 2). */
  PEER = 'PEER',
  FAMILY = 'FAMILY',
  SELF = 'SELF',
}

/** Emergency responders: their naloxone makes a report an emergency response, never a community one. */
export const RESPONDER_ADMINISTRATION: readonly AdministeredBy[] = [
  AdministeredBy.EMS,
  AdministeredBy.POLICE,
  AdministeredBy.FIRE,
];

/**
 * Where an overdose came to the hub from: a 911 response by police or EMS, or a community
 * reversal (a bystander, peer, family member or the person gave naloxone; reported by an
 * outreach worker, or by police or EMS who learnt of it). Counted in statistics under its own
 * source (CASE_SOURCE).
 */
export enum OverdoseSource {
  EMERGENCY_RESPONSE = 'EMERGENCY_RESPONSE',
  COMMUNITY = 'COMMUNITY',
}

/**
 * The person's answer at the scene to "may a peer contact you?". YES becomes a consent to
 * follow-up contact recorded by the reporter; NO blocks contact on the case until the person
 * re-engages (a self-referral, or a consent recorded later); it is not "don't contact me".
 */
export enum PeerContactAnswer {
  YES = 'YES',
  NO = 'NO',
  NOT_ASKED = 'NOT_ASKED',
}

/** NEMSIS eMedications.07: 9916001 Improved, 9916003 Unchanged, 9916005 Worse. */
export enum NaloxoneResponse {
  IMPROVED = 'IMPROVED',
  UNCHANGED = 'UNCHANGED',
  WORSE = 'WORSE',
}

/** NEMSIS eDisposition.30 / .31, the values that matter for follow-up priority. */
export enum EmsDisposition {
  TRANSPORTED = 'TRANSPORTED',
  REFUSED_TRANSPORT = 'REFUSED_TRANSPORT',
  TREATED_AND_RELEASED = 'TREATED_AND_RELEASED',
  RELEASED_TO_LAW_ENFORCEMENT = 'RELEASED_TO_LAW_ENFORCEMENT',
  NO_TRANSPORT = 'NO_TRANSPORT',
  DEAD_AT_SCENE = 'DEAD_AT_SCENE',
}

export enum SuspectedSubstance {
  FENTANYL = 'FENTANYL',
  HEROIN = 'HEROIN',
  PRESCRIPTION_OPIOID = 'PRESCRIPTION_OPIOID',
  OTHER_OPIOID = 'OTHER_OPIOID',
  XYLAZINE = 'XYLAZINE',
  COCAINE = 'COCAINE',
  METHAMPHETAMINE = 'METHAMPHETAMINE',
  OTHER_STIMULANT = 'OTHER_STIMULANT',
  BENZODIAZEPINE = 'BENZODIAZEPINE',
  ALCOHOL = 'ALCOHOL',
  UNKNOWN = 'UNKNOWN',
}

/** The coarse category an outreach worker sees, enough to tailor harm-reduction supplies. */
export enum SubstanceCategory {
  OPIOID = 'OPIOID',
  FENTANYL = 'FENTANYL',
  SEDATIVE = 'SEDATIVE',
  STIMULANT = 'STIMULANT',
  ALCOHOL = 'ALCOHOL',
  UNKNOWN = 'UNKNOWN',
}

const CATEGORY: Record<SuspectedSubstance, SubstanceCategory> = {
  FENTANYL: SubstanceCategory.FENTANYL,
  HEROIN: SubstanceCategory.OPIOID,
  PRESCRIPTION_OPIOID: SubstanceCategory.OPIOID,
  OTHER_OPIOID: SubstanceCategory.OPIOID,
  XYLAZINE: SubstanceCategory.SEDATIVE,
  BENZODIAZEPINE: SubstanceCategory.SEDATIVE,
  COCAINE: SubstanceCategory.STIMULANT,
  METHAMPHETAMINE: SubstanceCategory.STIMULANT,
  OTHER_STIMULANT: SubstanceCategory.STIMULANT,
  ALCOHOL: SubstanceCategory.ALCOHOL,
  UNKNOWN: SubstanceCategory.UNKNOWN,
};

export function substanceCategories(
  substances: readonly SuspectedSubstance[],
): SubstanceCategory[] {
  return [...new Set(substances.map((s) => CATEGORY[s]))].sort();
}

registerEnumType(NaloxoneRoute, { name: 'NaloxoneRoute' });
registerEnumType(AdministeredBy, { name: 'AdministeredBy' });
registerEnumType(OverdoseSource, { name: 'OverdoseSource' });
registerEnumType(PeerContactAnswer, { name: 'PeerContactAnswer' });
registerEnumType(NaloxoneResponse, { name: 'NaloxoneResponse' });
registerEnumType(EmsDisposition, { name: 'EmsDisposition' });
registerEnumType(SuspectedSubstance, { name: 'SuspectedSubstance' });
registerEnumType(SubstanceCategory, { name: 'SubstanceCategory' });
