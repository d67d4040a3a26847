import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { Arg, Ctx, Info, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { StatsFilterInput } from './aggregate.input';
import { FOLLOW_UP_SPEC, OUTCOME_SPEC, OVERDOSE_SPEC } from './aggregate-sql';
import { protectedAggregate, type AggregateRequest } from './aggregate.service';
import { followUpRow, gridRow, outcomeRow, overdoseRow, toTable } from './aggregate-shape';
import {
  DashboardGridType,
  FollowUpStatsType,
  OutcomeStatsType,
  OverdoseStatsType,
} from './aggregate.types';
import { aggregateAccess } from './stats-access';
import { dashboardGrid } from './stats-rollup';
import { StatsDimension } from './stats-dimension';

const groupByArg = {
  nullable: false,
  defaultValue: [],
  description: 'Up to two dimensions; the caller’s role limits which',
} as const;
const filterArg = { nullable: true } as const;

function request(ctx: Context, field: string, filter?: StatsFilterInput): AggregateRequest {
  return {
    em: ctx.em,
    access: aggregateAccess(ctx, filter?.scope, field),
    rules: ctx.config.disclosure,
    calendar: ctx.config.statsCalendar,
    requestId: ctx.requestId,
    action: `Query.${field}`,
  };
}

/** Fields that are percentiles of hours: they do not add up, and are computed exactly. */
const PERCENTILE_FIELDS = new Set(['medianHours', 'p90Hours']);

/**
 * Whether the query selects a percentile of hours anywhere under this field (fragments
 * included): only then is the answer read from the fact table (stats-cells.ts).
 */
export function selectsPercentiles(info: GraphQLResolveInfo): boolean {
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): boolean =>
    !!set?.selections.some((s) => {
      if (s.kind === 'Field') return PERCENTILE_FIELDS.has(s.name.value) || walk(s.selectionSet);
      if (s.kind === 'InlineFragment') return walk(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return walk(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => walk(node.selectionSet));
}

/**
 * Aggregates with disclosure control for analysts, agency administrators and (on the research
 * endpoint) researchers. Self-contained: its types are aggregates only, so it can be listed in
 * the research schema too without any person, case or incident type becoming reachable.
 */
@Resolver()
export class AggregateStatsResolver {
  @Query(() => OverdoseStatsType, {
    description:
      'Overdoses reported (internal: exact for your own agency; shared: suppressed and perturbed)',
  })
  async overdoseStats(
    @Ctx() ctx: Context,
    @Arg('groupBy', () => [StatsDimension], groupByArg) groupBy: StatsDimension[],
    @Arg('filter', () => StatsFilterInput, filterArg) filter?: StatsFilterInput,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<OverdoseStatsType> {
    const table = await protectedAggregate(
      request(ctx, 'overdoseStats', filter),
      OVERDOSE_SPEC,
      groupBy,
      filter,
      { hours: !info || selectsPercentiles(info) },
    );
    return toTable(table, overdoseRow);
  }

  @Query(() => FollowUpStatsType, {
    description: 'Follow-up of non-fatal cases: timeliness, contact, engagement, linkage',
  })
  async followUpStats(
    @Ctx() ctx: Context,
    @Arg('groupBy', () => [StatsDimension], groupByArg) groupBy: StatsDimension[],
    @Arg('filter', () => StatsFilterInput, filterArg) filter?: StatsFilterInput,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<FollowUpStatsType> {
    const table = await protectedAggregate(
      request(ctx, 'followUpStats', filter),
      FOLLOW_UP_SPEC,
      groupBy,
      filter,
      { hours: !info || selectsPercentiles(info) },
    );
    return toTable(table, followUpRow);
  }

  @Query(() => OutcomeStatsType, {
    description: 'Outcomes of non-fatal cases: treatment, repeat overdose, LEAD enrolment',
  })
  async outcomeStats(
    @Ctx() ctx: Context,
    @Arg('groupBy', () => [StatsDimension], groupByArg) groupBy: StatsDimension[],
    @Arg('filter', () => StatsFilterInput, filterArg) filter?: StatsFilterInput,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<OutcomeStatsType> {
    const table = await protectedAggregate(
      request(ctx, 'outcomeStats', filter),
      OUTCOME_SPEC,
      groupBy,
      filter,
      { hours: !info || selectsPercentiles(info) },
    );
    return toTable(table, outcomeRow);
  }

  @Query(() => DashboardGridType, {
    description: 'Incidents, naloxone doses and contacts by month × county (maintained rollup)',
  })
  async dashboardGrid(
    @Ctx() ctx: Context,
    @Arg('filter', () => StatsFilterInput, filterArg) filter?: StatsFilterInput,
  ): Promise<DashboardGridType> {
    const table = await dashboardGrid(request(ctx, 'dashboardGrid', filter), filter);
    return toTable(table, gridRow);
  }
}
