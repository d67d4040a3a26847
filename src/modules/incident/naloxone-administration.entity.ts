import { Entity, Enum, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { AdministeredBy, NaloxoneResponse, NaloxoneRoute } from './incident-codes';
import { OverdoseIncident } from './incident.entity';

@Entity({ tableName: 'naloxone_administration' })
export class NaloxoneAdministration extends HubEntity {
  @ManyToOne(() => OverdoseIncident, { ref: true, index: true, deleteRule: 'cascade' })
  incident!: Ref<OverdoseIncident>;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  administeredAt?: Date;

  @Property({ type: 'decimal', columnType: 'numeric(6,2)', nullable: true })
  doseMg?: string;

  @Enum({ items: () => NaloxoneRoute, nativeEnumName: 'naloxone_route' })
  route!: NaloxoneRoute;

  @Enum({ items: () => AdministeredBy, nativeEnumName: 'administered_by' })
  administeredBy!: AdministeredBy;

  @Enum({ items: () => NaloxoneResponse, nullable: true, nativeEnumName: 'naloxone_response' })
  response?: NaloxoneResponse;
}
