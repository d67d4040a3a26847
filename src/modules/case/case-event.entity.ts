import { Entity, Enum, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { CaseStatus } from './case-codes';
import { Case } from './case.entity';

/** The case timeline: one row per status change, append-only. */
@Entity({ tableName: 'case_event' })
export class CaseEvent extends HubEntity {
  @ManyToOne(() => Case, { ref: true, index: true })
  case!: Ref<Case>;

  @Enum({ items: () => CaseStatus, nullable: true, nativeEnumName: 'case_status' })
  fromStatus?: CaseStatus;

  @Enum({ items: () => CaseStatus, nativeEnumName: 'case_status' })
  toStatus!: CaseStatus;

  /** Machine-readable reason (close reason, triage reason, decline) — never personal data. */
  @Property({ type: 'text', nullable: true })
  reason?: string;

  /** User or API key id; null when the hub itself acted (routing, automatic closure). */
  @Property({ type: 'uuid', nullable: true })
  actorId?: string;
}
