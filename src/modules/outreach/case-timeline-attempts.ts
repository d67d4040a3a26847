import { CaseEventActor, CaseEventKind, type CaseEventType } from '../case/case-timeline.types';
import type { OutreachAttemptType } from './outreach.types';

/**
 * Status changes and outreach attempts in one sequence, in the order they happened: attempts
 * at their attempt time. An attempt and a change at the same instant put the attempt first
 * (the first attempt is what moves a case to OUTREACH). Both inputs are already in order.
 */
export function withAttempts(
  events: readonly CaseEventType[],
  attempts: readonly OutreachAttemptType[],
): CaseEventType[] {
  const merged: CaseEventType[] = [];
  let e = 0;
  let a = 0;
  while (e < events.length || a < attempts.length) {
    const attempt = attempts[a];
    if (attempt && (e >= events.length || attempt.attemptedAt <= events[e].at)) {
      merged.push({
        kind: CaseEventKind.OUTREACH_ATTEMPT,
        at: attempt.attemptedAt,
        actor: CaseEventActor.USER,
        attempt,
        part2ProgramId: attempt.part2ProgramId,
      });
      a++;
    } else {
      merged.push(events[e++]);
    }
  }
  return merged;
}
