import { Entity, Index, Property, Unique, type Opt } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';

/**
 * One spike: a county's count of suspected overdoses in the last 24 hours or 7 days (all
 * substances or one; the county alone or pooled with its neighbours) reached its threshold. Kept
 * after it ends (the alert history); at most one open alert per county and signal (partial
 * unique index), so two hub instances checking at once raise it once.
 */
@Entity({ tableName: 'spike_alert' })
@Index({ properties: ['county', 'raisedAt'] })
@Unique({
  name: 'spike_alert_one_open_per_signal',
  expression:
    'create unique index "spike_alert_one_open_per_signal" on "spike_alert" ("county", "scope", coalesce("substance", \'\'), "window_hours") where "ended_at" is null',
})
export class SpikeAlert extends HubEntity {
  @Property({ type: 'string', columnType: 'char(5)' })
  county!: string;

  /** COUNTY: the county alone; NEIGHBOURS: pooled with the counties bordering it. */
  @Property({ type: 'string', length: 16 })
  scope: Opt<string> = 'COUNTY';

  /** The counties counted (the county, and its neighbours when pooled). */
  @Property({ type: 'text[]', columnType: 'text[]' })
  counties: Opt<string[]> = [];

  /** A suspected substance, or null for every overdose. */
  @Property({ type: 'text', nullable: true })
  substance?: string;

  /** 24 or 168 (7 days). */
  @Property({ type: 'integer' })
  windowHours: Opt<number> = 24;

  /** Overdoses expected in the window from the baseline (BASELINE alerts). */
  @Property({ type: 'double', nullable: true })
  expected?: number;

  /** Overdoses in the baseline period: decides whether `expected` may be published. */
  @Property({ type: 'integer', nullable: true })
  baselineCount?: number;

  /** Probability of the count (at raise, then at its highest) if nothing had changed. */
  @Property({ type: 'double', nullable: true })
  exceedance?: number;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  windowStart!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  windowEnd!: Date;

  /** Count at raise, then the highest rolling count seen while the alert was open. */
  @Property({ type: 'integer' })
  count!: number;

  @Property({ type: 'integer' })
  threshold!: number;

  /** CONFIGURED for the county (SPIKE_THRESHOLDS), or from the BASELINE (negative binomial). */
  @Property({ type: 'string', length: 16 })
  thresholdSource!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  raisedAt: Opt<Date> = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  endedAt?: Date;
}
