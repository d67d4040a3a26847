import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { getNamedType, isObjectType, type GraphQLSchema } from 'graphql';
import type { Viewer } from '../src/auth/viewer';
import type { Context } from '../src/context';
import { createLogger } from '../src/logger';
import { PERMISSIONS } from '../src/permissions';
import { buildBareSchema } from '../src/schema';
import { startTestHub, type TestHub } from './support/hub';
import { buildWorld, type World } from './support/hostile-world';
import { argumentsArbitrary, operationFor } from './support/input-arbitraries';

/**
 * Property-based fuzz of every mutation's input. Arbitraries come from the schema's input types
 * (test/support/input-arbitraries.ts), so a new mutation is fuzzed without a line here. Each
 * mutation is called by a role the permission layer lets through, with the seeded program's real
 * ids mixed with junk, so the inputs reach validation, row scope and the writes behind them.
 *
 * Properties, for every case: never INTERNAL_SERVER_ERROR (or an exception), and a rejected call
 * leaves every table's row count as it was (no partial write). Counting every table after each
 * of tens of thousands of calls would take minutes, so the counts are taken whenever a call sent
 * an INSERT, UPDATE or DELETE (seen at the connection every request shares), and every 100 calls
 * regardless, to catch a write the hook could miss.
 *
 * In process: `executeOperation` on the hub's own Apollo server (same schema, permission layer,
 * limits, plugins and formatError as /graphql; only HTTP, authentication and the rate limit are
 * left out). Over HTTP the same run took several times as long on the shared CI machine.
 */

// `npm test` runs 25 cases per mutation so the suite stays quick (every mutation is still
// fuzzed); the slow tier (`npm run test:slow`, in CI) and `npm run test:fuzz` run the full 1,000.
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 4);

describe('fuzz: every mutation with schema-derived hostile inputs', () => {
  let hub: TestHub;
  let world: World;
  let schema: GraphQLSchema;
  let writes = 0; // INSERT/UPDATE/DELETE statements the hub has sent
  let countSql = '';
  let rawExecute: (sql: string) => Promise<Array<Record<string, unknown>>>;
  const stats: Array<{
    mutation: string;
    role: string;
    cases: number;
    accepted: number;
    ms: number;
  }> = [];

  beforeAll(async () => {
    hub = await startTestHub();
    world = await buildWorld(hub);
    schema = await buildBareSchema();
    const connection = hub.server.orm.em.getConnection();
    const original = connection.execute.bind(connection);
    rawExecute = (sql) => original(sql) as Promise<Array<Record<string, unknown>>>;
    connection.execute = ((...args: Parameters<typeof original>) => {
      const [query] = args;
      const text =
        typeof query === 'string' ? query : String((query as { toString(): string }).toString());
      // Every call, refused or not, is audited: that row is meant to be written.
      const audit = /^\s*insert\s+into\s+"?audit_event"?/i.test(text);
      if (!audit && /^\s*(insert|update|delete|truncate)\b/i.test(text)) writes++;
      return original(...args);
    }) as typeof connection.execute;
    // The job queue and what only background jobs write (spike alerts and their deliveries)
    // change on their own while a call runs: not a partial write of the call.
    const tables = await rawExecute(
      `select tablename from pg_tables where schemaname = current_schema() and tablename not like 'mikro_orm%'
          and tablename not in ('audit_event', 'hub_job', 'spike_alert', 'alert_delivery') order by 1`,
    );
    countSql = `select ${tables
      .map(
        (t) => `(select count(*) from "${String(t.tablename)}")::int as "${String(t.tablename)}"`,
      )
      .join(', ')}`;
  }, 180_000);

  afterAll(async () => {
    await hub?.stop();
    const total = stats.reduce((n, s) => n + s.cases, 0);
    const ms = stats.reduce((n, s) => n + s.ms, 0);
    process.stdout.write(
      `fuzz: ${total} cases over ${stats.length} mutations in ${(ms / 1000).toFixed(1)} s (in process, executeOperation)\n` +
        stats
          .map(
            (s) =>
              `  ${s.mutation.padEnd(28)} ${s.role.padEnd(18)} ${s.cases} cases, ${s.accepted} accepted, ${s.ms} ms`,
          )
          .join('\n') +
        '\n',
    );
  });

  const counts = async () => JSON.stringify((await rawExecute(countSql))[0]);

  const viewerOf = (role: string): Viewer => {
    const actor = world.actors[role as keyof World['actors']][0];
    return {
      kind: 'USER',
      userId: actor.user.id,
      agencyId: actor.agency.id,
      agencyKind: actor.agency.kind,
      role: actor.user.role,
    };
  };

  it('covers every mutation of the schema', async () => {
    const mutations = Object.keys((await buildBareSchema()).getMutationType()!.getFields());
    expect(mutations.length).toBeGreaterThan(40);
  });

  // One test per mutation, generated from the schema when the file loads.
  const mutationNames = Object.keys(PERMISSIONS.Mutation ?? {}).sort();

  it.each(mutationNames)(
    '%s: no internal error, no partial write',
    async (name) => {
      const field = schema.getMutationType()!.getFields()[name];
      expect(field).toBeDefined();
      const role = PERMISSIONS.Mutation[name].roles[0];
      const viewer = viewerOf(role);
      const selection = isObjectType(getNamedType(field.type)) ? '{ __typename }' : '';
      const query = operationFor('mutation', name, field.args, selection);
      const ids = Object.values(world.idsByType).flat().concat(world.county);
      const logger = createLogger('silent');
      let baseline = await counts();
      let accepted = 0;
      let cases = 0;
      const started = Date.now();

      const run = async (variables: Record<string, unknown>) => {
        const contextValue: Context = {
          em: hub.server.orm.em.fork() as Context['em'],
          viewer,
          requestId: randomUUID(),
          config: hub.config,
          logger,
        };
        const response = await hub.server.apollo.executeOperation(
          { query, variables },
          { contextValue },
        );
        if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
        const errors = response.body.singleResult.errors ?? [];
        if (errors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR'))
          throw new Error(`INTERNAL_SERVER_ERROR for ${JSON.stringify(variables)}`);
        return { rejected: errors.length > 0, message: errors[0]?.message };
      };
      const expectUnchanged = async (variables: unknown, message?: string) => {
        const now = await counts();
        if (now !== baseline)
          throw new Error(
            `partial write: ${baseline} → ${now} for ${JSON.stringify(variables)} (${message})`,
          );
      };

      // Cases run CONCURRENCY at a time (the database, not Node, is the bottleneck). A batch that
      // wrote and accepted nothing must leave every count as it was; when a batch both accepted
      // and rejected, its rejected cases are replayed one by one with the same check.
      const samples = fc.sample(argumentsArbitrary(field.args, { ids }), {
        numRuns: RUNS,
        seed: SEED,
      });
      for (let i = 0; i < samples.length; i += CONCURRENCY) {
        const batch = samples.slice(i, i + CONCURRENCY);
        const before = writes;
        const results = await Promise.all(batch.map(run));
        cases += batch.length;
        const acceptedHere = results.filter((r) => !r.rejected).length;
        accepted += acceptedHere;
        if (writes === before && (i / CONCURRENCY) % 25 !== 0) continue;
        if (acceptedHere === 0) {
          await expectUnchanged(batch, results[0].message);
          continue;
        }
        baseline = await counts();
        for (const [j, variables] of batch.entries()) {
          if (!results[j].rejected) continue;
          const replay = await run(variables);
          if (replay.rejected) await expectUnchanged(variables, replay.message);
          else accepted++;
          baseline = await counts();
        }
      }
      stats.push({ mutation: name, role, cases, accepted, ms: Date.now() - started });
      expect(cases).toBeGreaterThanOrEqual(RUNS);
    },
    600_000,
  );
});
