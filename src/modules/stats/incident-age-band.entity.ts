import { Entity, OneToOne, Property, type Ref } from '@mikro-orm/core';
import { ReportedIdentity } from '../person/reported-identity.entity';

/**
 * The survivor's age band at the time of one incident, next to the identity as reported on it.
 * Dates of birth are encrypted at rest, so PostgreSQL cannot band them: the band is worked out in
 * Node while the identity is written (stats-age-band.subscriber.ts) and kept in the clear for
 * aggregates only. It goes with the identity: an amended report replaces both.
 */
@Entity({ tableName: 'stats_age_band' })
export class IncidentAgeBand {
  @OneToOne(() => ReportedIdentity, {
    primary: true,
    owner: true,
    ref: true,
    deleteRule: 'cascade',
  })
  identity!: Ref<ReportedIdentity>;

  @Property({ type: 'text' })
  ageBand!: string;
}
