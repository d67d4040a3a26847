import { batchLoader } from '../../common/batch-loader';
import { Role } from '../../common/role';
import type { Context } from '../../context';
import { loadAttempts } from '../outreach/outreach-query';
import type { OutreachAttemptType } from '../outreach/outreach.types';
import { loadTimelines } from './case-timeline-query';
import type { CaseEventType } from './case-timeline.types';

/** One query for the timelines of every case on the page. */
export const timelineLoader = (ctx: Context) =>
  batchLoader<CaseEventType[]>(ctx, 'case.timeline', (ids) => loadTimelines(ctx.em, ids), []);

/** One query for the attempts of every case on the page; notes only for the outreach team. */
export const attemptLoader = (ctx: Context) =>
  batchLoader<OutreachAttemptType[]>(
    ctx,
    'case.outreachAttempts',
    (ids) => loadAttempts(ctx.em, ids, ctx.viewer.role === Role.OUTREACH_WORKER),
    [],
  );

/**
 * After a case mutation: a request may hold several mutations, and a list read before one of
 * them (or a case it closed on the side) must not be answered from the request's cache.
 */
export function forgetCaseLists(ctx: Context): void {
  timelineLoader(ctx).clearAll();
  attemptLoader(ctx).clearAll();
}
