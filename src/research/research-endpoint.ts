import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Context } from '../context';
import type { Logger } from '../logger';
import { researchAuditPlugin } from './research-audit.plugin';
import { buildResearchSchema } from './research-schema';

export const RESEARCH_PATH = '/research/graphql';

/** How server.ts builds an Apollo server: its auth, limits, formatError and request log. */
export type ApolloFactory = (
  schema: GraphQLSchema,
  plugins: ApolloServerPlugin<Context>[],
) => ApolloServer<Context>;

/**
 * The research endpoint's Apollo server: the same configuration as /graphql (made by the same
 * factory) over the research schema, plus the research audit. server.ts mounts it on
 * RESEARCH_PATH with the same context (authentication and rate limit).
 */
export async function startResearchApollo(
  apolloFor: ApolloFactory,
  logger: Logger,
): Promise<ApolloServer<Context>> {
  const apollo = apolloFor(await buildResearchSchema(), [researchAuditPlugin(logger)]);
  await apollo.start();
  return apollo;
}
