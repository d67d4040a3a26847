import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * PostgreSQL cannot store U+0000 in text. Left alone, a NUL in any string reaches the driver and
 * fails there as a protocol error, i.e. a 500 for what is bad input; it is refused up front.
 */
const MESSAGE = 'Invalid input: text must not contain NUL characters (U+0000)';

/** NULs written into the query document (`"\u0000"` in a string literal). */
export const noNulCharactersRule: ValidationRule = (context) => ({
  StringValue(node) {
    if (node.value.includes('\u0000'))
      context.reportError(new GraphQLError(MESSAGE, { nodes: node }));
  },
});

/** NULs in the variables. */
export function noNulCharactersPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request }) {
          if (containsNul(request.variables)) {
            throw new GraphQLError(MESSAGE, {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item));
  }
  return false;
}
