import type { Logger } from '../logger';

export interface Job {
  /** Stops the timer and waits for a run in progress, so the database can close after it. */
  stop(): Promise<void>;
}

/**
 * Runs `work` every `seconds` (0: never). The timer is unref'd so it never keeps the process
 * alive; runs never overlap; a failed run is logged by name only and the next one tries again.
 */
export function every(
  seconds: number,
  name: string,
  work: () => Promise<void>,
  logger: Logger,
): Job {
  if (seconds <= 0) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = work()
      .catch((error: unknown) =>
        logger.error(
          { job: name, errorClass: error instanceof Error ? error.constructor.name : typeof error },
          'background job failed',
        ),
      )
      .finally(() => {
        running = undefined;
      });
  }, seconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
