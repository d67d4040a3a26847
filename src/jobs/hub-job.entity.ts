import { Entity, Index, Property, Unique, type Opt } from '@mikro-orm/core';
import { HubEntity } from '../common/base.entity';

/**
 * One unit of background work in the durable queue (src/jobs/job-queue.ts): a timer (follow-up
 * tick, spike check, retention purge), a county spike check after reports, or an alert delivery.
 * A row lives until its work succeeds (timers forever, rescheduled), so nothing is lost when a
 * hub stops; `locked_until` is the lease of the instance running it, so two hubs never run it
 * at once.
 */
@Entity({ tableName: 'hub_job' })
@Unique({ properties: ['queue', 'key'] })
@Index({ properties: ['queue', 'runAt'] })
export class HubJob extends HubEntity {
  /** The deployment (JOB_QUEUE): hubs sharing a database and a queue share the work. */
  @Property({ type: 'text' })
  queue!: string;

  /** Unique within the queue: a timer's name, `spike-county:<fips>`, `delivery:<id>`. */
  @Property({ type: 'text' })
  key!: string;

  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'json', columnType: 'jsonb' })
  payload: Opt<Record<string, unknown>> = {};

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  runAt: Opt<Date> = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lockedUntil?: Date;

  /** Runs started since the last success: the retry back-off grows with it. */
  @Property({ type: 'integer' })
  attempts: Opt<number> = 0;

  /** Why the last run failed, in words without personal data. */
  @Property({ type: 'text', nullable: true })
  lastError?: string;

  /** Asked again while running: run once more when this run ends (coalesced spike checks). */
  @Property({ type: 'boolean' })
  rerun: Opt<boolean> = false;

  /** A timer: rescheduled this many seconds after each run instead of deleted. */
  @Property({ type: 'integer', nullable: true })
  everySeconds?: number;
}
