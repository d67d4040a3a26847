import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger';
import { purgeIdentities } from './retention.service';

export interface RetentionSettings {
  retentionDays: number;
  /** Hours between runs inside the server; 0 turns the in-server run off. */
  intervalHours: number;
  batchSize: number;
}

export interface RetentionSchedule {
  /** Cancels the next run and waits for one in progress, so the database can close after. */
  stop(): Promise<void>;
}

/** The first run comes soon after start, so a hub restarted more often than daily still purges. */
const FIRST_RUN_DELAY_MS = 10 * 60_000;

/**
 * The daily retention run inside the server. Its timer is unref'd (it never keeps the process
 * alive), runs never overlap, and a failed run is logged (counts and codes only) and retried at
 * the next interval. Several hubs may run it at once: the purge locks with SKIP LOCKED.
 */
export function startRetentionSchedule(
  orm: MikroORM,
  settings: RetentionSettings,
  logger: Logger,
  firstRunDelayMs = FIRST_RUN_DELAY_MS,
): RetentionSchedule {
  if (settings.intervalHours <= 0) return { stop: async () => undefined };
  const intervalMs = settings.intervalHours * 3_600_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().finally(() => {
        running = undefined;
        schedule(intervalMs);
      });
    }, delay);
    timer.unref();
  };

  const run = async () => {
    try {
      const summary = await purgeIdentities(orm.em.fork(), settings);
      logger.info(
        {
          persons: summary.persons,
          reportedIdentities: summary.reportedIdentities,
          batches: summary.batches,
        },
        'retention purge done',
      );
    } catch (error) {
      logger.error(
        {
          errorClass: error instanceof Error ? error.constructor.name : typeof error,
          dbCode: (error as { code?: unknown } | undefined)?.code,
        },
        'retention purge failed',
      );
    }
  };

  schedule(Math.min(firstRunDelayMs, intervalMs));
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
