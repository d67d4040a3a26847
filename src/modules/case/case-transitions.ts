import { badInput } from '../../errors/hub-errors';
import { CaseStatus } from './case-codes';

const { REPORTED, TRIAGE, REFERRED, REFERRAL_DECLINED, ASSIGNED, OUTREACH, ON_HOLD } = CaseStatus;
const { ENGAGED, LINKED, FOLLOW_UP, CLOSED, ENTERED_IN_ERROR } = CaseStatus;

/**
 * DESIGN.md "Case state machine" as data: the statuses each status may move to. Any open status
 * may close, and anything may be marked entered-in-error; a closed case is never reopened.
 */
export const CASE_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  [REPORTED]: [TRIAGE, CLOSED, ENTERED_IN_ERROR],
  [TRIAGE]: [REFERRED, CLOSED, ENTERED_IN_ERROR],
  [REFERRED]: [ASSIGNED, REFERRAL_DECLINED, CLOSED, ENTERED_IN_ERROR],
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
