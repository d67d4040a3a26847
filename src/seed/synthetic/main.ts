import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { Client } from 'pg';
import { loadConfig } from '../../config';
import { migrateToLatest, openDatabase } from '../../database';
import { withDevSecrets } from '../../dev-secrets';
import { createLogger } from '../../logger';
import { afterBulkInsert } from './after-bulk-insert';
import { dailyCounts, Generator } from './generate';
import { Random } from './random';
import { INSERT_ORDER } from './tables';
import { writeBatch } from './write-batch';
import { ensureWorld } from './world';

const DAY = 86_400_000;
const say = (line: string): void => void process.stdout.write(`${line}\n`);

const positive = (value: string): number => {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

const program = new Command()
  .name('npm run seed:synthetic --')
  .description(
    'Bulk-load realistic synthetic overdose data into PostgreSQL (DATABASE_URL): incidents, ' +
      'naloxone, people (encrypted, matched by person key), cases with their whole timeline, ' +
      'referrals, outreach attempts, consents, outcomes and LEAD referrals.',
  )
  .requiredOption('--incidents <n>', 'how many incidents', positive)
  .option('--years <n>', 'spread over this many years up to now', positive, 3)
  .option('--batch <n>', 'incidents per transaction', positive, 10_000)
  .option('--seed <n>', 'random seed (same seed, same data)', positive, 20261128)
  .showHelpAfterError();

interface Options {
  incidents: number;
  years: number;
  batch: number;
  seed: number;
}

async function main(options: Options): Promise<void> {
  if (!process.env.DATABASE_URL) {
    throw new Error('DATABASE_URL must point at PostgreSQL (the bulk load does not run on PGlite)');
  }
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const config = withDevSecrets(loadConfig(process.env), logger);
  const database = await openDatabase(config);
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const started = Date.now();
  const cpuAtStart = process.cpuUsage();
  const backendPid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]
    .pid;
  const backendCpuAtStart = backendCpuSeconds(backendPid);
  try {
    await migrateToLatest(database.orm);
    // A lost seed is re-run, not recovered: skip waiting for the WAL flush at each commit.
    await client.query('set synchronous_commit = off');
    // The stats branch's triggers keep a rollup in step with every write; a bulk load turns them
    // off for its own session and rebuilds the rollup once at the end (afterBulkInsert).
    await client.query(`set hub.stats_rollup = 'off'`);
    const random = new Random(options.seed);
    const world = await ensureWorld(client, random);
    const now = Date.now();
    const generator = new Generator(world, random, {
      now,
      runTag: randomBytes(3).toString('hex'),
      followUpOpensHours: config.followUp.opensAfterHours,
      followUpDueHours: config.followUp.dueAfterHours,
      maxAttempts: config.outreach.maxAttempts,
      leadIntakeDays: config.lead.intakeDays,
      personKeySecret: config.personKeySecret,
      ring: config.identityKeys,
    });
    const keys = await client.query<{ k: string }>(
      'select left(person_key, 16) as k from person where person_key is not null',
    );
    generator.reserveKeys(keys.rows.map((r) => r.k));

    const days = options.years * 365;
    // Day windows end at `now`, so no incident lies in the future.
    const firstDay = now - days * DAY;
    const counts = dailyCounts(options.incidents, firstDay, days);
    const totals: Record<string, number> = {};
    const timings: Record<string, number> = {};
    const bar = new SingleBar(
      {
        format:
          'seed:synthetic [{bar}] {percentage}% | {value}/{total} incidents | {rate}/s | ETA {eta_formatted}',
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
    bar.start(options.incidents, 0, { rate: 0 });

    let pending: Promise<void> = Promise.resolve();
    let inBatch = 0;
    let done = 0;
    const flush = async () => {
      const { batch, updates } = generator.take();
      const size = inBatch;
      inBatch = 0;
      // One batch in flight: PostgreSQL writes it while the next one is generated.
      await pending;
      pending = writeBatch(client, batch, updates, totals, timings).then(() => {
        done += size;
        bar.update(done, { rate: Math.round(done / ((Date.now() - started) / 1000)) });
      });
    };
    for (let d = 0; d < days; d++) {
      generator.day(firstDay + d * DAY, counts[d]);
      inBatch += counts[d];
      if (inBatch >= options.batch) await flush();
      else if (d % 4 === 0) await yieldToLoop();
    }
    await flush();
    await pending;
    bar.stop();

    const loadedAt = Date.now();
    const cpu = process.cpuUsage(cpuAtStart);
    const backendCpu = backendCpuSeconds(backendPid) - backendCpuAtStart;
    await afterBulkInsert(client, database.orm.em.fork());
    const seconds = (Date.now() - started) / 1000;
    const rows = Object.values(totals).reduce((a, b) => a + b, 0);
    say(
      `\n${options.incidents.toLocaleString('en-US')} incidents, ${rows.toLocaleString('en-US')} rows in ` +
        `${seconds.toFixed(1)} s (load ${((loadedAt - started) / 1000).toFixed(1)} s, analyze ` +
        `${((Date.now() - loadedAt) / 1000).toFixed(1)} s): ` +
        `${Math.round(options.incidents / seconds).toLocaleString('en-US')} incidents/s`,
    );
    // CPU time, not wall time: on a machine shared with other work the wall clock says little.
    say(
      `CPU during the load: seeder ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, PostgreSQL ` +
        `backend ${Number.isNaN(backendCpu) ? '? (not on this host)' : `${backendCpu.toFixed(1)} s`}`,
    );
    for (const table of INSERT_ORDER) {
      say(
        `  ${table.padEnd(24)} ${(totals[table] ?? 0).toLocaleString('en-US').padStart(12)} rows ` +
          `${((timings[table] ?? 0) / 1000).toFixed(1).padStart(7)} s`,
      );
    }
  } finally {
    await client.end();
    await database.close();
  }
}

/** CPU seconds of a local PostgreSQL backend process (Linux /proc), NaN when not readable. */
function backendCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

program.action(async (options: Options) => {
  try {
    await main(options);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
});
void program.parseAsync();
