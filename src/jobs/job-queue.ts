import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../logger';

/**
 * The hub's durable work queue: one PostgreSQL table (hub_job) claimed with
 * `FOR UPDATE SKIP LOCKED` under a lease. Written here rather than taken from pg-boss or
 * graphile-worker: their current releases need Node 22 (the hub runs on 20), graphile-worker
 * needs LISTEN/NOTIFY over a pg pool, and both talk to the database over their own connections,
 * which the embedded PGlite database (`npm start`'s default, one in-process session) cannot give
 * them. This table runs the same on PGlite and PostgreSQL, and jobs are inserted in the same
 * transaction as the change that causes them (docs/alerts.md, "Delivery guarantees").
 */

export interface JobSettings {
  /** Hubs of one deployment share a queue name; jobs of other queues are never touched. */
  queue: string;
  pollMs: number;
  /** How long a claimed job belongs to its instance; a crashed instance's jobs return after. */
  leaseSeconds: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
}

export interface ClaimedJob {
  id: string;
  key: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/** What a handler may hand back: a timer's new state, kept for its next run. */
export interface JobOutcome {
  payload?: Record<string, unknown>;
}

export type JobHandler = (job: ClaimedJob) => Promise<JobOutcome | void>;

/** Thrown by a handler whose failure is expected and explained (no stack trace in the log). */
export class JobFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'JobFailure';
  }
}

export interface JobWorker {
  readonly queue: string;
  /** Registers the handler of a kind; only registered kinds are claimed by this instance. */
  handle(kind: string, handler: JobHandler): void;
  /**
   * A timer: one row per queue whatever the number of instances, run every `seconds` by
   * whichever instance claims it first. `firstDelaySeconds` applies only when the row is new.
   */
  every(
    key: string,
    seconds: number,
    firstDelaySeconds: number,
    handler: JobHandler,
  ): Promise<void>;
  /** Adds a job now (outside any transaction), coalescing with a pending one of the same key. */
  enqueue(key: string, kind: string, payload?: Record<string, unknown>): Promise<void>;
  /** Looks for due jobs at once instead of at the next poll. */
  kick(): void;
  start(): void;
  stop(): Promise<void>;
}

const CLAIM_BATCH = 10;

/**
 * Adds a job inside the caller's transaction (the transactional outbox): it exists exactly when
 * the change that caused it committed.
 */
export function addJobInTransaction(
  em: EntityManager,
  queue: string,
  key: string,
  kind: string,
  payload: Record<string, unknown>,
): Promise<unknown> {
  return em.getConnection().execute(
    `insert into hub_job (id, created_at, updated_at, queue, key, kind, payload, run_at, attempts, rerun)
     values (gen_random_uuid(), now(), now(), ?, ?, ?, ?::jsonb, now(), 0, false)
     on conflict (queue, key) do nothing`,
    [queue, key, kind, JSON.stringify(payload)],
    'run',
    em.getTransactionContext(),
  );
}

export function createJobWorker(orm: MikroORM, settings: JobSettings, logger: Logger): JobWorker {
  const handlers = new Map<string, JobHandler>();
  const db = () => orm.em.getConnection();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  const backoffSeconds = (attempts: number) =>
    Math.min(settings.retryMaxSeconds, settings.retryBaseSeconds * 2 ** Math.max(0, attempts - 1));

  const claim = async (): Promise<ClaimedJob[]> => {
    if (handlers.size === 0) return [];
    const rows = await db().execute<
      Array<{ id: string; key: string; kind: string; payload: unknown; attempts: number }>
    >(
      `update hub_job j
          set locked_until = now() + make_interval(secs => ?), attempts = j.attempts + 1,
              updated_at = now()
        where j.id in (select id from hub_job
                        where queue = ? and kind = any(?::text[]) and run_at <= now()
                          and (locked_until is null or locked_until < now())
                        order by run_at, id limit ${CLAIM_BATCH}
                        for update skip locked)
        returning j.id, j.key, j.kind, j.payload, j.attempts`,
      [settings.leaseSeconds, settings.queue, `{${[...handlers.keys()].join(',')}}`],
    );
    return rows.map((r) => ({
      ...r,
      payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<
        string,
        unknown
      >,
    }));
  };

  // Each update names the attempt it finishes: an instance whose lease ran out (and whose job
  // another instance has claimed since) changes nothing.
  const succeed = (job: ClaimedJob, outcome: JobOutcome | void) =>
    db().execute(
      `with done as (
         select id, every_seconds, rerun from hub_job where id = ?::uuid and attempts = ?
       ), timers as (
         update hub_job j set locked_until = null, attempts = 0, last_error = null, rerun = false,
                run_at = now() + make_interval(secs => done.every_seconds),
                payload = coalesce(?::jsonb, j.payload), updated_at = now()
           from done where j.id = done.id and done.every_seconds is not null
       ), reruns as (
         update hub_job j set locked_until = null, attempts = 0, last_error = null, rerun = false,
                run_at = now(), updated_at = now()
           from done where j.id = done.id and done.every_seconds is null and done.rerun
       )
       delete from hub_job j using done
        where j.id = done.id and done.every_seconds is null and not done.rerun`,
      [job.id, job.attempts, outcome?.payload ? JSON.stringify(outcome.payload) : null],
    );

  // The earliest retry this instance has set itself (epoch ms): the next look is no later than it
  // (a little after: the database sets the retry's time a moment after this line).
  let nextRetryAt = Infinity;

  const fail = (job: ClaimedJob, reason: string) => {
    const backoff = backoffSeconds(job.attempts);
    nextRetryAt = Math.min(nextRetryAt, Date.now() + backoff * 1000 + 100);
    return db().execute(
      `update hub_job set locked_until = null, last_error = ?, updated_at = now(),
              run_at = now() + make_interval(secs => ?)
        where id = ?::uuid and attempts = ?`,
      [reason.slice(0, 500), backoff, job.id, job.attempts],
    );
  };

  const runOne = async (job: ClaimedJob) => {
    const handler = handlers.get(job.kind);
    if (!handler) return;
    try {
      const outcome = await handler(job);
      await succeed(job, outcome);
    } catch (error) {
      const reason =
        error instanceof JobFailure
          ? error.reason
          : `internal error (${error instanceof Error ? error.constructor.name : typeof error})`;
      logger.warn({ job: job.kind, attempts: job.attempts, reason }, 'background job failed');
      await fail(job, reason).catch(() => undefined);
    }
  };

  /** Claims and runs due jobs until none is left; returns how many ran. */
  const pass = async (): Promise<number> => {
    let ran = 0;
    for (;;) {
      const jobs = await claim();
      for (const job of jobs) await runOne(job);
      ran += jobs.length;
      if (jobs.length < CLAIM_BATCH || stopped) return ran;
    }
  };

  /**
   * When to look again. At once after a pass that ran jobs: a job often queues the next (a
   * spike check its deliveries), and its commit is the only signal this instance gets. Otherwise
   * at the next poll, or at this instance's own earliest retry if that comes first. Jobs queued
   * by other instances are found by the poll.
   */
  const nextLookMs = (ran: number) => {
    if (ran > 0) return 0;
    const now = Date.now();
    if (nextRetryAt <= now) nextRetryAt = Infinity;
    return Math.min(settings.pollMs, Math.max(0, nextRetryAt - now));
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, delay);
    timer.unref();
  };

  function tick() {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    let ran = 0;
    running = pass()
      .then((count) => {
        ran = count;
      })
      .catch((error: unknown) =>
        logger.error(
          {
            errorClass: error instanceof Error ? error.constructor.name : typeof error,
            dbCode: (error as { code?: unknown } | undefined)?.code,
          },
          'job queue: claiming failed',
        ),
      )
      .finally(() => {
        running = undefined;
        const soon = again;
        again = false;
        schedule(soon ? 0 : nextLookMs(ran));
      });
  }

  return {
    queue: settings.queue,
    handle: (kind, handler) => {
      handlers.set(kind, handler);
    },
    every: async (key, seconds, firstDelaySeconds, handler) => {
      handlers.set(key, handler);
      // A changed period takes effect at once; an existing row keeps its next run time unless
      // that is further away than one new period.
      await db().execute(
        `insert into hub_job (id, created_at, updated_at, queue, key, kind, payload, run_at,
                              attempts, rerun, every_seconds)
         values (gen_random_uuid(), now(), now(), ?, ?, ?, '{}'::jsonb,
                 now() + make_interval(secs => ?), 0, false, ?)
         on conflict (queue, key) do update
            set every_seconds = excluded.every_seconds,
                run_at = least(hub_job.run_at, now() + make_interval(secs => excluded.every_seconds))`,
        [settings.queue, key, key, firstDelaySeconds, seconds],
      );
    },
    enqueue: async (key, kind, payload = {}) => {
      // A pending job of the key already covers this; a running one runs once more after.
      await db().execute(
        `insert into hub_job (id, created_at, updated_at, queue, key, kind, payload, run_at, attempts, rerun)
         values (gen_random_uuid(), now(), now(), ?, ?, ?, ?::jsonb, now(), 0, false)
         on conflict (queue, key) do update
            set rerun = hub_job.rerun or (hub_job.locked_until is not null and hub_job.locked_until > now()),
                run_at = least(hub_job.run_at, now()), updated_at = now()`,
        [settings.queue, key, kind, JSON.stringify(payload)],
      );
    },
    kick: () => {
      if (!stopped) schedule(0);
    },
    start: () => {
      stopped = false;
      schedule(0);
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
