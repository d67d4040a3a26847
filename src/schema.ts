import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { PERMISSIONS } from './permissions';
import { protectSchema } from './permissions/shield';
import { RESOLVERS } from './resolvers';

/**
 * The schema without permissions: what `schema:emit` prints and the coverage test walks. The
 * research endpoint builds its own from its own resolver list, with the same options.
 */
export async function buildBareSchema(
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function> = RESOLVERS,
): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    // Object fields are nullable unless declared otherwise, so a field denied to one role
    // resolves to null without wiping out its parent.
    nullableByDefault: true,
    validate: {
      // Argument classes without validation decorators (page args) must pass, not be refused.
      forbidUnknownValues: false,
      validationError: { target: false, value: false },
    },
  });
}

/** `permissions: false` only for the benchmark (config.benchDisablePermissions). */
export async function buildHubSchema(
  options: { permissions?: boolean } = {},
): Promise<GraphQLSchema> {
  const bare = await buildBareSchema();
  return options.permissions === false ? bare : protectSchema(bare, PERMISSIONS);
}
