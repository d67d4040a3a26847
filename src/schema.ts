import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { LocalPubSub } from './events/local-pub-sub';
import { PERMISSIONS } from './permissions';
import { protectSchema } from './permissions/shield';
import { RESOLVERS } from './resolvers';

/** The schema without permissions: what `schema:emit` prints and the coverage test walks. */
export async function buildBareSchema(pubSub: PubSub = new LocalPubSub()): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    // Subscriptions read from the hub's own event bus (src/events), one per server.
    pubSub,
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

export async function buildHubSchema(pubSub?: PubSub): Promise<GraphQLSchema> {
  return protectSchema(await buildBareSchema(pubSub), PERMISSIONS);
}
