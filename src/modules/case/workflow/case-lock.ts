import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../auth/viewer';
import { lockedChange } from '../../../common/optimistic-lock';
import { isUuid } from '../../../common/uuid';
import { notFound } from '../../../errors/hub-errors';
import { caseScopeWhere } from '../case-scope';
import { Case } from '../case.entity';

const STALE = 'The case was changed by someone else; reload it and try again';

/** What every case mutation sends: the case and the version the client last read. */
export interface CaseChangeRequest {
  caseId: string;
  version: number;
}

/**
 * Runs one change of a case in one transaction (common/optimistic-lock.ts): the case is found in
 * the caller's scope and locked, the caller's version must still be current, and the version
 * column guards the flush. Every change of a case, in the workflow and in the stories above it,
 * starts here.
 */
export async function changeCase<T>(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeRequest,
  change: (tem: EntityManager, kase: Case) => Promise<T>,
): Promise<T> {
  const scope = caseScopeWhere(viewer);
  if (!isUuid(args.caseId) || !scope) throw notFound('Case');
  return lockedChange(
    em,
    {
      load: (tem, lock) => tem.findOne(Case, { id: args.caseId, ...scope }, lock),
      version: args.version,
      stale: STALE,
      missing: () => notFound('Case'),
    },
    change,
  );
}

/** A case of the caller's scope, unlocked (a read that guards another record's change). */
export async function findCaseInScope(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<Case | null> {
  const scope = caseScopeWhere(viewer);
  if (!isUuid(id) || !scope) return null;
  return em.findOne(Case, { id, ...scope });
}

/** Who acted, for timelines and audit: the user, or the API key of a machine client. */
export const actorOf = (viewer: Viewer): string | undefined => viewer.userId ?? viewer.apiKeyId;
