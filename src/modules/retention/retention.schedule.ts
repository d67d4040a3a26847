import type { MikroORM } from '@mikro-orm/postgresql';
import type { JobWorker } from '../../jobs/job-queue';
import type { Logger } from '../../logger';
import { purgeIdentities } from './retention.service';

export interface RetentionSettings {
  retentionDays: number;
  /** Hours between runs inside the server; 0 turns the in-server run off. */
  intervalHours: number;
  batchSize: number;
}

/** The first run comes soon after the timer is created, so a hub restarted often still purges. */
const FIRST_RUN_DELAY_SECONDS = 10 * 60;

/**
 * The retention run as a timer on the durable job queue (src/jobs): one run per interval for the
 * whole deployment, whichever hub claims it; a failed run is logged (counts and codes only) and
 * retried with back-off. The purge itself locks with SKIP LOCKED as well.
 */
export async function scheduleRetention(
  worker: JobWorker,
  orm: MikroORM,
  settings: RetentionSettings,
  logger: Logger,
  firstRunDelaySeconds = FIRST_RUN_DELAY_SECONDS,
): Promise<void> {
  if (settings.intervalHours <= 0) return;
  const intervalSeconds = settings.intervalHours * 3600;
  await worker.every(
    'retention-purge',
    intervalSeconds,
    Math.min(firstRunDelaySeconds, intervalSeconds),
    async () => {
      const summary = await purgeIdentities(orm.em.fork(), settings);
      logger.info(
        {
          persons: summary.persons,
          reportedIdentities: summary.reportedIdentities,
          batches: summary.batches,
        },
        'retention purge done',
      );
    },
  );
}
