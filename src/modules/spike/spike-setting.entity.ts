import { Entity, OneToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Agency } from '../agency/agency.entity';

/**
 * An agency's spike thresholds, for the counties it serves. The hub raises an alert at the most
 * sensitive setting of the agencies serving a county (or its defaults); each agency is told of
 * an alert only when its own setting is met.
 */
@Entity({ tableName: 'spike_setting' })
export class SpikeSetting extends HubEntity {
  @OneToOne(() => Agency, { ref: true, owner: true, unique: true })
  agency!: Ref<Agency>;

  /** Alert when the count is this unlikely under the baseline (e.g. 0.005). */
  @Property({ type: 'double' })
  exceedanceProbability!: number;

  /** Never alert below this many overdoses in the window. */
  @Property({ type: 'integer' })
  minCount!: number;

  /** Also be told of spikes pooled with neighbouring counties. */
  @Property({ type: 'boolean' })
  poolNeighbours: Opt<boolean> = true;

  /** Substances whose own spikes the agency is told of; empty: every substance. */
  @Property({ type: 'text[]', columnType: 'text[]' })
  substances: Opt<string[]> = [];

  @Property({ type: 'uuid', nullable: true })
  updatedById?: string;
}
