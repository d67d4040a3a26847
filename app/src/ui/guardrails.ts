/**
 * The practice rules the attempt form explains and enforces before anything is sent (the hub
 * checks them again). From the NC Harm Reduction Coalition guidance (DESIGN.md).
 */
export const NOT_REACHED_OUTCOMES = new Set([
  'NO_ANSWER',
  'NOT_AT_ADDRESS',
  'THIRD_PARTY_ANSWERED',
  'MOVED',
  'WRONG_OR_DISCONNECTED_NUMBER',
  'UNSAFE_OR_ABORTED',
  'HOSPITALIZED',
  'INCARCERATED',
  'DECEASED',
]);

export function survivorReached(outcome: string): boolean {
  return outcome !== '' && !NOT_REACHED_OUTCOMES.has(outcome);
}

export interface LeftBehind {
  naloxoneKitsForPerson: number;
  naloxoneKitsForFamily: number;
  fentanylTestStrips: number;
  overdosePreventionLiterature: boolean;
  peerSupportContactCard: boolean;
  syringeServicesInformation: boolean;
}

/**
 * Outcomes on which not even the plain card may be left. None since issue 14 point 4: the hub
 * accepts the generic card on every attempt where the survivor was not reached (practice).
 */
export const NOTHING_LEFT_OUTCOMES = new Set<string>();

/** When the person was not reached, only the plain contact card may be left (or nothing). */
export function allowedLeftBehind(outcome: string, left: LeftBehind): LeftBehind {
  if (survivorReached(outcome) || outcome === '') return left;
  return {
    naloxoneKitsForPerson: 0,
    naloxoneKitsForFamily: 0,
    fentanylTestStrips: 0,
    overdosePreventionLiterature: false,
    peerSupportContactCard: NOTHING_LEFT_OUTCOMES.has(outcome)
      ? false
      : left.peerSupportContactCard,
    syringeServicesInformation: false,
  };
}

/** Required fields of the attempt form that are empty, by field name. */
export function missingAttemptFields(form: {
  method: string;
  outcome: string;
  attemptedAt: string;
  officerPresence: string;
}): string[] {
  const missing: string[] = [];
  if (!form.method) missing.push('method');
  if (!form.outcome) missing.push('outcome');
  if (!form.attemptedAt) missing.push('when');
  if (form.method === 'VISIT' && !form.officerPresence) missing.push('officer');
  return missing;
}
