import { findCoReportPairs } from '../modules/case/workflow/co-report';
import { mergeCoReport, type MergeHooks } from '../modules/case/workflow/event-merge';
import { recordAuditEvent } from '../modules/audit/audit-writer';
import {
  restoreRepeatOutcomes,
  withdrawRepeatOutcomes,
} from '../modules/outcome/automatic-outcomes';
import { print, printTable } from './output';
import type { CliSession } from './session';

const HOOKS: MergeHooks = {
  withdrawOutcomes: withdrawRepeatOutcomes,
  restoreOutcomes: restoreRepeatOutcomes,
};

export interface MergeCoReportsSummary {
  proposed: number;
  byPerson: number;
  byPlace: number;
  merged: number;
  skipped: number;
}

/**
 * `merge-coreports [--dry-run]`: the co-reports stored before one overdose became one event
 * (police and EMS at the same overdose, two cases), found by the intake's own rule and merged
 * as an administrator's merge would (undoable with undoOverdoseEventMerge). Prints counts and
 * the pairs as event ids, county and minutes apart: never a name or any other personal value.
 * Each pair is its own transaction; the run is audited (counts only).
 */
export async function mergeCoReportsCommand(
  { em, config }: CliSession,
  options: { dryRun?: boolean },
): Promise<MergeCoReportsSummary> {
  const pairs = await findCoReportPairs(em, config.coReport);
  const summary: MergeCoReportsSummary = {
    proposed: pairs.length,
    byPerson: pairs.filter((p) => p.rule === 'PERSON').length,
    byPlace: pairs.filter((p) => p.rule === 'PLACE').length,
    merged: 0,
    skipped: 0,
  };
  printTable(
    ['event', 'joins event', 'rule', 'minutes apart', 'county'],
    pairs.map((p) => [p.eventId, p.intoEventId, p.rule, String(p.minutesApart), p.county]),
    'no co-reports found',
  );
  if (!options.dryRun) {
    for (const pair of pairs) {
      if (await mergeCoReport(em.fork(), pair, HOOKS)) summary.merged++;
      else summary.skipped++;
    }
    await recordAuditEvent(em.fork(), {
      action: 'CLI.mergeCoreports',
      entityType: 'OverdoseEvent',
      details: { ...summary },
    });
  }
  const verb = options.dryRun ? 'would merge' : 'merged';
  print(
    `${pairs.length} co-report(s) found (${summary.byPerson} same person, ${summary.byPlace} same place); ` +
      `${verb} ${options.dryRun ? pairs.length : summary.merged}` +
      (options.dryRun ? '' : `, skipped ${summary.skipped} (changed meanwhile)`),
  );
  return summary;
}
