import { Entity, Enum, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { OverdoseEvent } from '../incident/overdose-event.entity';
import { CaseStatus, HoldReason } from './case-codes';
import { Case } from './case.entity';

/**
 * An administrator's merge of two overdose events (two reports of one overdose that the intake
 * did not match), with what it takes to undo it exactly: which reports moved, and the state the
 * absorbed event's case was in before the merge closed it as a duplicate. Written only by the
 * case workflow (workflow/event-merge.ts); undone merges stay as history.
 */
@Entity({ tableName: 'event_merge' })
export class EventMerge extends HubEntity {
  /** The event that keeps its case and gains the reports. */
  @ManyToOne(() => OverdoseEvent, { ref: true, index: true })
  survivingEvent!: Ref<OverdoseEvent>;

  @ManyToOne(() => OverdoseEvent, { ref: true, index: true })
  absorbedEvent!: Ref<OverdoseEvent>;

  /** The absorbed event's reports at the time of the merge: exactly these move back on undo. */
  @Property({ type: 'uuid[]' })
  movedIncidentIds!: string[];

  @ManyToOne(() => Case, { ref: true })
  absorbedCase!: Ref<Case>;

  /** The absorbed case before the merge: restored on undo when the merge closed it. */
  @Enum({ items: () => CaseStatus, nativeEnumName: 'case_status' })
  absorbedCaseStatus!: CaseStatus;

  @Enum({ items: () => HoldReason, nullable: true, nativeEnumName: 'hold_reason' })
  absorbedCaseHoldReason?: HoldReason;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  absorbedCaseResumeOn?: Date;

  /** Routing requests the merge withdrew (the case was waiting for an answer): re-sent on undo. */
  @Property({ type: 'uuid[]' })
  cancelledReferralIds!: string[];

  /** Automatic repeat-overdose outcomes the merge withdrew (a co-report is no repeat). */
  @Property({ type: 'jsonb' })
  withdrawnOutcomes!: WithdrawnOutcome[];

  /** The administrator (user or API key); null when the hub merged (`cli merge-coreports`). */
  @Property({ type: 'uuid', nullable: true })
  mergedById?: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  undoneAt?: Date;

  @Property({ type: 'uuid', nullable: true })
  undoneById?: string;
}

/** An automatic outcome as the intake wrote it, kept to be written again if the merge is undone. */
export interface WithdrawnOutcome {
  id: string;
  caseId: string;
  type: string;
  occurredAt: string;
  sourceIncidentId: string;
}
