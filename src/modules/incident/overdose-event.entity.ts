import { DeferMode, Entity, Index, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { EncryptedNumber } from '../../crypto/encrypted-number.type';
import { Person } from '../person/person.entity';

/**
 * One overdose, however many agencies reported it (police and EMS at the same scene): its
 * source reports are the OverdoseIncident rows pointing here. The event takes its id from its
 * first report (the index report, whose case is the event's one case), so "is this report the
 * one that counts" is `incident.id = incident.event_id` in SQL — statistics, spikes and research
 * count events by that test. Place, time and person are the first report's, copied so that the
 * intake matches a new report against open events without reading their reports.
 */
@Entity({ tableName: 'overdose_event' })
// Co-report matching: the same person near in time; the same county near in time (unnamed).
@Index({ properties: ['person', 'occurredAt'] })
@Index({ properties: ['county', 'occurredAt'] })
export class OverdoseEvent extends HubEntity {
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  occurredAt!: Date;

  /** Five-digit county FIPS code. */
  @Property({ type: 'character', length: 5 })
  county!: string;

  /** The first report's place, encrypted as the incident's is (a copy of its ciphertext). */
  @Property({ type: EncryptedNumber, nullable: true })
  latitude?: number;

  @Property({ type: EncryptedNumber, nullable: true })
  longitude?: number;

  /**
   * Checked at commit: a bulk load may insert the person and the report in one statement, and
   * the report's trigger writes its event before the person row is there.
   */
  @ManyToOne(() => Person, {
    ref: true,
    nullable: true,
    deferMode: DeferMode.INITIALLY_DEFERRED,
  })
  person?: Ref<Person>;

  /** Set while this event's reports belong to another one (an administrator merged them). */
  @ManyToOne(() => OverdoseEvent, { ref: true, nullable: true, index: true })
  mergedInto?: Ref<OverdoseEvent>;

  /** Moves with every report that joins and every merge: a merge racing either gets CONFLICT. */
  @Property({ type: 'integer', version: true })
  version: Opt<number> = 1;
}
