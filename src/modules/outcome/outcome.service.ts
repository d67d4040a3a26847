import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../../config';
import type { Viewer } from '../../auth/viewer';
import { badInput, type FieldProblem } from '../../errors/hub-errors';
import { CaseStatus, CloseReason } from '../case/case-codes';
import { actorOf, changeCase } from '../case/workflow/case-lock';
import { closeCase } from '../case/workflow/close';
import { touch } from '../case/workflow/timeline';
import { caseOrigin } from '../case/workflow/case-origin';
import { OutcomeType } from './outcome-codes';
import { Outcome } from './outcome.entity';
import type { RecordOutcomeArgs } from './outcome.input';

/**
 * The outreach worker records what came of the case: treatment admitted, MOUD started (with the
 * medication), detox, peer support, syringe services, declined, lost to follow-up, or a death.
 * Outcomes may be recorded on closed cases too: people get help after a case closes.
 */
export async function recordOutcome(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  args: RecordOutcomeArgs,
): Promise<Outcome> {
  const { input } = args;
  return changeCase(em, viewer, args, async (tem, kase) => {
    if (kase.status === CaseStatus.ENTERED_IN_ERROR) {
      throw badInput({ field: 'caseId', message: 'the case was entered in error' });
    }
    const origin = await caseOrigin(tem, kase);
    const problems = outcomeProblems(args, origin.at, config);
    if (problems.length > 0) throw badInput(problems);

    const outcome = tem.create(Outcome, {
      case: kase,
      type: input.type,
      occurredAt: input.occurredAt,
      moudType: input.moudType ?? undefined,
      recordedById: actorOf(viewer),
    });
    // A death learned of during follow-up ends the case, like a fatal report does at intake.
    // Through the one close: hold cleared, routing request cancelled, the person's other open
    // cases closed too (closeCases skips a case already closed).
    touch(kase);
    if (input.type === OutcomeType.FATAL_OVERDOSE) {
      await closeCase(tem, kase, {
        reason: CloseReason.DECEASED,
        timelineReason: 'FATAL_OVERDOSE_RECORDED',
        actorId: actorOf(viewer),
      });
    }
    return outcome;
  });
}

function outcomeProblems(
  args: RecordOutcomeArgs,
  incidentAt: Date,
  config: ReadyConfig,
): FieldProblem[] {
  const { input } = args;
  const problems: FieldProblem[] = [];
  if (input.type === OutcomeType.REPEAT_OVERDOSE) {
    problems.push({
      field: 'input.type',
      message: 'is recorded by the hub when the new overdose is reported',
    });
  }
  if (input.type === OutcomeType.MOUD_STARTED && !input.moudType) {
    problems.push({ field: 'input.moudType', message: 'is required when MOUD was started' });
  }
  if (input.type !== OutcomeType.MOUD_STARTED && input.moudType) {
    problems.push({ field: 'input.moudType', message: 'is only for MOUD_STARTED' });
  }
  const latest = Date.now() + config.intake.clockSkewMinutes * 60_000;
  if (input.occurredAt.getTime() > latest) {
    problems.push({ field: 'input.occurredAt', message: 'is in the future' });
  } else if (input.occurredAt.getTime() < incidentAt.getTime()) {
    problems.push({
      field: 'input.occurredAt',
      message: 'is before the overdose this case is about',
    });
  }
  return problems;
}
