import { Entity, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { Agency } from '../agency/agency.entity';
import { OverdoseIncident } from '../incident/incident.entity';
import { Person } from '../person/person.entity';

/**
 * Support for the family after a fatal overdose: one per fatal report and agency that opted in
 * (Agency.offersFamilySupport) and serves the report's county. It is not the overdose's case
 * (that one closed DECEASED); it carries the decedent only as a link, and the agency reads their
 * identity only as far as its agreements allow (rules/source-visible.ts). Written by the case
 * workflow (workflow/family-support.ts) alone.
 */
@Entity({ tableName: 'family_support_case' })
@Unique({ properties: ['incident', 'agency'] })
export class FamilySupportCase extends HubEntity {
  @ManyToOne(() => Agency, { ref: true, index: true })
  agency!: Ref<Agency>;

  /** The fatal report. */
  @ManyToOne(() => OverdoseIncident, { ref: true })
  incident!: Ref<OverdoseIncident>;

  /** The decedent, when the report named them. */
  @ManyToOne(() => Person, { ref: true, nullable: true })
  person?: Ref<Person>;

  @Property({ type: 'character', length: 5 })
  county!: string;
}
