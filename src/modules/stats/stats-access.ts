import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { sql, type Sql } from '../../common/sql';
import type { Context } from '../../context';
import { badInput, forbidden } from '../../errors/hub-errors';
import { StatsScope } from './stats-scope';
import type { Tier } from './disclosure';
import { StatsDimension } from './stats-dimension';
import { AgencyKind } from '../agency/agency-kind';

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
 * DESIGN.md: law-enforcement agencies' analysts, admins and API keys get overdose counts of their
 * own reports and the "reached: n of m" feedback (myReferralFeedback), never outcome, treatment,
 * LEAD or repeat aggregates: nothing downstream of a report about what came of the people. Only
 * these aggregates are theirs.
 */
export const LAW_ENFORCEMENT_AGGREGATES: readonly string[] = ['overdoseStats'];
/** What happened at visits (officer presence) and after (outcomes) is downstream of the report. */
const LAW_ENFORCEMENT_DIMENSIONS = ALL.filter(
  (d) => d !== StatsDimension.OFFICER_PRESENCE && d !== StatsDimension.OUTCOME,
);

export const isLawEnforcement = (viewer: Viewer): boolean =>
  viewer.agencyKind === AgencyKind.LAW_ENFORCEMENT;

/**
 * Who may ask, at which granularity, and in which tier. An agency admin reads its own agency's
 * operational data, exact; an analyst reads its jurisdiction under the disclosure rule, or its
 * own agency's data exact when it asks for OWN_AGENCY. Everything on the research endpoint is
 * shared. Anyone else is FORBIDDEN (shield denies them first).
 */
export function aggregateAccess(
  ctx: Context,
  requested?: StatsScope | null,
  field?: string,
): AggregateAccess {
  const { viewer } = ctx;
  const research = ctx.endpoint === RESEARCH_ENDPOINT;
  if (isLawEnforcement(viewer) && viewer.role !== Role.RESEARCHER) {
    // The permission layer refuses the other aggregates first; this keeps the rule if it did not.
    if (research || !field || !LAW_ENFORCEMENT_AGGREGATES.includes(field)) throw forbidden();
    if (requested === StatsScope.JURISDICTION) {
      throw badInput({
        field: 'filter.scope',
        message: 'a law-enforcement agency reads its own reports only (OWN_AGENCY)',
      });
    }
    // Their own reports only (a police department is never routed a case), exact: their own data.
    return {
      viewer,
      tier: 'internal',
      scope: 'own-agency',
      grain: 'day',
      dimensions: LAW_ENFORCEMENT_DIMENSIONS,
    };
  }
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
