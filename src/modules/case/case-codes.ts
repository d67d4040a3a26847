import { registerEnumType } from 'type-graphql';

/** DESIGN.md "Case state machine". */
export enum CaseStatus {
  REPORTED = 'REPORTED',
  TRIAGE = 'TRIAGE',
  REFERRED = 'REFERRED',
  REFERRAL_DECLINED = 'REFERRAL_DECLINED',
  ASSIGNED = 'ASSIGNED',
  OUTREACH = 'OUTREACH',
  ON_HOLD = 'ON_HOLD',
  ENGAGED = 'ENGAGED',
  LINKED = 'LINKED',
  FOLLOW_UP = 'FOLLOW_UP',
  /**
   * A new overdose of a person who asked not to be contacted: routed and visible to the agency
   * (and counted), but no outreach attempt may be made while the wish stands.
   */
  DO_NOT_CONTACT_ON_FILE = 'DO_NOT_CONTACT_ON_FILE',
  CLOSED = 'CLOSED',
  ENTERED_IN_ERROR = 'ENTERED_IN_ERROR',
}

/** Why a case is ON_HOLD ("maybe next week", hospitalised, incarcerated). */
export enum HoldReason {
  HOSPITALIZED = 'HOSPITALIZED',
  INCARCERATED = 'INCARCERATED',
  ASKED_FOR_LATER_CONTACT = 'ASKED_FOR_LATER_CONTACT',
  OTHER = 'OTHER',
}

export const TERMINAL_STATUSES: readonly CaseStatus[] = [
  CaseStatus.CLOSED,
  CaseStatus.ENTERED_IN_ERROR,
];
export const OPEN_STATUSES: readonly CaseStatus[] = Object.values(CaseStatus).filter(
  (s) => !TERMINAL_STATUSES.includes(s),
);
/** Statuses in which no outreach attempt has happened yet: past the due time they are overdue. */
export const AWAITING_FIRST_ATTEMPT: readonly CaseStatus[] = [
  CaseStatus.REFERRED,
  CaseStatus.ASSIGNED,
];

export enum CloseReason {
  NOT_ELIGIBLE = 'NOT_ELIGIBLE',
  DUPLICATE = 'DUPLICATE',
  UNABLE_TO_CONTACT = 'UNABLE_TO_CONTACT',
  /** The person declined services for now: no contact block ("maybe next month"). */
  DECLINED_SERVICES = 'DECLINED_SERVICES',
  HARM_REDUCTION_ONLY = 'HARM_REDUCTION_ONLY',
  LINKED_TO_CARE = 'LINKED_TO_CARE',
  COULD_NOT_GET_HELP = 'COULD_NOT_GET_HELP',
  DECEASED = 'DECEASED',
  CONSENT_REVOKED = 'CONSENT_REVOKED',
}

/** Why a case is still in TRIAGE, shown to administrators. */
export enum TriageReason {
  NO_COVERING_AGENCY = 'NO_COVERING_AGENCY',
  ALL_COVERING_AGENCIES_DECLINED = 'ALL_COVERING_AGENCIES_DECLINED',
}

/** Why identity is withheld from a reader of the case. */
export enum SealedReason {
  NO_DATA_SHARING_AGREEMENT = 'NO_DATA_SHARING_AGREEMENT',
  /** Closed because consent was revoked: only the holder of the record still sees identity. */
  CONSENT_REVOKED = 'CONSENT_REVOKED',
}

/** FOLLOW_UP_OUTREACH routes the case itself; the others are onward referrals from ENGAGED. */
export enum ReferralType {
  FOLLOW_UP_OUTREACH = 'FOLLOW_UP_OUTREACH',
  TREATMENT_MOUD = 'TREATMENT_MOUD',
  DETOX = 'DETOX',
  SYRINGE_SERVICES = 'SYRINGE_SERVICES',
  PEER_SUPPORT = 'PEER_SUPPORT',
  HOUSING = 'HOUSING',
  LEAD = 'LEAD',
}

/**
 * Where a case opened without an overdose report came from (issue 14 point 2: more doors in).
 * GraphQL enum names cannot start with a digit: 2-1-1 is HELPLINE_211.
 */
export enum ReferralSource {
  /** An emergency department. */
  ED = 'ED',
  /** The 2-1-1 helpline. */
  HELPLINE_211 = 'HELPLINE_211',
  /** The person asked for help themselves (re-engagement: lifts their earlier blocks). */
  SELF = 'SELF',
  FAMILY = 'FAMILY',
  COMMUNITY = 'COMMUNITY',
  OTHER_AGENCY = 'OTHER_AGENCY',
}

/** FHIR Task status subset used for referrals (requested → accepted / rejected …). */
export enum ReferralStatus {
  REQUESTED = 'REQUESTED',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

registerEnumType(CaseStatus, { name: 'CaseStatus' });
registerEnumType(CloseReason, { name: 'CloseReason' });
registerEnumType(HoldReason, { name: 'HoldReason' });
registerEnumType(TriageReason, { name: 'TriageReason' });
registerEnumType(SealedReason, { name: 'SealedReason' });
registerEnumType(ReferralType, { name: 'ReferralType' });
registerEnumType(ReferralStatus, { name: 'ReferralStatus' });
registerEnumType(ReferralSource, {
  name: 'ReferralSource',
  description:
    'ED (emergency department), HELPLINE_211 (2-1-1), SELF, FAMILY, COMMUNITY, OTHER_AGENCY',
});

/**
 * Where a case awaiting its first outreach attempt stands in the follow-up window: its window
 * opens later today, it is open now (due), or the due time passed without an attempt.
 */
export enum FollowUpBucket {
  OPENS_TODAY = 'OPENS_TODAY',
  DUE = 'DUE',
  OVERDUE = 'OVERDUE',
}

registerEnumType(FollowUpBucket, {
  name: 'FollowUpBucket',
  description:
    'OPENS_TODAY: the window opens before the end of the day; DUE: the window is open; ' +
    'OVERDUE: past due with no attempt yet. Only cases awaiting their first attempt have one.',
});
