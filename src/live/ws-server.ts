import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../config';
import type { Context } from '../context';
import { withPart2Notice } from '../modules/part2/part2-notice';
import type { Viewer } from '../auth/viewer';
import { authenticate } from '../auth/authenticate';
import type { TokenVerifier } from '../auth/tokens';
import { callerOf, type RateLimiter } from '../limits/rate-limit';
import type { Logger } from '../logger';
import { formatError } from '../errors/format-error';

/** Close codes beyond graphql-ws's own (4403 Forbidden for a refused connection_init). */
const TOO_MANY_REQUESTS = 4429;

export interface LiveServer {
  /** Connections that passed connection_init. */
  connected(): number;
  /** Closes every socket (1001 going away) and stops accepting. */
  close(): Promise<void>;
}

interface Extra extends Record<PropertyKey, unknown> {
  viewer?: Viewer;
}

/**
 * GraphQL subscriptions over graphql-ws on the HTTP server's /graphql path. The credential goes in
 * connection_init (`connectionParams.authorization`, "Bearer …"), checked by the same
 * authenticate() as HTTP and counted by the same rate limiter; without one the socket is closed.
 */
export function attachLiveServer(deps: {
  httpServer: Server;
  schema: GraphQLSchema;
  /** The same document limits as over HTTP (depth, aliases, cost, NUL characters). */
  validationRules: readonly ValidationRule[];
  orm: MikroORM;
  verifyToken: TokenVerifier;
  rateLimiter: RateLimiter;
  config: ReadyConfig;
  logger: Logger;
}): LiveServer {
  const { orm, config, logger, rateLimiter } = deps;
  const wss = new WebSocketServer({ server: deps.httpServer, path: '/graphql' });
  let connected = 0;
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: deps.schema,
      isProd: config.env === 'production',
      // graphql-js validation errors carry no code (Apollo adds one over HTTP): the same here, or
      // formatError would mask a misspelled field as an internal error.
      validate: (schema, document) =>
        validate(schema, document, [...specifiedRules, ...deps.validationRules]).map((e) =>
          coded(e, 'GRAPHQL_VALIDATION_FAILED'),
        ),
      // A document that does not parse is answered as over HTTP; graphql-ws itself would close
      // the socket with 4500 (internal error). Parsed again by graphql-ws when it is fine.
      onSubscribe: (_ctx, _id, payload) => {
        try {
          parse(payload.query);
          return undefined;
        } catch (error) {
          if (error instanceof GraphQLError) return [coded(error, 'GRAPHQL_PARSE_FAILED')];
          throw error;
        }
      },
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        const address = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        try {
          const viewer = await authenticate(
            typeof authorization === 'string' ? authorization : undefined,
            orm.em.fork(),
            deps.verifyToken,
          ).catch(async (error: unknown) => {
            await rateLimiter.consume('anonymous', address);
            throw error;
          });
          const caller = callerOf(viewer);
          await rateLimiter.consume(caller.kind, caller.id);
          ctx.extra.viewer = viewer;
          connected++;
          return true;
        } catch (error) {
          const code = error instanceof GraphQLError ? error.extensions.code : undefined;
          if (code === 'TOO_MANY_REQUESTS') {
            ctx.extra.socket.close(TOO_MANY_REQUESTS, 'Too many requests');
          } else if (code !== 'UNAUTHENTICATED') {
            logger.error(
              { errorClass: error instanceof Error ? error.constructor.name : typeof error },
              'subscription connection failed on an internal error',
            );
          }
          return false;
        }
      },
      // Errors leave through the one formatError, as over HTTP: coded, no internals.
      // 42 CFR §2.32: a message that carries a Part 2 record carries the notice, as over HTTP.
      // Events of one subscription are executed one after another, so the flag is this one's.
      onNext: (_ctx, _id, _payload, args, result) => {
        const context = args.contextValue as Context;
        const part2 = context.part2RecordReturned;
        context.part2RecordReturned = false;
        if (!result.errors && !part2) return undefined;
        const formatted = result.errors
          ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) }
          : result;
        return withPart2Notice(formatted, part2);
      },
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((e) => {
          // Errors before execution are about the document ("Unable to identify operation").
          const error = coded(e, 'GRAPHQL_VALIDATION_FAILED');
          return formatError(error.toJSON(), error);
        }),
      onDisconnect: () => {
        connected--;
      },
      context: (ctx): Context => ({
        em: orm.em.fork(),
        viewer: ctx.extra.viewer!,
        requestId: randomUUID(),
        config,
        logger,
      }),
    },
    wss,
  );
  return {
    connected: () => connected,
    close: async () => {
      await disposable.dispose();
    },
  };
}

/** The error with `code` when it has none of its own. */
function coded(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions?.code !== undefined) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}
