import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { GraphQLError } from 'graphql';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { ReadyConfig } from './config';
import type { Context } from './context';
import { authenticate } from './auth/authenticate';
import { createTokenVerifier } from './auth/tokens';
import { migrateToLatest, openDatabase, type Database } from './database';
import { formatError, INTERNAL_MESSAGE } from './errors/format-error';
import { noNulCharactersPlugin, noNulCharactersRule } from './errors/nul-characters';
import { noSubscriptionsOverHttpPlugin } from './errors/http-subscription.plugin';
import type { Logger } from './logger';
import { queryLimitOptions } from './limits/query-limits';
import { callerOf, createRateLimiter, type RateLimiter } from './limits/rate-limit';
import { requestLogPlugin } from './request-log.plugin';
import { noStorePlugin } from './no-store.plugin';
import { auditPlugin } from './modules/audit/audit.plugin';
import { part2NoticePlugin } from './modules/part2/part2-notice.plugin';
import { auditRefusedCredential } from './modules/audit/audit-refused';
import { RESEARCH_ENDPOINT } from './modules/stats/stats-access';
import { buildHubSchema } from './schema';
import {
  RESEARCH_PATH,
  startResearchApollo,
  type ApolloFactory,
} from './research/research-endpoint';
import { mountDashboard } from './dashboard/dashboard.route';
import { mountAuth } from './modules/account/auth.route';
import { mountFieldApp } from './field-app/field-app.route';
import { mountStatsExport } from './modules/stats/stats-export.route';
import { attachDomainEvents } from './events/domain-events';
import { createEventBus, type EventBus } from './events/event-bus';
import { startBackgroundWork } from './live/live-jobs';
import { attachLiveServer, type LiveServer } from './live/ws-server';
import { createMetrics } from './metrics/metrics';
import { mountIngest } from './modules/import/ingest.route';

export interface HubServer {
  url: string;
  /** The research endpoint (src/research): aggregates and extracts, researchers only. */
  researchUrl: string;
  orm: MikroORM;
  server: Server;
  /** The Apollo server behind /graphql, for in-process runs (executeOperation) in tests. */
  apollo: ApolloServer<Context>;
  /** Listeners on events raised by this instance (after their transaction commits). */
  events: Pick<EventBus, 'onRaised'>;
  stop(): Promise<void>;
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Builds and starts the whole hub: database (migrated), schema behind the permission layer,
 * Apollo on Express, health endpoints. `stop()` drains requests, then closes the database.
 */
export async function createServer(
  config: ReadyConfig,
  logger: Logger,
  options: {
    /** An already opened database (tests open theirs from a migrated copy); closed by stop(). */
    database?: Database;
    /** The clock of the background jobs (tests); the system clock by default. */
    clock?: () => Date;
  } = {},
): Promise<HubServer> {
  const database = options.database ?? (await openDatabase(config, logger));
  try {
    await migrateToLatest(database.orm);
    return await startHttp(config, logger, database.orm, database.close, options.clock);
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function startHttp(
  config: ReadyConfig,
  logger: Logger,
  orm: MikroORM,
  closeDatabase: () => Promise<void>,
  clock?: () => Date,
): Promise<HubServer> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxyHops);
  const httpServer = createHttpServer(app);
  const production = config.env === 'production';
  const limits = queryLimitOptions<Context>(config.queryLimits);
  const rateLimiter = await createRateLimiter(config.rateLimit, logger);
  const bus = await createEventBus(
    { redisUrl: config.rateLimit.redisUrl, channel: config.events.channel },
    logger,
  ).catch(async (error: unknown) => {
    await rateLimiter.close();
    throw error;
  });
  const detachEvents = attachDomainEvents(orm, bus.publish);
  // The WebSocket server needs the listening HTTP server; metrics read it once it exists.
  const liveRef: { server?: LiveServer } = {};
  const metrics = createMetrics(orm, config, bus, () => liveRef.server?.connected() ?? 0);
  const schema = await buildHubSchema({
    pubSub: bus.pubSub,
    permissions: !config.benchDisablePermissions,
  });

  const apolloFor: ApolloFactory = (endpointSchema, extraPlugins) =>
    new ApolloServer<Context>({
      schema: endpointSchema,
      formatError,
      introspection: !production,
      hideSchemaDetailsFromClientErrors: true,
      includeStacktraceInErrorResponses: false,
      allowBatchedHttpRequests: false,
      // index.ts drains and closes the database on SIGTERM/SIGINT; Apollo's own handler would
      // re-raise the signal and kill the process before the embedded database is closed.
      stopOnTerminationSignals: false,
      csrfPrevention: true,
      parseOptions: limits.parseOptions,
      maxRecursiveSelections: limits.maxRecursiveSelections,
      validationRules: [noNulCharactersRule, ...limits.validationRules],
      plugins: [
        ...extraPlugins,
        ...limits.plugins,
        noNulCharactersPlugin(),
        noSubscriptionsOverHttpPlugin(),
        ApolloServerPluginCacheControlDisabled(),
        noStorePlugin(),
        requestLogPlugin(logger),
        auditPlugin(logger),
        part2NoticePlugin(),
        metrics.apolloPlugin(),
        production
          ? ApolloServerPluginLandingPageDisabled()
          : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      ],
    });
  // Draining the HTTP server once (with /graphql) also lets research requests finish.
  const apollo = apolloFor(schema, [ApolloServerPluginDrainHttpServer({ httpServer })]);
  let research: ApolloServer<Context> | undefined;
  try {
    await apollo.start();
    research = await startResearchApollo(apolloFor, logger);
  } catch (error) {
    if (research === undefined) await apollo.stop().catch(() => undefined);
    detachEvents();
    await bus.close();
    await rateLimiter.close();
    throw error;
  }

  const verifyToken = createTokenVerifier(config.auth);

  app.use((req, res, next) => {
    const given = req.header('x-request-id');
    const requestId = given && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });

  // The credential check of every endpoint: refused credentials throttled and audited, then the
  // caller's rate limit (the GraphQL context and the ingest endpoints share it).
  const authenticateRequest = async (req: Request, res: Response, em: EntityManager) => {
    const requestId = res.locals.requestId as string;
    const viewer = await authenticate(req.header('authorization'), em, verifyToken).catch(
      async (error: unknown) => {
        await countRefusedCredential(error, req, rateLimiter);
        await auditRefusedCredential(em, error, requestId, logger);
        throw authenticationFailure(error, requestId, logger);
      },
    );
    const caller = callerOf(viewer);
    await rateLimiter.consume(caller.kind, caller.id);
    return viewer;
  };
  const context = async ({ req, res }: { req: Request; res: Response }): Promise<Context> => {
    const em = orm.em.fork();
    const viewer = await authenticateRequest(req, res, em);
    return { em, viewer, requestId: res.locals.requestId as string, config, logger };
  };
  app.get('/metrics', metrics.handler);

  // CSV downloads of statistics: before the GraphQL middlewares, which own these prefixes.
  mountStatsExport(
    app,
    [
      { path: '/graphql', apollo, context },
      {
        path: RESEARCH_PATH,
        apollo: research,
        context: async (args) => ({ ...(await context(args)), endpoint: RESEARCH_ENDPOINT }),
      },
    ],
    config.bodyLimit,
  );

  app.use(
    '/graphql',
    express.json({ limit: config.bodyLimit }),
    expressMiddleware(apollo, { context }),
  );
  app.use(
    RESEARCH_PATH,
    express.json({ limit: config.bodyLimit }),
    expressMiddleware(research, {
      context: async (args) => ({ ...(await context(args)), endpoint: RESEARCH_ENDPOINT }),
    }),
  );

  mountDashboard(app);
  mountIngest(app, { orm, config, logger, authenticateRequest });
  mountAuth(app, { orm, config, logger, verifyToken, rateLimiter });
  mountFieldApp(app);

  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
  });
  app.use(bodyErrorHandler(logger));

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    // Nothing of this hub may outlive a failed start (createServer closes the database).
    await apollo.stop().catch(() => undefined);
    await research.stop().catch(() => undefined);
    detachEvents();
    await bus.close();
    await rateLimiter.close();
    throw error;
  }
  liveRef.server = attachLiveServer({
    httpServer,
    schema,
    validationRules: [noNulCharactersRule, ...limits.validationRules],
    orm,
    verifyToken,
    rateLimiter,
    config,
    logger,
  });
  const jobs = await startBackgroundWork(orm, bus, config, logger, clock);
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/graphql`,
    researchUrl: `http://${host}:${port}${RESEARCH_PATH}`,
    orm,
    server: httpServer,
    apollo,
    events: { onRaised: bus.onRaised },
    stop: () =>
      (stopping ??= (async () => {
        await jobs.stop();
        // Upgraded sockets would keep the HTTP server from closing: they go first.
        await liveRef.server?.close();
        await apollo.stop();
        await research.stop();
        detachEvents();
        await bus.close();
        await rateLimiter.close();
        await closeDatabase();
      })()),
  };
}

/**
 * Requests without a valid credential share one budget per client address, so guessing tokens
 * or keys is throttled like any flood; over it the answer is 429 instead of UNAUTHENTICATED.
 */
async function countRefusedCredential(
  error: unknown,
  req: Request,
  rateLimiter: RateLimiter,
): Promise<void> {
  if (!(error instanceof GraphQLError) || error.extensions.code !== 'UNAUTHENTICATED') return;
  await rateLimiter.consume('anonymous', req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

/**
 * A refused credential stays UNAUTHENTICATED. Anything else (the database is down, the identity
 * provider cannot be reached) fails before Apollo's request plugins run, so it is logged here
 * and answered with the request id the client can quote; formatError keeps only that.
 */
function authenticationFailure(error: unknown, requestId: string, logger: Logger): GraphQLError {
  if (error instanceof GraphQLError) return error;
  logger.error(
    {
      requestId,
      errorClass: error instanceof Error ? error.constructor.name : typeof error,
      dbCode: (error as { code?: unknown } | undefined)?.code,
    },
    'authentication failed on an internal error',
  );
  return new GraphQLError(INTERNAL_MESSAGE, {
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
  });
}

/** Malformed or oversized bodies get a GraphQL-shaped 4xx, never Express's HTML stack page. */
function bodyErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const requestId = res.locals.requestId as string | undefined;
    const status = typeof error?.status === 'number' && error.status < 500 ? error.status : 500;
    const message =
      error?.type === 'entity.too.large'
        ? 'Request body is too large'
        : error?.type === 'entity.parse.failed'
          ? 'Request body is not valid JSON'
          : status < 500
            ? 'Bad request'
            : 'Internal error. Quote the request id when reporting it.';
    if (status >= 500)
      logger.error({ requestId, errorClass: error?.constructor?.name }, 'http error');
    res.status(status).json({
      errors: [
        {
          message,
          extensions: { code: status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR', requestId },
        },
      ],
    });
  };
}
