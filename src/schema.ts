import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray, type PubSub } from 'type-graphql';
import { LocalPubSub } from './events/local-pub-sub';
import { PERMISSIONS } from './permissions';
import { protectSchema } from './permissions/shield';
import { trackPart2Records } from './modules/part2/part2-tracking';
import { RESOLVERS } from './resolvers';

export interface SchemaOptions {
  /** The research endpoint builds its schema from its own resolver list, with the same options. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers?: NonEmptyArray<Function>;
  /** Subscriptions read from the hub's own event bus (src/events), one per server. */
  pubSub?: PubSub;
}

/** The schema without permissions: what `schema:emit` prints and the coverage test walks. */
export async function buildBareSchema(options: SchemaOptions = {}): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: options.resolvers ?? RESOLVERS,
    pubSub: options.pubSub ?? new LocalPubSub(),
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
  options: { pubSub?: PubSub; permissions?: boolean } = {},
): Promise<GraphQLSchema> {
  // Below the permission layer: only fields that were allowed note a Part 2 record.
  const bare = trackPart2Records(await buildBareSchema({ pubSub: options.pubSub }));
  return options.permissions === false ? bare : protectSchema(bare, PERMISSIONS);
}
