import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../common/sql';
import type { CaseStatus } from './case-codes';
import { CaseEventActor, CaseEventKind, type CaseEventType } from './case-timeline.types';

interface EventRow {
  case_id: string;
  created_at: Date | string;
  from_status: CaseStatus | null;
  to_status: CaseStatus;
  reason: string | null;
  actor: CaseEventActor;
}

/**
 * The timelines of several cases in one statement (a page of cases costs one query, whatever
 * its size). The ids come from rows the caller may already see; the actor is reduced to its kind.
 */
export async function loadTimelines(
  em: EntityManager,
  caseIds: readonly string[],
): Promise<Map<string, CaseEventType[]>> {
  const rows = await em.getConnection().execute<EventRow[]>(
    `select e.case_id, e.created_at, e.from_status, e.to_status, e.reason,
            case when e.actor_id is null then ?
                 when exists (select 1 from app_user u where u.id = e.actor_id) then ?
                 else ? end as actor
       from case_event e
      where e.case_id = any(?::uuid[])
      order by e.case_id, e.created_at, e.id`,
    [CaseEventActor.HUB, CaseEventActor.USER, CaseEventActor.API_KEY, pgArray(caseIds)],
    'all',
    em.getTransactionContext(),
  );
  const byCase = new Map<string, CaseEventType[]>();
  for (const row of rows) {
    const events = byCase.get(row.case_id) ?? [];
    events.push({
      kind: CaseEventKind.STATUS_CHANGE,
      at: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
      fromStatus: row.from_status ?? undefined,
      toStatus: row.to_status,
      reason: row.reason ?? undefined,
      actor: row.actor,
    });
    byCase.set(row.case_id, events);
  }
  for (const [id, events] of byCase) byCase.set(id, inChainOrder(events));
  return byCase;
}

/**
 * One transaction may write several entries in the same millisecond (REPORTED → TRIAGE →
 * REFERRED at intake), so time alone does not order them: among entries of equal time, the one
 * that starts where the previous one ended comes next.
 */
export function inChainOrder(events: readonly CaseEventType[]): CaseEventType[] {
  const ordered: CaseEventType[] = [];
  let start = 0;
  while (start < events.length) {
    let end = start;
    const at = events[start].at.getTime();
    while (end < events.length && events[end].at.getTime() === at) end++;
    const tied = events.slice(start, end);
    while (tied.length > 0) {
      const previous = ordered.at(-1)?.toStatus;
      const next = tied.findIndex((e) => e.fromStatus === previous);
      ordered.push(...tied.splice(next === -1 ? 0 : next, 1));
    }
    start = end;
  }
  return ordered;
}
