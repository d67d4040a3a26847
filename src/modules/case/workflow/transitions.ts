import { badInput } from '../../../errors/hub-errors';
import { CaseStatus, CloseReason } from '../case-codes';

const { REPORTED, TRIAGE, REFERRED, REFERRAL_DECLINED, ASSIGNED, OUTREACH, ON_HOLD } = CaseStatus;
const { ENGAGED, LINKED, FOLLOW_UP, DO_NOT_CONTACT_ON_FILE, CLOSED, ENTERED_IN_ERROR } = CaseStatus;

/**
 * DESIGN.md "Case state machine" as data: the statuses each status may move to. Any open status
 * may close, and anything may be marked entered-in-error; a closed case is never reopened.
 */
export const CASE_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  [REPORTED]: [TRIAGE, CLOSED, ENTERED_IN_ERROR],
  [TRIAGE]: [REFERRED, DO_NOT_CONTACT_ON_FILE, CLOSED, ENTERED_IN_ERROR],
  // The wish was lifted (or lapsed): the case is routed like any other.
  [DO_NOT_CONTACT_ON_FILE]: [TRIAGE, CLOSED, ENTERED_IN_ERROR],
  // REFERRED → TRIAGE: the report was amended to another county before anyone took the case.
  [REFERRED]: [ASSIGNED, REFERRAL_DECLINED, TRIAGE, CLOSED, ENTERED_IN_ERROR],
  [REFERRAL_DECLINED]: [TRIAGE, CLOSED, ENTERED_IN_ERROR],
  [ASSIGNED]: [OUTREACH, CLOSED, ENTERED_IN_ERROR],
  [OUTREACH]: [ON_HOLD, ENGAGED, CLOSED, ENTERED_IN_ERROR],
  [ON_HOLD]: [OUTREACH, CLOSED, ENTERED_IN_ERROR],
  [ENGAGED]: [LINKED, CLOSED, ENTERED_IN_ERROR],
  [LINKED]: [FOLLOW_UP, CLOSED, ENTERED_IN_ERROR],
  [FOLLOW_UP]: [CLOSED, ENTERED_IN_ERROR],
  [CLOSED]: [ENTERED_IN_ERROR],
  [ENTERED_IN_ERROR]: [],
};

/** Refuses a move the state machine does not allow, naming where the case is and where it may go. */
export function assertTransition(from: CaseStatus, to: CaseStatus, field = 'caseId'): void {
  const allowed = CASE_TRANSITIONS[from];
  if (allowed.includes(to)) return;
  throw badInput({
    field,
    message: `the case is ${from} and cannot become ${to}; allowed next: ${
      allowed.length > 0 ? allowed.join(', ') : 'none'
    }`,
  });
}

const { NOT_ELIGIBLE, DUPLICATE, UNABLE_TO_CONTACT, DECLINED_SERVICES, HARM_REDUCTION_ONLY } =
  CloseReason;
const { LINKED_TO_CARE, COULD_NOT_GET_HELP, DECEASED, CONSENT_REVOKED } = CloseReason;
const ANY_OPEN = [
  REPORTED,
  TRIAGE,
  REFERRED,
  REFERRAL_DECLINED,
  ASSIGNED,
  OUTREACH,
  ON_HOLD,
  DO_NOT_CONTACT_ON_FILE,
];

/**
 * domain.md §5.2: the states a case may be closed from, per close reason. A reason says what
 * happened, so it only makes sense where that can have happened (a person declines once reached;
 * linkage needs a referral).
 */
export const CLOSE_REASON_FROM: Readonly<Record<CloseReason, readonly CaseStatus[]>> = {
  [NOT_ELIGIBLE]: [TRIAGE, REFERRED, ASSIGNED, DO_NOT_CONTACT_ON_FILE],
  [DUPLICATE]: [TRIAGE, REFERRED, ASSIGNED, DO_NOT_CONTACT_ON_FILE],
  [UNABLE_TO_CONTACT]: [ASSIGNED, OUTREACH, ON_HOLD],
  [DECLINED_SERVICES]: [OUTREACH, ENGAGED],
  [HARM_REDUCTION_ONLY]: [ENGAGED],
  [LINKED_TO_CARE]: [LINKED, FOLLOW_UP],
  [COULD_NOT_GET_HELP]: [LINKED, FOLLOW_UP],
  [DECEASED]: [...ANY_OPEN, ENGAGED, LINKED, FOLLOW_UP],
  [CONSENT_REVOKED]: [...ANY_OPEN, ENGAGED, LINKED, FOLLOW_UP],
};

/** Refuses a close reason the case's state does not allow, after the move itself was checked. */
export function assertCloseReason(from: CaseStatus, reason: CloseReason, field = 'reason'): void {
  const allowed = CLOSE_REASON_FROM[reason];
  if (allowed.includes(from)) return;
  throw badInput({
    field,
    message: `the case is ${from}; a case is closed ${reason} only from ${allowed.join(', ')}`,
  });
}
