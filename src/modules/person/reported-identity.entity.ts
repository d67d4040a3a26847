import { Entity, OneToOne, Property, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { OverdoseIncident } from '../incident/incident.entity';

/**
 * Name and date of birth exactly as one reporter entered them. The reporting agency may read
 * these back to correct its report; it never sees the merged Person.
 */
@Entity({ tableName: 'reported_identity' })
export class ReportedIdentity extends HubEntity {
  @OneToOne(() => OverdoseIncident, { ref: true, owner: true, unique: true, deleteRule: 'cascade' })
  incident!: Ref<OverdoseIncident>;

  @Property({ type: 'text', nullable: true })
  firstName?: string;

  @Property({ type: 'text', nullable: true })
  lastName?: string;

  @Property({ type: 'text', nullable: true })
  dateOfBirth?: string;
}
