import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { sql, type Sql } from '../../common/sql';

/**
 * "Case in scope", written once: the agency a case is routed to sees it (its outreach workers
 * and its admin); the hub operator sees every case; nobody else sees any. Rendered below as SQL
 * (lists, counts) and as a MikroORM condition (changes, lookups).
 */
type CaseScope = { kind: 'all' } | { kind: 'routedTo'; agencyId: string } | { kind: 'none' };

function caseScopeOf(viewer: Viewer): CaseScope {
  switch (viewer.role) {
    case Role.HUB_ADMIN:
      return { kind: 'all' };
    case Role.OUTREACH_WORKER:
    case Role.AGENCY_ADMIN:
      return { kind: 'routedTo', agencyId: viewer.agencyId };
    default:
      return { kind: 'none' };
  }
}

/** The scope as SQL on an overdose_case row aliased `alias` (trusted, written by hub code). */
export function caseScopeSql(viewer: Viewer, alias = 'c'): Sql {
  const scope = caseScopeOf(viewer);
  if (scope.kind === 'all') return sql('true');
  if (scope.kind === 'none') return sql('false');
  return sql(`${alias}.routed_agency_id = ?::uuid`, scope.agencyId);
}

/** The scope as a MikroORM condition on Case; null when the caller sees no case at all. */
export function caseScopeWhere(viewer: Viewer): { routedAgency?: string } | null {
  const scope = caseScopeOf(viewer);
  if (scope.kind === 'all') return {};
  if (scope.kind === 'none') return null;
  return { routedAgency: scope.agencyId };
}
