import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { getCase } from '../../modules/case/case.service';
import type { CaseType } from '../../modules/case/case.types';
import {
  mergeEvents,
  undoEventMerge,
  type MergeEventsRequest,
  type MergeHooks,
  type UndoMergeRequest,
} from '../../modules/case/workflow/event-merge';
import {
  restoreRepeatOutcomes,
  withdrawRepeatOutcomes,
} from '../../modules/outcome/automatic-outcomes';

/**
 * Two events that are one overdose (a story across case and outcome): the case workflow moves
 * the reports and closes the duplicate case; the repeat-overdose outcomes the co-report produced
 * are withdrawn, and come back if the merge is undone.
 */
const HOOKS: MergeHooks = {
  withdrawOutcomes: withdrawRepeatOutcomes,
  restoreOutcomes: restoreRepeatOutcomes,
};

/** Merges; answers with the surviving case. */
export async function mergeOverdoseEvents(
  em: EntityManager,
  viewer: Viewer,
  args: MergeEventsRequest,
): Promise<CaseType> {
  const caseId = await mergeEvents(em, viewer, args, HOOKS);
  return getCase(em, viewer, caseId);
}

/** Undoes; answers with the case of the event that is its own again. */
export async function undoOverdoseEventMerge(
  em: EntityManager,
  viewer: Viewer,
  args: UndoMergeRequest,
): Promise<CaseType> {
  const caseId = await undoEventMerge(em, viewer, args, HOOKS);
  return getCase(em, viewer, caseId);
}
