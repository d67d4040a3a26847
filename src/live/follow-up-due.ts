import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../common/sql';
import type { DomainEvents } from '../events/domain-events';
import { AWAITING_FIRST_ATTEMPT } from '../modules/case/case-codes';

const MAX_PER_TICK = 5000;

/**
 * Routed cases without an attempt whose follow-up window opened, or that became overdue, in
 * (since, until]: one statement on the (status, follow_up_due_at) index. A case that does both in
 * one tick is reported overdue only.
 */
export async function followUpTransitions(
  em: EntityManager,
  since: Date,
  until: Date,
): Promise<Array<DomainEvents['followUpDue']>> {
  const rows = await em
    .getConnection()
    .execute<Array<{ id: string; routed_agency_id: string; overdue: boolean }>>(
      `select c.id, c.routed_agency_id,
            (c.follow_up_due_at > ?::timestamptz and c.follow_up_due_at <= ?::timestamptz) as overdue
       from overdose_case c
      where c.status = any(?::case_status[]) and c.routed_agency_id is not null
        and ((c.follow_up_due_at > ?::timestamptz and c.follow_up_due_at <= ?::timestamptz)
          or (c.follow_up_opens_at > ?::timestamptz and c.follow_up_opens_at <= ?::timestamptz))
      order by c.follow_up_due_at, c.id
      limit ${MAX_PER_TICK}`,
      [since, until, pgArray(AWAITING_FIRST_ATTEMPT), since, until, since, until],
    );
  return rows.map((r) => ({
    caseId: r.id,
    agencyId: r.routed_agency_id,
    state: r.overdue ? 'OVERDUE' : 'WINDOW_OPEN',
  }));
}
