import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { protectSchema } from '../permissions/shield';
import { buildBareSchema } from '../schema';
import { researchPermissions } from './research-permissions';
import { RESEARCH_RESOLVERS } from './research-resolvers';

/** The research schema without permissions: what `schema:emit` prints to schema/research.graphql. */
export function buildResearchBareSchema(): Promise<GraphQLSchema> {
  return buildBareSchema({ resolvers: RESEARCH_RESOLVERS });
}

export async function buildResearchSchema(): Promise<GraphQLSchema> {
  const bare = await buildResearchBareSchema();
  return protectSchema(bare, researchPermissions(bare));
}
