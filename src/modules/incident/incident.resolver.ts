import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { PageArgs, connectionType, type Page } from '../../common/pagination';
import type { Context } from '../../context';
import { AgencyType } from '../agency/agency.types';
import type { Agency } from '../agency/agency.entity';
import { ReportedIdentity } from '../person/reported-identity.entity';
import { amendIncident } from './amend.service';
import { SubstanceCategory, substanceCategories } from './incident-codes';
import { getOwnIncident, listOwnIncidents } from './incident-query.service';
import type { OverdoseIncident } from './incident.entity';
import { ReportIncidentInput } from './incident.input';
import { IncidentFilter } from './incident.input-filter';
import {
  BatchReportResultType,
  IncidentType,
  NaloxoneAdministrationType,
  ReportResultType,
  ReportedIdentityType,
  ReportStatus,
} from './incident.types';
import { reportIncident, reportIncidents } from './intake.service';

export const IncidentConnection = connectionType('OverdoseIncident', IncidentType);

@Resolver(() => IncidentType)
export class IncidentResolver {
  @Mutation(() => ReportResultType, {
    description: 'Report one overdose; re-sending the same externalId changes nothing',
  })
  async reportIncident(
    @Ctx() { em, viewer, config }: Context,
    // Validated by the service, which also checks what needs the clock and the database.
    @Arg('input', () => ReportIncidentInput, { nullable: false, validate: false })
    input: ReportIncidentInput,
  ): Promise<ReportResultType> {
    const outcome = await reportIncident(em, viewer, config, input);
    return { status: outcome.status, incident: outcome.incident as unknown as IncidentType };
  }

  @Mutation(() => BatchReportResultType, {
    description: 'Report up to 500 overdoses; each item is answered on its own',
  })
  async reportIncidents(
    @Ctx() { em, viewer, config }: Context,
    @Arg('inputs', () => [ReportIncidentInput], { nullable: false, validate: false })
    inputs: ReportIncidentInput[],
  ): Promise<BatchReportResultType> {
    const outcomes = await reportIncidents(em, viewer, config, inputs);
    const count = (status: ReportStatus) => outcomes.filter((o) => o.status === status).length;
    return {
      items: outcomes.map((o) => ({ ...o, incident: o.incident as unknown as IncidentType })),
      createdCount: count(ReportStatus.CREATED),
      alreadyReportedCount: count(ReportStatus.ALREADY_REPORTED),
      rejectedCount: count(ReportStatus.REJECTED),
    };
  }

  @Mutation(() => IncidentType, {
    description: 'Correct a report of your own agency (send the whole corrected report)',
  })
  amendIncident(
    @Ctx() { em, viewer, config }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
    @Arg('version', () => Int, { nullable: false }) version: number,
    @Arg('input', () => ReportIncidentInput, { nullable: false, validate: false })
    input: ReportIncidentInput,
  ): Promise<OverdoseIncident> {
    return amendIncident(em, viewer, config, id, version, input);
  }

  @Query(() => IncidentType, { description: "One of your agency's reports" })
  incident(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
  ): Promise<OverdoseIncident> {
    return getOwnIncident(em, viewer, id);
  }

  @Query(() => IncidentConnection, { description: "Your agency's reports, newest first" })
  myAgencyIncidents(
    @Ctx() { em, viewer }: Context,
    @Arg('filter', () => IncidentFilter, { nullable: true }) filter: IncidentFilter | undefined,
    @Args(() => PageArgs) { first, after }: PageArgs,
  ): Promise<Page<OverdoseIncident>> {
    return listOwnIncidents(em, viewer, filter, first, after);
  }

  @FieldResolver(() => AgencyType)
  reportingAgency(@Root() incident: OverdoseIncident): Promise<Agency> {
    return incident.reportingAgency.load() as Promise<Agency>;
  }

  @FieldResolver(() => [NaloxoneAdministrationType])
  async naloxoneAdministrations(
    @Root() incident: OverdoseIncident,
  ): Promise<NaloxoneAdministrationType[]> {
    const doses = await incident.naloxoneAdministrations.load();
    return doses.getItems().map((d) => ({
      ...d,
      doseMg: d.doseMg === undefined || d.doseMg === null ? undefined : Number(d.doseMg),
    }));
  }

  @FieldResolver(() => Boolean, { description: 'At least one naloxone dose was given' })
  async naloxoneGiven(@Root() incident: OverdoseIncident): Promise<boolean> {
    return (await incident.naloxoneAdministrations.loadCount()) > 0;
  }

  @FieldResolver(() => [SubstanceCategory], {
    description: 'Coarse categories of the suspected substances',
  })
  substanceCategories(@Root() incident: OverdoseIncident): SubstanceCategory[] {
    return substanceCategories(incident.suspectedSubstances);
  }

  @FieldResolver(() => ReportedIdentityType, { description: 'Null when the report named no one' })
  reportedIdentity(
    @Root() incident: OverdoseIncident,
    @Ctx() { em }: Context,
  ): Promise<ReportedIdentity | null> {
    return em.findOne(ReportedIdentity, { incident: incident.id });
  }
}
