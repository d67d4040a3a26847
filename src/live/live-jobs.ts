import type { MikroORM } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../config';
import type { EventBus } from '../events/event-bus';
import { createJobWorker, type JobWorker } from '../jobs/job-queue';
import type { Logger } from '../logger';
import { scheduleReminders } from '../modules/account/reminders';
import { scheduleRetention } from '../modules/retention/retention.schedule';
import { DELIVERY_JOB } from '../modules/spike/alert-plan';
import { deliveryJob } from '../modules/spike/alert-delivery.job';
import { createAlertSenders } from '../modules/spike/alert-senders';
import {
  checkCounty,
  countiesAffectedBy,
  countiesToCheck,
  type SpikeRuntime,
} from '../modules/spike/spike.service';
import { followUpTransitions } from './follow-up-due';

export interface BackgroundWork {
  worker: JobWorker;
  stop(): Promise<void>;
}

const SPIKE_COUNTY_JOB = 'spike-county';

/**
 * The hub's background work, all on the durable job queue (src/jobs): the follow-up tick, the
 * periodic spike check, the retention purge and the field app's reminder round as timers (one run
 * per period for the whole deployment), a spike check of a county and its neighbours after
 * reports, alert deliveries and reminders.
 * Every instance runs a worker; the queue gives each job to one of them.
 */
export async function startBackgroundWork(
  orm: MikroORM,
  bus: EventBus,
  config: ReadyConfig,
  logger: Logger,
  /** The time the follow-up job goes by (tests move it instead of waiting for hours to pass). */
  clock: () => Date = () => new Date(),
): Promise<BackgroundWork> {
  const worker = createJobWorker(orm, config.jobs, logger);
  const runtime: SpikeRuntime = {
    spike: config.spike,
    smallCellMax: config.disclosure.smallCellMax,
    queue: config.jobs.queue,
  };
  const senders = createAlertSenders(config.alerts);

  if (config.events.followUpTickSeconds > 0) {
    // The end of the last tick is kept in the job, so a restart neither skips nor repeats a case.
    const period = config.events.followUpTickSeconds;
    await worker.every('follow-up-due', period, period, async (job) => {
      const now = clock();
      const since =
        typeof job.payload.since === 'string'
          ? new Date(job.payload.since)
          : new Date(now.getTime() - config.events.followUpTickSeconds * 1000);
      const due = await followUpTransitions(orm.em.fork(), since, now);
      for (const payload of due) {
        await bus.publishOnce(`followUpDue:${payload.caseId}:${payload.state}`, {
          name: 'followUpDue',
          payload,
        });
      }
      return { payload: { since: now.toISOString() } };
    });
  }

  if (config.spike.checkIntervalSeconds > 0) {
    // First run one period after the timer is created: right after a start, reports have just
    // been checked one by one anyway.
    const period = config.spike.checkIntervalSeconds;
    await worker.every('spike-check', period, period, async () => {
      for (const county of await countiesToCheck(orm.em.fork())) {
        await checkCounty(orm.em.fork(), runtime, county);
      }
    });
  }

  worker.handle(SPIKE_COUNTY_JOB, async (job) => {
    await checkCounty(orm.em.fork(), runtime, String(job.payload.county));
  });
  worker.handle(DELIVERY_JOB, deliveryJob(orm, senders, config.identityKeys));
  await scheduleRetention(worker, orm, config.retention, logger);
  await scheduleReminders(worker, orm, config, logger);

  // Reports coalesce per county: a batch of 500 in one county queues one check (the queue's key
  // coalesces again across instances, and re-runs a check that was running when more arrived).
  const pending = new Set<string>();
  let flushing: Promise<void> | undefined;
  let stopped = false;
  const flush = async () => {
    while (pending.size > 0 && !stopped) {
      const counties = [...pending];
      pending.clear();
      for (const county of counties) {
        await worker
          .enqueue(`${SPIKE_COUNTY_JOB}:${county}`, SPIKE_COUNTY_JOB, { county })
          .catch((error: unknown) =>
            logger.error(
              { job: SPIKE_COUNTY_JOB, errorClass: (error as Error)?.constructor?.name },
              'job queue: enqueue failed',
            ),
          );
      }
      worker.kick();
    }
  };
  bus.onRaised((event) => {
    if (event.name !== 'incidentReported' || stopped) return;
    for (const county of countiesAffectedBy(event.payload.county)) pending.add(county);
    flushing ??= flush().finally(() => {
      flushing = undefined;
    });
  });

  worker.start();
  return {
    worker,
    stop: async () => {
      stopped = true;
      await flushing;
      await worker.stop();
      senders.close();
    },
  };
}
