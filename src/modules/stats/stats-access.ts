import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { sql, type Sql } from '../../common/sql';
import type { Context } from '../../context';
import { badInput, forbidden } from '../../errors/hub-errors';
import { StatsScope } from './stats-scope';
import type { Tier } from './disclosure';
import { StatsDimension } from './stats-dimension';

/**
 * The research endpoint marks its requests so: `{ ...context, endpoint: RESEARCH_ENDPOINT }`.
 * Researchers get aggregates there only, never on the main endpoint.
 */
export const RESEARCH_ENDPOINT = 'research' as const;

/**
 * Roles given aggregates on /graphql. Researchers are not among them: the research endpoint's own
 * map (src/research/research-permissions.ts) gives these same fields to RESEARCHER alone.
 */
export const AGGREGATE_ROLES = [Role.ANALYST, Role.AGENCY_ADMIN] as const;

type Grain = 'day' | 'month';

export interface AggregateAccess {
  viewer: Viewer;
  /** Internal: exact, the caller's own agency's data. Shared: the disclosure rule applies. */
  tier: Tier;
  /** Whose rows: the caller's own agency, its service counties, or everything (research). */
  scope: 'own-agency' | 'jurisdiction' | 'all';
  grain: Grain;
  dimensions: readonly StatsDimension[];
}

const ALL = Object.values(StatsDimension);
/** Researchers: dates no finer than month, and no agency (it narrows to a team). */
const RESEARCH_DIMENSIONS = ALL.filter(
  (d) => d !== StatsDimension.DAY && d !== StatsDimension.WEEK && d !== StatsDimension.AGENCY,
);

export const MAX_GROUP_BY = 2;

/**
 * Who may ask, at which granularity, and in which tier. An agency admin reads its own agency's
 * operational data, exact; an analyst reads its jurisdiction under the disclosure rule, or its
 * own agency's data exact when it asks for OWN_AGENCY. Everything on the research endpoint is
 * shared. Anyone else is FORBIDDEN (shield denies them first).
 */
export function aggregateAccess(ctx: Context, requested?: StatsScope | null): AggregateAccess {
  const { viewer } = ctx;
  const research = ctx.endpoint === RESEARCH_ENDPOINT;
  if (viewer.role === Role.RESEARCHER) {
    if (!research) throw forbidden();
    return {
      viewer,
      tier: 'shared',
      scope: 'all',
      grain: 'month',
      dimensions: RESEARCH_DIMENSIONS,
    };
  }
  if (viewer.role === Role.ANALYST || viewer.role === Role.AGENCY_ADMIN) {
    const own =
      viewer.role === Role.AGENCY_ADMIN ||
      (requested ?? StatsScope.JURISDICTION) === StatsScope.OWN_AGENCY;
    if (research) {
      return {
        viewer,
        tier: 'shared',
        scope: own ? 'own-agency' : 'jurisdiction',
        grain: 'month',
        dimensions: RESEARCH_DIMENSIONS,
      };
    }
    return {
      viewer,
      tier: own ? 'internal' : 'shared',
      scope: own ? 'own-agency' : 'jurisdiction',
      grain: 'day',
      dimensions: ALL,
    };
  }
  throw forbidden();
}

/** BAD_USER_INPUT naming `groupBy` for a dimension the role may not use, a repeat, or too many. */
export function checkGroupBy(access: AggregateAccess, groupBy: readonly StatsDimension[]): void {
  if (groupBy.length > MAX_GROUP_BY) {
    throw badInput({ field: 'groupBy', message: `at most ${MAX_GROUP_BY} dimensions` });
  }
  if (new Set(groupBy).size !== groupBy.length) {
    throw badInput({ field: 'groupBy', message: 'names a dimension twice' });
  }
  const refused = groupBy.filter((d) => !access.dimensions.includes(d));
  if (refused.length) {
    throw badInput({
      field: 'groupBy',
      message: `${refused.join(', ')} is finer than your role may see (allowed: ${access.dimensions.join(', ')})`,
    });
  }
}

/**
 * Row scope inside SQL. Own agency: its own reports and the cases routed to it. Jurisdiction:
 * the agency's service counties. All: the research endpoint's researchers.
 */
export function scopeSql(
  access: Pick<AggregateAccess, 'viewer' | 'scope'>,
  columns: {
    county: string;
    reportingAgency: string;
    routedAgency: string;
    /** All agencies that reported the event (co-reports included), where the source has them. */
    sourceAgencies?: string;
  },
): Sql {
  const { viewer } = access;
  if (access.scope === 'jurisdiction') {
    return sql(
      `${columns.county}::text = any((select service_counties from agency where id = ?::uuid)::text[])`,
      viewer.agencyId,
    );
  }
  if (access.scope === 'own-agency' && columns.sourceAgencies) {
    // An event the agency co-reported is one of its own reports too.
    return sql(
      `(?::uuid = any(${columns.sourceAgencies}) or ${columns.routedAgency} = ?::uuid)`,
      viewer.agencyId,
      viewer.agencyId,
    );
  }
  if (access.scope === 'own-agency') {
    return sql(
      `(${columns.reportingAgency} = ?::uuid or ${columns.routedAgency} = ?::uuid)`,
      viewer.agencyId,
      viewer.agencyId,
    );
  }
  if (access.scope === 'all' && viewer.role === Role.RESEARCHER) return sql('true');
  return sql('false');
}
