import type { MikroORM } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../config';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../logger';
import { checkCounty, countiesToCheck } from '../modules/spike/spike.service';
import { followUpTransitions } from './follow-up-due';
import { every, type Job } from './interval';

/**
 * The hub's background work: follow-up-due events and spike checks on timers, and a spike check
 * of the county after every report. Every instance runs them; the work is safe to repeat
 * (docs/deployment.md, "Background work on several instances").
 */
export function startLiveJobs(
  orm: MikroORM,
  bus: EventBus,
  config: ReadyConfig,
  logger: Logger,
  /** The time the follow-up job goes by (tests move it instead of waiting for hours to pass). */
  now: () => Date = () => new Date(),
): Job {
  let lastTick = now();
  const followUp = every(
    config.events.followUpTickSeconds,
    'follow-up-due',
    async () => {
      const until = now();
      const due = await followUpTransitions(orm.em.fork(), lastTick, until);
      lastTick = until;
      for (const payload of due) {
        await bus.publishOnce(`followUpDue:${payload.caseId}:${payload.state}`, {
          name: 'followUpDue',
          payload,
        });
      }
    },
    logger,
  );

  const spikes = every(
    config.spike.checkIntervalSeconds,
    'spike-check',
    async () => {
      for (const county of await countiesToCheck(orm.em.fork())) {
        await checkCounty(orm.em.fork(), config.spike, county);
      }
    },
    logger,
  );

  // A check per county after reports arrive, coalesced: a batch of 500 reports in one county
  // runs one check now and, if more arrived meanwhile, one more when it ends — not 500.
  const running = new Map<string, Promise<void>>();
  const recheck = new Set<string>();
  let stopped = false;
  const checkAfterReport = (county: string): void => {
    if (stopped) return;
    if (running.has(county)) {
      recheck.add(county);
      return;
    }
    const check = checkCounty(orm.em.fork(), config.spike, county)
      .catch((error: unknown) =>
        logger.error(
          { job: 'spike-check', errorClass: (error as Error)?.constructor?.name },
          'background job failed',
        ),
      )
      .finally(() => {
        running.delete(county);
        if (recheck.delete(county)) checkAfterReport(county);
      });
    running.set(county, check);
  };
  bus.onRaised((event) => {
    if (event.name === 'incidentReported') checkAfterReport(event.payload.county);
  });

  return {
    stop: async () => {
      stopped = true;
      await Promise.all([followUp.stop(), spikes.stop()]);
      // A check that ends now may start its re-check only if not stopped; wait for all of them.
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
