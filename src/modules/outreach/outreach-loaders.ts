import { batchLoader } from '../../common/batch-loader';
import { Role } from '../../common/role';
import type { Context } from '../../context';
import { loadAttempts } from './outreach-query';
import type { OutreachAttemptType } from './outreach.types';

/**
 * One query for the attempts of every case on the page; notes only for the outreach team.
 * Named `case.…` so a case mutation's forgetCaseLists clears it too.
 */
export const attemptLoader = (ctx: Context) =>
  batchLoader<OutreachAttemptType[]>(
    ctx,
    'case.outreachAttempts',
    (ids) => loadAttempts(ctx.em, ids, ctx.viewer.role === Role.OUTREACH_WORKER),
    [],
  );
