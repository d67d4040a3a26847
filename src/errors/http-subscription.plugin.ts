import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

export const SUBSCRIPTION_OVER_HTTP =
  'Subscriptions are served over WebSocket (the graphql-transport-ws protocol) at /graphql, not by HTTP POST';

/**
 * Apollo would execute a subscription sent by HTTP like a query, and its resolver, which expects
 * an event, fails with a TypeError (an INTERNAL_SERVER_ERROR to the client). It is a request the
 * hub does not serve over HTTP: answered 400 BAD_REQUEST before anything runs.
 */
export function noSubscriptionsOverHttpPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            throw new GraphQLError(SUBSCRIPTION_OVER_HTTP, {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
