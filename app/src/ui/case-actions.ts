/**
 * What the worker may do next on a case, by its status: the hub's state machine
 * (src/modules/case/workflow/transitions.ts, service-referrals.ts) as the app needs it, so the
 * case screen offers only moves the hub would accept instead of buttons that end in an error.
 * app/test/case-actions.test.ts checks these against the hub's own tables.
 */
export const OPEN_FOR_OUTREACH = [
  'ASSIGNED',
  'OUTREACH',
  'ON_HOLD',
  'ENGAGED',
  'LINKED',
  'FOLLOW_UP',
];

/** The close reasons a worker records, each with the statuses it may close from. */
export const WORKER_CLOSE_REASONS: Readonly<Record<string, readonly string[]>> = {
  UNABLE_TO_CONTACT: ['ASSIGNED', 'OUTREACH', 'ON_HOLD'],
  DECLINED_SERVICES: ['OUTREACH', 'ENGAGED'],
  HARM_REDUCTION_ONLY: ['ENGAGED'],
  LINKED_TO_CARE: ['LINKED', 'FOLLOW_UP'],
  COULD_NOT_GET_HELP: ['LINKED', 'FOLLOW_UP'],
  DUPLICATE: ['ASSIGNED'],
  NOT_ELIGIBLE: ['ASSIGNED'],
  DECEASED: OPEN_FOR_OUTREACH,
};

export interface CaseActions {
  hold: boolean;
  resume: boolean;
  /** OUTREACH → ENGAGED: reached, and agreed to follow-up (the hub checks the proof). */
  engage: boolean;
  /** Onward referrals: once engaged. */
  refer: boolean;
  closeReasons: string[];
}

export function caseActions(status: string | null | undefined): CaseActions {
  const s = status ?? '';
  return {
    hold: s === 'OUTREACH',
    resume: s === 'ON_HOLD',
    engage: s === 'OUTREACH',
    refer: ['ENGAGED', 'LINKED', 'FOLLOW_UP'].includes(s),
    closeReasons: Object.keys(WORKER_CLOSE_REASONS).filter((r) =>
      WORKER_CLOSE_REASONS[r].includes(s),
    ),
  };
}
