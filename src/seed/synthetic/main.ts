import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { MultiBar, Presets } from 'cli-progress';
import { Client } from 'pg';
import { loadConfig } from '../../config';
import { migrateToLatest, openDatabase } from '../../database';
import { withDevSecrets } from '../../dev-secrets';
import { createLogger } from '../../logger';
import { BulkLoad } from './bulk-load';
import { encryptedColumnsOf, IdentityEncryptor } from './identity-encryption';
import { EVENT_TABLE } from './events';
import { dailyCounts, Generator } from './generate';
import { Random } from './random';
import { INSERT_ORDER } from './tables';
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
  let load: BulkLoad | undefined;
  let encryptor: IdentityEncryptor | undefined;
  try {
    await migrateToLatest(database.orm);
    const random = new Random(options.seed);
    // The world (agencies, users, agreements: a few hundred rows) is committed first, on its own.
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
    });
    const keys = await client.query<{ k: string }>(
      'select left(person_key, 16) as k from person where person_key is not null',
    );
    generator.reserveKeys(keys.rows.map((r) => r.k));

    const days = options.years * 365;
    // Day windows end at `now`, so no incident lies in the future.
    const firstDay = now - days * DAY;
    const counts = dailyCounts(options.incidents, firstDay, days);
    const bars = new MultiBar(
      {
        format: '{label} [{bar}] {percentage}% | {value}/{total} {unit} | {detail}',
        etaBuffer: 50,
        hideCursor: true,
        // Without a terminal (CI, a log file) one line now and then instead of redraws.
        noTTYOutput: !process.stdout.isTTY,
        notTTYSchedule: 10_000,
      },
      Presets.shades_classic,
    );
    const loadBar = bars.create(options.incidents, 0, {
      label: 'load  ',
      unit: 'incidents',
      detail: 'starting',
    });

    encryptor = new IdentityEncryptor(
      config.identityKeys,
      encryptedColumnsOf(database.orm.getMetadata()),
    );
    load = await BulkLoad.begin(client, encryptor);
    let pending: Promise<void> = Promise.resolve();
    let inBatch = 0;
    let done = 0;
    const flush = async () => {
      const { batch, updates } = generator.take();
      const size = inBatch;
      inBatch = 0;
      // One batch in flight: PostgreSQL copies it in while the next one is generated.
      await pending;
      pending = load!.write(batch, updates).then(() => {
        done += size;
        const rate = Math.round(done / ((Date.now() - started) / 1000));
        loadBar.update(done, { detail: `${rate.toLocaleString('en-US')}/s` });
      });
      // A failed write is reported where it is awaited (the next flush), not as unhandled.
      pending.catch(() => {});
    };
    for (let d = 0; d < days; d++) {
      generator.day(firstDay + d * DAY, counts[d]);
      inBatch += counts[d];
      if (inBatch >= options.batch) await flush();
      else if (d % 4 === 0) await yieldToLoop();
    }
    await flush();
    await pending;
    loadBar.update(options.incidents, { detail: 'written' });

    const loadedAt = Date.now();
    const cpu = process.cpuUsage(cpuAtStart);
    const backendCpu = backendCpuSeconds(backendPid) - backendCpuAtStart;
    const finishBar = bars.create(load.finishSteps, 0, {
      label: 'finish',
      unit: 'steps',
      detail: 'analyze',
    });
    await load.finish(({ step, done: stepsDone }) => finishBar.update(stepsDone, { detail: step }));
    bars.stop();
    const seconds = (Date.now() - started) / 1000;
    const totals = load.totals;
    const rows = Object.values(totals.rows).reduce((a, b) => a + b, 0);
    const cpuAll = process.cpuUsage(cpuAtStart);
    const backendCpuAll = backendCpuSeconds(backendPid) - backendCpuAtStart;
    const cpuText = (node: NodeJS.CpuUsage, backend: number) =>
      `seeder ${((node.user + node.system) / 1e6).toFixed(1)} s, PostgreSQL backend ` +
      (Number.isNaN(backend) ? '? (not on this host)' : `${backend.toFixed(1)} s`);
    say(
      `\n${options.incidents.toLocaleString('en-US')} incidents, ${rows.toLocaleString('en-US')} rows in ` +
        `${seconds.toFixed(1)} s (load ${((loadedAt - started) / 1000).toFixed(1)} s, indexes, keys, ` +
        `rollup and vacuum ${((Date.now() - loadedAt) / 1000).toFixed(1)} s): ` +
        `${Math.round(options.incidents / seconds).toLocaleString('en-US')} incidents/s`,
    );
    // CPU time, not wall time: on a machine shared with other work the wall clock says little.
    say(
      `CPU during the load: ${cpuText(cpu, backendCpu)}; in all: ${cpuText(cpuAll, backendCpuAll)}`,
    );
    for (const table of [...INSERT_ORDER, EVENT_TABLE]) {
      say(
        `  ${table.padEnd(24)} ${(totals.rows[table] ?? 0).toLocaleString('en-US').padStart(12)} rows ` +
          `${((totals.writeMs[table] ?? 0) / 1000).toFixed(1).padStart(7)} s`,
      );
    }
    for (const [step, ms] of Object.entries(totals.finishMs)) {
      say(`  ${step.padEnd(24)} ${(ms / 1000).toFixed(1).padStart(20)} s`);
    }
    for (const warning of totals.warnings) say(`WARNING: ${warning}`);
    const slow = Object.entries(totals.slowSteps).sort(([, a], [, b]) => b - a);
    if (slow.length > 0) say('  of which, single steps of 2 s or more:');
    for (const [what, ms] of slow)
      say(`    ${what.padEnd(56)} ${(ms / 1000).toFixed(1).padStart(7)} s`);
  } catch (error) {
    await load?.abort().catch(() => {});
    throw error;
  } finally {
    await encryptor?.close();
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
