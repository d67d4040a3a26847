import type { NonEmptyArray } from 'type-graphql';
import { AggregateStatsResolver } from '../modules/stats/aggregate.resolver';
import { ResearchExtractResolver } from './research-extract.resolver';

/**
 * Everything /research/graphql serves. Only aggregate resolvers and the extract belong here: the
 * schema is built from this list alone, so a type that no listed resolver returns (Person, Case,
 * OverdoseIncident…) does not exist on the endpoint. Adding an aggregate resolver class is one
 * line here; its fields take their rules from its module's `*.permissions.ts`, narrowed to
 * RESEARCHER (research-permissions.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESEARCH_RESOLVERS: NonEmptyArray<Function> = [
  ResearchExtractResolver,
  AggregateStatsResolver,
];
