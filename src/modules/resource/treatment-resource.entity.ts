import { Entity, Enum, Index, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Agency } from '../agency/agency.entity';
import { MoudType, PaymentAccepted, ResourceService } from './resource-codes';

/** Weekly opening hours in the resource's own time zone: day 0 = Sunday, times "HH:MM". */
export interface OpeningHours {
  day: number;
  opens: string;
  closes: string;
}

/**
 * A place a person can be referred to, shaped after Open Referral HSDS (service + location +
 * schedule + cost) with FindTreatment.gov vocabularies.
 */
@Entity({ tableName: 'treatment_resource' })
@Index({ properties: ['county', 'active'] })
export class TreatmentResource extends HubEntity {
  /** The agency that keeps this entry current (may be null for hub-maintained entries). */
  @ManyToOne(() => Agency, { ref: true, nullable: true, index: true })
  agency?: Ref<Agency>;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description?: string;

  @Enum({ items: () => ResourceService, array: true, nativeEnumName: 'resource_service' })
  services!: ResourceService[];

  @Enum({ items: () => MoudType, array: true, nativeEnumName: 'moud_type' })
  moud: Opt<MoudType[]> = [];

  @Enum({ items: () => PaymentAccepted, array: true, nativeEnumName: 'payment_accepted' })
  paymentAccepted: Opt<PaymentAccepted[]> = [];

  /** HSDS cost_option / fees description, e.g. "$0 with Medicaid; sliding scale from $20". */
  @Property({ type: 'text', nullable: true })
  typicalCost?: string;

  @Property({ type: 'json' })
  hours: Opt<OpeningHours[]> = [];

  /** IANA time zone of the hours, e.g. America/New_York. */
  @Property({ type: 'text' })
  timeZone!: string;

  @Property({ type: 'text', nullable: true })
  street?: string;

  @Property({ type: 'text', nullable: true })
  city?: string;

  @Property({ type: 'character', length: 2, nullable: true })
  state?: string;

  @Property({ type: 'text', nullable: true })
  zip?: string;

  @Property({ type: 'character', length: 5 })
  county!: string;

  @Property({ type: 'text', nullable: true })
  phone?: string;

  @Property({ type: 'boolean' })
  acceptingNewClients: Opt<boolean> = true;

  @Property({ type: 'text[]', columnType: 'text[]' })
  languages: Opt<string[]> = ['en'];

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastVerifiedAt?: Date;

  @Property({ type: 'boolean' })
  active: Opt<boolean> = true;

  @Property({ type: 'integer', version: true })
  version: Opt<number> = 1;
}
