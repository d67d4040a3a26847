import { timingSafeEqual, createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RequestHandler } from 'express';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReadyConfig } from '../config';
import type { Context } from '../context';
import { pgArray } from '../common/sql';
import { PUBLIC_ERROR_CODES } from '../errors/hub-errors';
import type { EventBus } from '../events/event-bus';
import { AWAITING_FIRST_ATTEMPT } from '../modules/case/case-codes';

/** Root fields named in the operation label before it becomes "multiple" (bounded labels). */
const MAX_ROOT_FIELDS = 3;

export interface HubMetrics {
  registry: Registry;
  apolloPlugin(): ApolloServerPlugin<Context>;
  /**
   * GET /metrics: the bearer token when METRICS_TOKEN is set (then per-agency series too);
   * without one, 404 in production and hub-wide series only elsewhere.
   */
  handler: RequestHandler;
}

/**
 * Prometheus metrics of one hub instance, in a registry of its own (never the global one: two
 * hubs in one process, as in the tests, must not share counters).
 */
export function createMetrics(
  orm: MikroORM,
  config: ReadyConfig,
  bus: EventBus,
  liveConnections: () => number,
): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const labelNames = ['operation', 'outcome'] as const;
  const requests = new Counter({
    name: 'hub_graphql_requests_total',
    help: 'GraphQL requests by operation (type and root fields) and outcome (ok or error code)',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'hub_graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation and outcome',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Series that tell one agency's activity apart live in a registry of their own, served only to
  // a scraper holding METRICS_TOKEN: anyone reaching an open /metrics could otherwise watch an
  // agency's reports arrive one by one.
  const agencyRegistry = new Registry();
  const reports = new Counter({
    name: 'hub_reports_received_total',
    help: 'Overdose reports stored, by reporting agency id (this instance; with METRICS_TOKEN only)',
    labelNames: ['agency_id'],
    registers: [agencyRegistry],
  });
  const allReports = new Counter({
    name: 'hub_reports_stored_total',
    help: 'Overdose reports stored by every agency together (this instance)',
    registers: [registry],
  });
  bus.onRaised((event) => {
    if (event.name !== 'incidentReported') return;
    reports.inc({ agency_id: event.payload.agencyId });
    allReports.inc();
  });

  new Gauge({
    name: 'hub_subscriptions_connected',
    help: 'WebSocket connections that passed connection_init',
    registers: [registry],
    collect() {
      this.set(liveConnections());
    },
  });
  new Gauge({
    name: 'hub_subscriptions_active',
    help: 'GraphQL subscriptions (operations) listening on this instance',
    registers: [registry],
    collect() {
      this.set(bus.pubSub.size);
    },
  });
  new Gauge({
    name: 'hub_cases_overdue',
    help: 'Routed cases past their follow-up due time without an attempt (whole hub)',
    registers: [registry],
    async collect() {
      const [row] = await orm.em.getConnection().execute<Array<{ n: number }>>(
        `select count(*)::int as n from overdose_case
            where status = any(?::case_status[]) and follow_up_due_at < now()`,
        [pgArray(AWAITING_FIRST_ATTEMPT)],
      );
      this.set(row.n);
    },
  });
  if (config.database.kind === 'postgres') {
    new Gauge({
      name: 'hub_db_pool_connections',
      help: 'Database pool connections by state (used, free, pending acquires)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const pool = tarnPool(orm);
        if (!pool) return;
        this.set({ state: 'used' }, pool.numUsed());
        this.set({ state: 'free' }, pool.numFree());
        this.set({ state: 'pending' }, pool.numPendingAcquires());
      },
    });
  }

  return {
    registry,
    apolloPlugin: () => ({
      async requestDidStart() {
        const started = process.hrtime.bigint();
        let operation = 'unparsed';
        return {
          async didResolveOperation({ operation: op }) {
            operation = operationLabel(op);
          },
          async willSendResponse({ errors }) {
            const outcome = errors?.length ? outcomeOf(errors[0].extensions?.code) : 'ok';
            const labels = { operation, outcome };
            requests.inc(labels);
            latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
          },
        };
      },
    }),
    handler: async (req, res) => {
      if (!config.metricsToken && config.env === 'production') {
        res
          .status(404)
          .json({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
        return;
      }
      if (config.metricsToken && !bearerMatches(req.header('authorization'), config.metricsToken)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        res.status(401).type('text/plain').send('Unauthorized\n');
        return;
      }
      try {
        const served = config.metricsToken ? Registry.merge([registry, agencyRegistry]) : registry;
        const body = await served.metrics();
        res.type(registry.contentType).send(body);
      } catch {
        res.status(503).type('text/plain').send('Metrics unavailable\n');
      }
    },
  };
}

/** "query cases", "mutation acceptCase", "query case,me": schema names only, never the client's. */
export function operationLabel(op: OperationDefinitionNode | undefined | null): string {
  if (!op) return 'unparsed';
  const names = new Set<string>();
  for (const selection of op.selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') names.add(selection.name.value);
    } else names.add('(fragment)');
  }
  const sorted = [...names].sort();
  const fields = sorted.length > MAX_ROOT_FIELDS ? 'multiple' : sorted.join(',');
  return `${op.operation} ${fields || '__typename'}`;
}

function outcomeOf(code: unknown): string {
  const text = String(code ?? 'INTERNAL_SERVER_ERROR');
  return PUBLIC_ERROR_CODES.has(text) || text === 'TOO_MANY_REQUESTS'
    ? text
    : 'INTERNAL_SERVER_ERROR';
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (!given) return false;
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(token));
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

function tarnPool(orm: MikroORM): TarnPool | undefined {
  const knex = orm.em.getConnection().getKnex() as unknown as { client?: { pool?: TarnPool } };
  return knex.client?.pool;
}
