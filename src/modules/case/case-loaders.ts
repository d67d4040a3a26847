import { batchLoader, clearBatchLoaders } from '../../common/batch-loader';
import type { Context } from '../../context';
import { loadTimelines } from './case-timeline-query';
import type { CaseEventType } from './case-timeline.types';

/** One query for the timelines of every case on the page. */
export const timelineLoader = (ctx: Context) =>
  batchLoader<CaseEventType[]>(ctx, 'case.timeline', (ids) => loadTimelines(ctx.em, ids), []);

/**
 * After a case mutation: a request may hold several mutations, and a list read before one of
 * them (or a case it closed on the side) must not be answered from the request's cache.
 */
export function forgetCaseLists(ctx: Context): void {
  // Every per-case list of the request, the case module's and those of modules above it
  // (attempts, outcomes), is named `case.…`.
  clearBatchLoaders(ctx, 'case.');
}
