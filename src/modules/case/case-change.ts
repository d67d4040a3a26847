import { DeadlockException, LockMode, OptimisticLockError } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import { conflict, notFound } from '../../errors/hub-errors';
import { Case } from './case.entity';

const STALE = 'The case was changed by someone else; reload it and try again';

/** What every case mutation sends: the case and the version the client last read. */
export interface CaseChangeRequest {
  caseId: string;
  version: number;
}

/**
 * Runs one change of a case in one transaction: the case is found in the caller's scope and
 * locked, the caller's version must still be current, and the version column guards the flush.
 */
export async function changeCase<T>(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeRequest,
  change: (tem: EntityManager, kase: Case) => Promise<T>,
): Promise<T> {
  if (!isUuid(args.caseId)) throw notFound('Case');
  try {
    return await em.transactional(async (tem) => {
      const kase = await tem.findOne(
        Case,
        { id: args.caseId, ...scopeWhere(viewer) },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      if (!kase) throw notFound('Case');
      if (kase.version !== args.version) throw conflict(STALE);
      const result = await change(tem, kase);
      await tem.flush();
      return result;
    });
  } catch (error) {
    if (error instanceof OptimisticLockError) throw conflict(STALE);
    // Two changes that each lock more than one case (deaths reported on two cases of one person
    // at once) can wait on each other; PostgreSQL ends one, which is then simply stale.
    if (error instanceof DeadlockException) throw conflict(STALE);
    throw error;
  }
}

/** The ORM form of the case scope in case-query.ts (the two must agree). */
export function scopeWhere(viewer: Viewer): { routedAgency?: string } {
  if (viewer.role === Role.HUB_ADMIN) return {};
  if (viewer.role === Role.OUTREACH_WORKER || viewer.role === Role.AGENCY_ADMIN) {
    return { routedAgency: viewer.agencyId };
  }
  throw notFound('Case');
}

/** Who acted, for timelines and audit: the user, or the API key of a machine client. */
export const actorOf = (viewer: Viewer): string | undefined => viewer.userId ?? viewer.apiKeyId;
