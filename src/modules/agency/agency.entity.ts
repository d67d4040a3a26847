import { Entity, Enum, Index, Property, type Opt } from '@mikro-orm/core';
import { HubEntity } from '../../common/base.entity';
import { AgencyKind } from './agency-kind';
import { runsFollowUpByDefault } from './follow-up-capability';
import { CaseDefinitionName, DEFAULT_CASE_DEFINITION } from '../incident/case-definition';

@Entity({ tableName: 'agency' })
export class Agency extends HubEntity {
  @Property({ type: 'text', unique: true })
  name!: string;

  @Enum({ items: () => AgencyKind, nativeEnumName: 'agency_kind' })
  kind!: AgencyKind;

  /** Five-digit county FIPS codes the agency serves; routing matches incidents against these. */
  @Index({ type: 'gin' })
  @Property({ type: 'text[]', columnType: 'text[]' })
  serviceCounties: Opt<string[]> = [];

  /** A 42 CFR Part 2 program: its treatment records need the stricter consent rules. */
  @Property({ type: 'boolean', fieldName: 'part2_program' })
  part2Program: Opt<boolean> = false;

  @Property({ type: 'boolean' })
  active: Opt<boolean> = true;

  /**
   * Runs post-overdose follow-up: holds outreach workers and is considered by routing
   * (follow-up-capability.ts). Set by the hub admin; left out, a harm-reduction agency runs it.
   */
  @Property({
    type: 'boolean',
    fieldName: 'runs_follow_up',
    default: false,
    onCreate: (agency: Agency) => runsFollowUpByDefault(agency.kind),
  })
  runsFollowUp!: Opt<boolean>;

  /** Visit policy: outreach attempts with a uniformed officer present are refused. */
  @Property({ type: 'boolean', default: false })
  refuseUniformedOfficers: Opt<boolean> = false;

  /** Which encounters the hub's NEMSIS import takes as overdoses for this agency. */
  @Property({ type: 'text', default: DEFAULT_CASE_DEFINITION })
  caseDefinition: Opt<CaseDefinitionName> = DEFAULT_CASE_DEFINITION;

  /**
   * The agency supports families after a death (opt-in, set by its admin or the hub admin): it
   * gets a family-support case for every fatal overdose in its service area.
   */
  @Property({ type: 'boolean', default: false })
  offersFamilySupport: Opt<boolean> = false;
}
