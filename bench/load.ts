import { Agent, request } from 'node:http';

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Requests per second. */
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
}

export interface Target {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
}

/** One request over a keep-alive agent; resolves with the status and the whole body. */
export function send(agent: Agent, target: Target): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      target.url,
      {
        agent,
        method: target.method ?? 'POST',
        headers: {
          'content-type': 'application/json',
          ...(target.body ? { 'content-length': Buffer.byteLength(target.body) } : {}),
          ...target.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (target.body) req.write(target.body);
    req.end();
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

/**
 * Closed-loop load: `concurrency` clients on keep-alive connections, each sending its next
 * request when the previous answer arrived, for `seconds`. Latency per request in ms.
 */
export async function runLoad(
  target: Target,
  options: { concurrency: number; seconds: number; check?: (body: string) => boolean },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const res = await send(agent, target);
      latencies.push(performance.now() - t0);
      if (res.status !== 200 || (options.check && !options.check(res.body))) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Median of each figure over several runs. */
export function medianOf(runs: LoadResult[]): LoadResult {
  return {
    requests: median(runs.map((r) => r.requests)),
    seconds: median(runs.map((r) => r.seconds)),
    throughput: median(runs.map((r) => r.throughput)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
  };
}
