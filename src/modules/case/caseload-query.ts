import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { pgArray } from '../../common/sql';
import { User } from '../agency/user.entity';
import { OPEN_STATUSES } from './case-codes';
import { overdueSql } from './case-query';

export interface WorkerCaseload {
  worker: User;
  openCases: number;
  overdueCases: number;
}

export interface AgencyCaseload {
  workers: WorkerCaseload[];
  unassignedOpenCases: number;
  unassignedOverdueCases: number;
  uniformedOfficerVisits: number;
}

/** How far back the uniformed-officer flag looks. */
export const UNIFORMED_FLAG_DAYS = 30;

interface CountRow {
  worker_id: string | null;
  open_cases: number;
  overdue_cases: number;
}

/**
 * The agency admin's view of who holds what (issue 14 point 3): open and overdue cases per
 * outreach worker of the agency, and those waiting unassigned. The agency's own operational
 * numbers: exact, no suppression (DESIGN.md "Two tiers of numbers"). Every active worker is
 * listed, with none too; an inactive one only while still holding a case.
 */
export async function agencyCaseload(
  em: EntityManager,
  viewer: Viewer,
  now: Date = new Date(),
): Promise<AgencyCaseload> {
  const overdue = overdueSql(now);
  const counts = await em.getConnection().execute<CountRow[]>(
    `select c.assigned_worker_id as worker_id, count(*)::int as open_cases,
            count(*) filter (where ${overdue.text})::int as overdue_cases
       from overdose_case c
      where c.routed_agency_id = ?::uuid and c.status = any(?::case_status[])
      group by c.assigned_worker_id`,
    [...overdue.bindings, viewer.agencyId, pgArray(OPEN_STATUSES)],
    'all',
    em.getTransactionContext(),
  );
  const byWorker = new Map(counts.map((row) => [row.worker_id, row]));
  const holders = counts.flatMap((row) => (row.worker_id ? [row.worker_id] : []));
  const workers = await em.find(
    User,
    {
      agency: viewer.agencyId,
      $or: [{ role: Role.OUTREACH_WORKER, active: true }, { id: { $in: holders } }],
    },
    { orderBy: { displayName: 'asc', id: 'asc' } },
  );
  const unassigned = byWorker.get(null);
  // Practice: officers at a visit come in plain clothes, if at all. A uniformed one is flagged.
  const [{ n: uniformed }] = await em.getConnection().execute<Array<{ n: number }>>(
    `select count(*)::int as n
       from outreach_attempt a join overdose_case c on c.id = a.case_id
      where c.routed_agency_id = ?::uuid and a.officer_presence = 'UNIFORMED'
        and a.attempted_at >= ?::timestamptz`,
    [viewer.agencyId, new Date(now.getTime() - UNIFORMED_FLAG_DAYS * 86_400_000).toISOString()],
    'all',
    em.getTransactionContext(),
  );
  return {
    uniformedOfficerVisits: uniformed,
    workers: workers.map((worker) => ({
      worker,
      openCases: byWorker.get(worker.id)?.open_cases ?? 0,
      overdueCases: byWorker.get(worker.id)?.overdue_cases ?? 0,
    })),
    unassignedOpenCases: unassigned?.open_cases ?? 0,
    unassignedOverdueCases: unassigned?.overdue_cases ?? 0,
  };
}
