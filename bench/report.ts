import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import type { LoadResult } from './load';

export interface Pair {
  name: string;
  a: LoadResult & { name: string };
  b: LoadResult & { name: string };
  /** a ÷ b. */
  ratio: { throughput: number; p50: number; p99: number };
  /**
   * throughput: a ≥ n × b; p99: a's p99 ≤ n × b's; latency: a's p50 ≤ n × b's; speedup: b's
   * p50 ≥ n × a's; p99Ms: a's p99 ≤ n ms; freshnessMs: a's p99 ≤ n ms (from a write until a
   * read shows it).
   */
  target: {
    throughput?: number;
    p99?: number;
    latency?: number;
    speedup?: number;
    p99Ms?: number;
    freshnessMs?: number;
  };
}

export interface BenchResults {
  date: string;
  settings: { seconds: number; concurrency: number; runs: number };
  volume: Record<string, number>;
  pairs: Pair[];
  statements: Array<{ pageSize: number; statements: number }>;
  notes: string[];
  machine?: Record<string, string | number>;
  versions?: Record<string, string>;
}

const ROOT = join(__dirname, '..', '..');

function version(pkg: string): string {
  try {
    return (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return '?';
  }
}

export function verdicts(p: Pair): string[] {
  const out: string[] = [];
  const t = p.target;
  if (t.throughput !== undefined) {
    out.push(
      `throughput ${p.ratio.throughput.toFixed(2)}× (≥ ${t.throughput}×) ${p.ratio.throughput >= t.throughput ? 'met' : 'MISSED'}`,
    );
  }
  if (t.p99 !== undefined) {
    out.push(
      `p99 ${p.ratio.p99.toFixed(2)}× (≤ ${t.p99}×) ${p.ratio.p99 <= t.p99 ? 'met' : 'MISSED'}`,
    );
  }
  if (t.latency !== undefined) {
    out.push(
      `time ${p.ratio.p50.toFixed(2)}× (≤ ${t.latency}×) ${p.ratio.p50 <= t.latency ? 'met' : 'MISSED'}`,
    );
  }
  if (t.speedup !== undefined) {
    const s = p.b.p50 / p.a.p50;
    out.push(`speed-up ${s.toFixed(0)}× (≥ ${t.speedup}×) ${s >= t.speedup ? 'met' : 'MISSED'}`);
  }
  if (t.p99Ms !== undefined) {
    out.push(
      `p99 ${p.a.p99.toFixed(0)} ms (≤ ${t.p99Ms} ms) ${p.a.p99 <= t.p99Ms ? 'met' : 'MISSED'}`,
    );
  }
  if (t.freshnessMs !== undefined) {
    out.push(
      `counted within ${p.a.p99.toFixed(0)} ms at worst (≤ ${t.freshnessMs} ms) ${p.a.p99 <= t.freshnessMs ? 'met' : 'MISSED'}`,
    );
  }
  return out;
}

const n1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

/** bench/results/<date>.json and docs/performance.md (the table, machine, versions, date). */
export async function writeReport(results: BenchResults, pool: Pool): Promise<string[]> {
  const pg = (await pool.query<{ v: string }>('select version() as v')).rows[0].v;
  const cpu = cpus();
  results.machine = {
    cpu: cpu[0]?.model ?? '?',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    loadAverageAtEnd: loadavg()
      .map((l) => l.toFixed(1))
      .join(' '),
  };
  results.versions = {
    node: process.version,
    postgresql: pg.split(' on ')[0],
    '@apollo/server': version('@apollo/server'),
    graphql: version('graphql'),
    'type-graphql': version('type-graphql'),
    'graphql-shield': version('graphql-shield'),
    '@mikro-orm/core': version('@mikro-orm/core'),
    pg: version('pg'),
  };
  const stamp = results.date.replace(/[:.]/g, '-');
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const jsonPath = join(resultsDir, `${stamp}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);

  const lines: string[] = [
    '# Performance',
    '',
    'Written by `npm run bench` (bench/run.ts) from its last run; raw figures in',
    `\`bench/results/${stamp}.json\`. Each pair ran ${results.settings.runs} times alternating (A, B, A, B, …);`,
    `figures are medians. Load: ${results.settings.concurrency} concurrent keep-alive clients for`,
    `${results.settings.seconds} s per run, in the same process as the servers. Ratios are A ÷ B.`,
    '',
    `- Date: ${results.date}`,
    `- Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, ${results.machine.os}; load average at the end ${results.machine.loadAverageAtEnd}`,
    `- Versions: ${Object.entries(results.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `- Data: ${Object.entries(results.volume)
      .map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`)
      .join(', ')}`,
    '',
    '| pair | A | A req/s | A p50 ms | A p99 ms | B | B req/s | B p50 ms | B p99 ms | A/B throughput | A/B p99 | target |',
    '|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|',
    ...results.pairs.map(
      (p) =>
        `| ${p.name} | ${p.a.name} | ${n1(p.a.throughput)} | ${n1(p.a.p50)} | ${n1(p.a.p99)} | ${p.b.name} | ${n1(p.b.throughput)} | ${n1(p.b.p50)} | ${n1(p.b.p99)} | ${p.ratio.throughput.toFixed(3)} | ${p.ratio.p99.toFixed(2)} | ${verdicts(p).join('; ')} |`,
    ),
    '',
    'Intake rows: "req/s" is reports per second (a batch and its retry per run); p50 is the',
    'median time of one run (batch + retry), p99 the slowest run.',
    '',
    '| SQL statements per list request (authentication included) | count |',
    '|---|---:|',
    ...results.statements.map((s) => `| ${s.pageSize} per page | ${s.statements} |`),
    '',
    ...(results.notes.length ? ['Notes:', '', ...results.notes.map((n) => `- ${n}`), ''] : []),
  ];
  const mdPath = join(ROOT, 'docs', 'performance.md');
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  const existing = (() => {
    try {
      return readFileSync(mdPath, 'utf8');
    } catch {
      return '';
    }
  })();
  // Hand-written analysis below the marker survives re-runs.
  const marker = '<!-- analysis -->';
  const analysis = existing.includes(marker)
    ? existing.slice(existing.indexOf(marker))
    : `${marker}\n`;
  writeFileSync(mdPath, `${lines.join('\n')}\n${analysis}`);
  return [jsonPath, mdPath];
}
