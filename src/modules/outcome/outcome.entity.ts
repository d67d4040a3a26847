import { Entity, Enum, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Case } from '../case/case.entity';
import { OverdoseIncident } from '../incident/incident.entity';
import { MoudType } from '../resource/resource-codes';
import { OutcomeType } from './outcome-codes';

/** Something that happened to the person after a case opened (treatment, repeat overdose, death). */
@Entity({ tableName: 'outcome' })
export class Outcome extends HubEntity {
  @ManyToOne(() => Case, { ref: true, index: true })
  case!: Ref<Case>;

  @Enum({ items: () => OutcomeType, nativeEnumName: 'outcome_type' })
  type!: OutcomeType;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  occurredAt!: Date;

  /** For MOUD_STARTED: which medication. */
  @Enum({ items: () => MoudType, nullable: true, nativeEnumName: 'moud_type' })
  moudType?: MoudType;

  /** The later report that produced an automatic outcome (repeat or fatal overdose). */
  @ManyToOne(() => OverdoseIncident, { ref: true, nullable: true })
  sourceIncident?: Ref<OverdoseIncident>;

  /** Null when the hub recorded it from a new report. */
  @Property({ type: 'uuid', nullable: true })
  recordedById?: string;

  @Property({ type: 'boolean' })
  automatic: Opt<boolean> = false;

  /**
   * 42 CFR Part 2 label: the Part 2 program whose record this is, or null. Stamped by the
   * database at insert (migration part2_labels) and never changed, so a later change of the
   * agency's flag does not relabel history; read back on insert (defaultRaw). modules/part2.
   */
  @Property({ type: 'uuid', nullable: true, defaultRaw: 'null', fieldName: 'part2_program_id' })
  part2ProgramId?: Opt<string>;
}
