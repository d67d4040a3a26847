import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { decodeCursor, toPage } from '../../common/cursor';
import { pageSize, type Page } from '../../common/pagination';
import { isUuid } from '../../common/uuid';
import { badInput, notFound } from '../../errors/hub-errors';
import { FollowUpBucket } from './case-codes';
import type { CaseRelations } from './case-list-relations';
import { queryCases } from './case-query';
import type { CaseFilterInput, CasesArgs, FollowUpQueueArgs } from './case.input';
import type { CaseType } from './case.types';
import { Referral } from './referral.entity';
import type { CaseReferralType } from './referral.types';

export async function getCase(
  em: EntityManager,
  viewer: Viewer,
  id: string,
  relations?: CaseRelations,
): Promise<CaseType> {
  const { rows } = isUuid(id)
    ? await queryCases(em, viewer, { id, limit: 1, count: false, relations })
    : { rows: [] };
  if (rows.length === 0) throw notFound('Case');
  return rows[0];
}

/** Both case lists page in (due time, id) order with cursors of their own. */
const CASES_LIST = 'cases';
const QUEUE_LIST = 'followUpQueue';

export async function listCases(
  em: EntityManager,
  viewer: Viewer,
  args: CasesArgs,
  relations?: CaseRelations,
): Promise<Page<CaseType>> {
  const size = pageSize(args.first);
  const after = decodeCursor(CASES_LIST, args.after);
  checkRange(args.filter);
  const { rows, totalCount } = await queryCases(em, viewer, {
    filter: args.filter,
    after,
    limit: size + 1,
    relations,
  });
  return toPage(CASES_LIST, rows, size, totalCount, (c) => ({ at: c.followUpDueAt, id: c.id }));
}

/**
 * The outreach agency's follow-up queue: its cases awaiting a first attempt whose window opens
 * by the end of today (in `timeZone`), overdue first, then due, then opening later today
 * (oldest first: by due time, then id). Each case carries its `followUpBucket`, so one list can
 * show all three and three lists can ask for one bucket each.
 */
export async function listFollowUpQueue(
  em: EntityManager,
  viewer: Viewer,
  args: FollowUpQueueArgs,
  relations?: CaseRelations,
): Promise<Page<CaseType>> {
  const size = pageSize(args.first);
  const after = decodeCursor(QUEUE_LIST, args.after);
  const timeZone = checkTimeZone(args.timeZone ?? 'UTC');
  const { rows, totalCount } = await queryCases(em, viewer, {
    queue: { buckets: args.buckets ?? Object.values(FollowUpBucket), timeZone },
    after,
    limit: size + 1,
    relations,
  });
  return toPage(QUEUE_LIST, rows, size, totalCount, (c) => ({ at: c.followUpDueAt, id: c.id }));
}

function checkRange(filter: CaseFilterInput | undefined): void {
  if (filter?.occurredFrom && filter.occurredTo && filter.occurredTo <= filter.occurredFrom) {
    throw badInput({ field: 'filter.occurredTo', message: 'must be after occurredFrom' });
  }
}

/** An IANA zone name both the runtime and PostgreSQL know; offsets and POSIX strings are not. */
function checkTimeZone(timeZone: string): string {
  const named = /^(UTC|[A-Za-z]+(\/[A-Za-z0-9_+-]+){1,2})$/.test(timeZone);
  try {
    if (named) new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw badInput({ field: 'timeZone', message: 'must be an IANA time zone such as UTC' });
  }
  if (!named)
    throw badInput({ field: 'timeZone', message: 'must be an IANA time zone such as UTC' });
  return timeZone;
}

export function toReferralType(referral: Referral): CaseReferralType {
  return {
    id: referral.id,
    toAgencyId: referral.toAgency?.id,
    type: referral.type,
    status: referral.status,
    statusReason: referral.statusReason,
    createdAt: referral.createdAt,
    respondedAt: referral.respondedAt,
  };
}
