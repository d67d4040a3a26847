import { CaseStatus, CloseReason } from '../../src/modules/case/case-codes';
import { CASE_TRANSITIONS, CLOSE_REASON_FROM } from '../../src/modules/case/workflow/transitions';
import { caseActions, OPEN_FOR_OUTREACH, WORKER_CLOSE_REASONS } from '../src/ui/case-actions';

/**
 * The case screen offers only what the hub's state machine accepts: its tables are read here
 * so a change on the hub that the app does not follow fails this test, not a worker at the door.
 */
describe('case actions follow the hub state machine', () => {
  const statuses = Object.values(CaseStatus) as string[];

  it.each(statuses)('%s: hold, resume and engaged as the hub allows them', (status) => {
    const next = CASE_TRANSITIONS[status as CaseStatus] as readonly string[];
    const actions = caseActions(status);
    expect(actions.hold).toBe(next.includes(CaseStatus.ON_HOLD));
    expect(actions.resume).toBe(status === CaseStatus.ON_HOLD);
    expect(actions.engage).toBe(next.includes(CaseStatus.ENGAGED));
  });

  it.each(statuses)('%s: only the close reasons the hub takes from this status', (status) => {
    const closable = (CASE_TRANSITIONS[status as CaseStatus] as readonly string[]).includes(
      CaseStatus.CLOSED,
    );
    const hub = Object.keys(WORKER_CLOSE_REASONS).filter(
      (r) =>
        closable &&
        OPEN_FOR_OUTREACH.includes(status) &&
        (CLOSE_REASON_FROM[r as CloseReason] as readonly string[]).includes(status),
    );
    expect(caseActions(status).closeReasons).toEqual(hub);
  });

  it('every reason offered is one of the hub, and a revoked consent is not the worker’s to pick', () => {
    for (const reason of Object.keys(WORKER_CLOSE_REASONS))
      expect(Object.values(CloseReason)).toContain(reason);
    expect(Object.keys(WORKER_CLOSE_REASONS)).not.toContain(CloseReason.CONSENT_REVOKED);
  });

  it('an engaged case can be referred onward; one still being reached cannot', () => {
    expect(caseActions('ENGAGED').refer).toBe(true);
    expect(caseActions('OUTREACH').refer).toBe(false);
    expect(caseActions(null)).toEqual({
      hold: false,
      resume: false,
      engage: false,
      refer: false,
      closeReasons: [],
    });
  });
});
