import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from './context';

/**
 * Every GraphQL response is `Cache-Control: no-store` (answers carry identity and depend on the
 * caller). Apollo's cache-control plugin said so too, but computed a cache policy for every
 * field of every response to get there; it is disabled in favour of this one header.
 */
export function noStorePlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}
