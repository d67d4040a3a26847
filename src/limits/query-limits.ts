import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
import type { HubConfig } from '../config';

/** What the token limit answers instead of graphql-js's message, which names the limit. */
export const TOO_MANY_TOKENS = 'Syntax Error: The document is too large.';

/**
 * Static limits on an operation's shape (graphql-armor validation rules), checked before anything
 * runs. Refusals are GRAPHQL_VALIDATION_FAILED (HTTP 400) and never name the configured limit,
 * so a client cannot tune an abusive query to sit just under it.
 */
export function queryLimitOptions<C extends BaseContext>(
  limits: HubConfig['queryLimits'],
): Pick<ApolloServerOptions<C>, 'parseOptions' | 'maxRecursiveSelections'> & {
  plugins: ApolloServerPlugin<C>[];
  validationRules: ValidationRule[];
} {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, exposeLimits: false, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases, exposeLimits: false, allowList: [] },
    maxDirectives: { n: limits.maxDirectives, exposeLimits: false },
    costLimit: { maxCost: limits.maxCost, exposeLimits: false, ignoreIntrospection: true },
    blockFieldSuggestion: { enabled: true, mask: '' },
    // graphql-js's own parser counts tokens (parseOptions below) and fails as a parse error
    // without running anything; armor's Apollo plugin does the same work again by throwing.
    maxTokens: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    // Apollo's guard against fragment fan-out (each spread re-counted where it is used).
    maxRecursiveSelections: true,
    validationRules,
    plugins: [...(plugins as ApolloServerPlugin<C>[]), tokenLimitMessagePlugin<C>()],
  };
}

/** graphql-js says "Document contains more that N tokens" (sic); the N stays on the server. */
function tokenLimitMessagePlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            if (/Document contains more tha[nt] \d+ tokens/.test(error.message)) {
              (error as { message: string }).message = TOO_MANY_TOKENS;
            }
          }
        },
      };
    },
  };
}
