import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own, which it may stop and start at will (the shared
 * server on 5432 serves other suites and must never be restarted by a test).
 */
export interface PrivatePostgres {
  url: string;
  port: number;
  /** Fast shutdown: open connections are ended, as on a real restart or failover. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster and removes its directory. */
  destroy(): Promise<void>;
}

export interface Plan {
  bin: string;
  /** Prefix that runs a command as the cluster owner (PostgreSQL refuses to run as root). */
  asOwner: string[];
  owner?: { uid: number; gid: number };
}

/**
 * Where the binaries are and how to run them here, or why a private cluster cannot be had
 * (the reason is shown by the test that skips). Synchronous: a describe block decides with it.
 */
export function privatePostgresPlan(): Plan | { missing: string } {
  const bin = findBin();
  if (!bin) {
    return {
      missing: 'no PostgreSQL server binaries (initdb, pg_ctl); set PG_BIN to their folder',
    };
  }
  if (process.getuid?.() !== 0) return { bin, asOwner: [] };
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
    execFileSync('runuser', ['-u', 'postgres', '--', 'true']);
    return {
      bin,
      asOwner: ['runuser', '-u', 'postgres', '--'],
      owner: { uid: id('-u'), gid: id('-g') },
    };
  } catch {
    return {
      missing: 'running as root without a "postgres" user and runuser to run PostgreSQL as',
    };
  }
}

function findBin(): string | undefined {
  const candidates = [process.env.PG_BIN];
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(root, v, 'bin')));
  }
  return candidates.find(
    (dir): dir is string =>
      !!dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')),
  );
}

/** initdb into a fresh temporary folder and start the cluster on a free local port. */
export async function startPrivatePostgres(plan: Plan): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-pg-'));
  if (plan.owner) chownSync(dir, plan.owner.uid, plan.owner.gid);
  const data = join(dir, 'data');
  const exec = (tool: string, args: string[]) => {
    const [command, ...prefix] = [...plan.asOwner, join(plan.bin, tool)];
    return run(command, [...prefix, ...args], { timeout: 60_000 });
  };
  await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  // The socket goes into the cluster's own folder: nothing is shared with any other server.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const log = join(dir, 'server.log');
  const start = async () => {
    await exec('pg_ctl', ['-D', data, '-o', options, '-l', log, '-w', '-t', '30', 'start']);
  };
  const stop = async () => {
    await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  };
  await start();
  let destroyed = false;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
