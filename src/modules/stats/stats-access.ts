import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { sql, type Sql } from '../../common/sql';
import type { Context } from '../../context';
import { badInput, forbidden } from '../../errors/hub-errors';
import type { StatsFilterInput } from './aggregate.input';
import { StatsDimension } from './stats-dimension';

/**
 * The research endpoint marks its requests so: `{ ...context, endpoint: RESEARCH_ENDPOINT }`.
 * Researchers get aggregates there only, never on the main endpoint.
 */
export const RESEARCH_ENDPOINT = 'research';

export const AGGREGATE_ROLES = [Role.ANALYST, Role.AGENCY_ADMIN, Role.RESEARCHER] as const;

type Grain = 'week' | 'month';

interface AggregateAccess {
  viewer: Viewer;
  grain: Grain;
  dimensions: readonly StatsDimension[];
}

const ALL = Object.values(StatsDimension);
/** Researchers: dates no finer than month, and no agency (it narrows to a team). */
const RESEARCH_DIMENSIONS = ALL.filter(
  (d) => d !== StatsDimension.WEEK && d !== StatsDimension.AGENCY,
);

export const MAX_GROUP_BY = 2;

/** Who may ask, at which granularity. Anyone else is FORBIDDEN (shield denies them first). */
export function aggregateAccess(ctx: Context): AggregateAccess {
  const { viewer } = ctx;
  const research = (ctx as Context & { endpoint?: string }).endpoint === RESEARCH_ENDPOINT;
  if (viewer.role === Role.RESEARCHER) {
    if (!research) throw forbidden();
    return { viewer, grain: 'month', dimensions: RESEARCH_DIMENSIONS };
  }
  if (viewer.role === Role.ANALYST || viewer.role === Role.AGENCY_ADMIN) {
    return {
      viewer,
      grain: research ? 'month' : 'week',
      dimensions: research ? RESEARCH_DIMENSIONS : ALL,
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

const isMonday = (d: Date) => d.getUTCDay() === 1;
const isMidnight = (d: Date) =>
  d.getUTCHours() === 0 &&
  d.getUTCMinutes() === 0 &&
  d.getUTCSeconds() === 0 &&
  d.getUTCMilliseconds() === 0;

/**
 * Date bounds must sit on the caller's coarsest period, so two requests can never differ by a
 * day (or a few hours) and be subtracted down to the people in it.
 */
export function checkDateRange(grain: Grain, filter: StatsFilterInput | undefined): void {
  const problems: Array<{ field: string; message: string }> = [];
  for (const bound of ['from', 'to'] as const) {
    const value = filter?.[bound];
    if (!value) continue;
    if (Number.isNaN(value.getTime())) {
      problems.push({ field: `filter.${bound}`, message: 'must be a date' });
    } else if (grain === 'week' && !(isMonday(value) && isMidnight(value))) {
      problems.push({
        field: `filter.${bound}`,
        message: 'must be a Monday 00:00 UTC (whole weeks)',
      });
    } else if (grain === 'month' && !(value.getUTCDate() === 1 && isMidnight(value))) {
      problems.push({
        field: `filter.${bound}`,
        message: 'must be the first of a month 00:00 UTC (whole months)',
      });
    }
  }
  if (problems.length) throw badInput(problems);
  if (filter?.from && filter.to && filter.to <= filter.from) {
    throw badInput({ field: 'filter.to', message: 'must be after filter.from' });
  }
}

/**
 * Row scope inside SQL. Analysts: their agency's service counties. Agency admins: their own
 * agency's reports and the cases routed to it. Researchers (research endpoint): everything.
 */
export function scopeSql(
  viewer: Viewer,
  columns: { county: string; reportingAgency: string; routedAgency: string },
): Sql {
  if (viewer.role === Role.ANALYST) {
    return sql(
      `${columns.county}::text = any((select service_counties from agency where id = ?::uuid)::text[])`,
      viewer.agencyId,
    );
  }
  if (viewer.role === Role.AGENCY_ADMIN) {
    return sql(
      `(${columns.reportingAgency} = ?::uuid or ${columns.routedAgency} = ?::uuid)`,
      viewer.agencyId,
      viewer.agencyId,
    );
  }
  if (viewer.role === Role.RESEARCHER) return sql('true');
  return sql('false');
}
