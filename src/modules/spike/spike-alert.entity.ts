import { Entity, Index, Property, Unique, type Opt } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';

/**
 * One spike: a county's rolling 24-hour count of suspected overdoses reached its threshold. Kept
 * after it ends (the alert history); at most one open alert per county (partial unique index in
 * the migration), so two hub instances checking at once raise it once.
 */
@Entity({ tableName: 'spike_alert' })
@Index({ properties: ['county', 'raisedAt'] })
@Unique({
  name: 'spike_alert_one_open_per_county',
  expression:
    'create unique index "spike_alert_one_open_per_county" on "spike_alert" ("county") where "ended_at" is null',
})
export class SpikeAlert extends HubEntity {
  @Property({ type: 'string', columnType: 'char(5)' })
  county!: string;

  /** The 24 hours counted when the alert was raised. */
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  windowStart!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  windowEnd!: Date;

  /** Count at raise, then the highest rolling count seen while the alert was open. */
  @Property({ type: 'integer' })
  count!: number;

  @Property({ type: 'integer' })
  threshold!: number;

  /** Where the threshold came from: CONFIGURED for the county, or the BASELINE. */
  @Property({ type: 'string', length: 16 })
  thresholdSource!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  raisedAt: Opt<Date> = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  endedAt?: Date;
}
