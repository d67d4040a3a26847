import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../auth/viewer';
import { Role } from '../../../common/role';
import { isUuid } from '../../../common/uuid';
import { badInput } from '../../../errors/hub-errors';
import { User } from '../../agency/user.entity';
import { CaseStatus, TERMINAL_STATUSES } from '../case-codes';
import { Case } from '../case.entity';
import type { ReassignCaseArgs } from '../case.input';
import { getCase } from '../case.service';
import type { CaseType } from '../case.types';
import { actorOf, changeCase } from './case-lock';
import { recordNote } from './timeline';

/**
 * Statuses in which an accepted case is worked by a worker of the agency: it may change hands.
 * Before acceptance (REFERRED) a case is given to a worker by acceptCase instead.
 */
export const HELD_STATUSES: readonly CaseStatus[] = [
  CaseStatus.ASSIGNED,
  CaseStatus.OUTREACH,
  CaseStatus.ON_HOLD,
  CaseStatus.ENGAGED,
  CaseStatus.LINKED,
  CaseStatus.FOLLOW_UP,
];

/** Timeline reasons of caseload changes (codes, never who: the actor is on the entry). */
export const REASSIGNED = 'REASSIGNED';
export const WORKER_DEACTIVATED = 'WORKER_DEACTIVATED';

/**
 * The agency admin gives an open case to another active outreach worker of the agency, whatever
 * stage outreach is at (issue 14 point 3). The status does not change; the timeline records the
 * hand-over and the case's version moves. The request itself is audited (Mutation.reassignCase,
 * with the case and the worker).
 */
export async function reassignCase(
  em: EntityManager,
  viewer: Viewer,
  args: ReassignCaseArgs,
): Promise<CaseType> {
  await changeCase(em, viewer, args, async (tem, kase) => {
    if (!HELD_STATUSES.includes(kase.status)) {
      throw badInput({
        field: 'caseId',
        message:
          `a ${kase.status} case cannot be reassigned; allowed: ${HELD_STATUSES.join(', ')}` +
          (kase.status === CaseStatus.REFERRED
            ? ' (a referred case is given with acceptCase)'
            : ''),
      });
    }
    const workerId = await activeWorkerOf(tem, viewer.agencyId, args.workerId);
    if (kase.assignedWorker?.id === workerId) {
      throw badInput({ field: 'workerId', message: 'already holds the case' });
    }
    kase.assignedWorker = tem.getReference(User, workerId, { wrapped: true });
    recordNote(tem, kase, REASSIGNED, actorOf(viewer));
  });
  return getCase(em, viewer, args.caseId);
}

/** One answer for every failure, so the check cannot probe other agencies' staff. */
async function activeWorkerOf(
  em: EntityManager,
  agencyId: string,
  workerId: string,
): Promise<string> {
  const worker = isUuid(workerId)
    ? await em.findOne(User, {
        id: workerId,
        agency: agencyId,
        role: Role.OUTREACH_WORKER,
        active: true,
      })
    : null;
  if (!worker) {
    throw badInput({
      field: 'workerId',
      message: 'must be an active outreach worker of your agency',
    });
  }
  return worker.id;
}

/**
 * A worker leaves (deactivated): their open cases go back to the agency's queue, unassigned,
 * each with a timeline entry, in the caller's transaction (the deactivation's), so no case is
 * left held by someone who can no longer sign in. Returns how many cases were released.
 */
export async function releaseWorkerCases(
  em: EntityManager,
  workerId: string,
  actorId: string | undefined,
): Promise<number> {
  const cases = await em.find(
    Case,
    { assignedWorker: workerId, status: { $nin: [...TERMINAL_STATUSES] } },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
  );
  for (const kase of cases) {
    kase.assignedWorker = undefined;
    recordNote(em, kase, WORKER_DEACTIVATED, actorId);
  }
  return cases.length;
}
