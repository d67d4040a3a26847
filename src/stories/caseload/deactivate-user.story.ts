import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import type { User } from '../../modules/agency/user.entity';
import { setUserActive } from '../../modules/agency/user.service';
import { actorOf } from '../../modules/case/workflow/case-lock';
import { releaseWorkerCases } from '../../modules/case/workflow/caseload';

/**
 * Deactivating a user crosses agency (the account) and the case workflow (issue 14 point 3): an
 * outreach worker who leaves hands every open case back to the agency's queue, unassigned, in the
 * same transaction, so no case stays with someone who can no longer sign in.
 */
export async function deactivateUser(em: EntityManager, viewer: Viewer, id: string): Promise<User> {
  return em.transactional(async (tem) => {
    const user = await setUserActive(tem, viewer, id, false);
    if (user.role === Role.OUTREACH_WORKER) {
      await releaseWorkerCases(tem, user.id, actorOf(viewer));
      await tem.flush();
    }
    return user;
  });
}
