import { registerEnumType } from 'type-graphql';

export { ContactMethod } from '../person/person-codes';

/** domain.md §5.3: one code per attempt. */
export enum AttemptOutcome {
  NO_ANSWER = 'NO_ANSWER',
  WRONG_OR_DISCONNECTED_NUMBER = 'WRONG_OR_DISCONNECTED_NUMBER',
  NOT_AT_ADDRESS = 'NOT_AT_ADDRESS',
  THIRD_PARTY_ANSWERED = 'THIRD_PARTY_ANSWERED',
  CONTACT_SOCIAL_NETWORK_CONSENTED = 'CONTACT_SOCIAL_NETWORK_CONSENTED',
  CONTACT_SURVIVOR_DECLINED = 'CONTACT_SURVIVOR_DECLINED',
  CONTACT_SURVIVOR_ENGAGED = 'CONTACT_SURVIVOR_ENGAGED',
  UNSAFE_OR_ABORTED = 'UNSAFE_OR_ABORTED',
  HOSPITALIZED = 'HOSPITALIZED',
  INCARCERATED = 'INCARCERATED',
  DECEASED = 'DECEASED',
  MOVED = 'MOVED',
}

/** Outcomes that count as contact (for ENGAGED and for the contact-rate metric). */
export const CONTACT_OUTCOMES: readonly AttemptOutcome[] = [
  AttemptOutcome.CONTACT_SURVIVOR_ENGAGED,
  AttemptOutcome.CONTACT_SURVIVOR_DECLINED,
  AttemptOutcome.CONTACT_SOCIAL_NETWORK_CONSENTED,
];

/**
 * The survivor was not reached (no answer, not at the address, a third party answered, moved,
 * unsafe…): anyone may find what is left, so nothing that discloses the overdose is (PRONTO
 * practice) — only a generic contact card, unless the person consented to drop-offs earlier.
 */
export const NOT_REACHED_OUTCOMES: readonly AttemptOutcome[] = Object.values(AttemptOutcome).filter(
  // DECEASED: whoever told the worker knows of the death, and naloxone and literature for the
  // family and friends are what practice leaves then.
  (outcome) => !CONTACT_OUTCOMES.includes(outcome) && outcome !== AttemptOutcome.DECEASED,
);

/** Who of law enforcement was there (the practice guidance: less is better). */
export enum OfficerPresence {
  NONE = 'NONE',
  WARM_HANDOFF_ONLY = 'WARM_HANDOFF_ONLY',
  PLAIN_CLOTHES = 'PLAIN_CLOTHES',
  UNIFORMED = 'UNIFORMED',
}

export enum TeamMember {
  PEER_SUPPORT_SPECIALIST = 'PEER_SUPPORT_SPECIALIST',
  HARM_REDUCTION_WORKER = 'HARM_REDUCTION_WORKER',
  CLINICIAN = 'CLINICIAN',
  SOCIAL_WORKER = 'SOCIAL_WORKER',
  COMMUNITY_PARAMEDIC = 'COMMUNITY_PARAMEDIC',
  OTHER = 'OTHER',
}

export enum ConsentScope {
  CONTACT_FOR_FOLLOW_UP = 'CONTACT_FOR_FOLLOW_UP',
  SHARE_WITH_LEAD = 'SHARE_WITH_LEAD',
  SHARE_WITH_TREATMENT_PROVIDER = 'SHARE_WITH_TREATMENT_PROVIDER',
  CONTACT_FAMILY = 'CONTACT_FAMILY',
  /** Supplies (naloxone, test strips, literature) may be left when the person is not reached. */
  DROP_OFF_SUPPLIES = 'DROP_OFF_SUPPLIES',
  /**
   * 42 CFR §2.31: the person's written consent that the Part 2 program recording it may disclose
   * its Part 2 records to the agency named (rules/part2-release.ts). Never to law enforcement.
   */
  PART2_DISCLOSURE = 'PART2_DISCLOSURE',
}

export enum ConsentMethod {
  VERBAL = 'VERBAL',
  WRITTEN = 'WRITTEN',
}

export { HoldReason } from '../case/case-codes';

registerEnumType(AttemptOutcome, { name: 'AttemptOutcome' });
registerEnumType(OfficerPresence, { name: 'OfficerPresence' });
registerEnumType(TeamMember, { name: 'TeamMember' });
registerEnumType(ConsentScope, { name: 'ConsentScope' });
registerEnumType(ConsentMethod, { name: 'ConsentMethod' });
