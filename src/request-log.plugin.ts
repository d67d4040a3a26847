import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from './logger';
import type { Context } from './context';

/**
 * One log line per GraphQL request (operation, duration, outcome, request id) and the request id
 * on every internal error sent back. Variables and results are never logged: they carry identity.
 */
export function requestLogPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            if (code && code !== 'INTERNAL_SERVER_ERROR') continue;
            const original = unwrapResolverError(error);
            logger.error(
              {
                requestId: contextValue?.requestId,
                errorClass: original instanceof Error ? original.constructor.name : typeof original,
                dbCode: (original as { code?: unknown } | undefined)?.code,
                path: error.path,
              },
              'internal error',
            );
          }
        },
        async willSendResponse({ response, contextValue, operationName, errors }) {
          const requestId = contextValue?.requestId;
          if (response.body.kind === 'single') {
            for (const error of response.body.singleResult.errors ?? []) {
              if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') {
                (error.extensions as Record<string, unknown>).requestId = requestId;
              }
            }
          }
          logger.info(
            {
              requestId,
              operationName: operationName ?? null,
              role: contextValue?.viewer?.role,
              durationMs: Number(process.hrtime.bigint() - started) / 1e6,
              errorCodes: errors?.length
                ? [...new Set(errors.map((e) => e.extensions?.code))]
                : undefined,
            },
            'graphql request',
          );
        },
      };
    },
  };
}
