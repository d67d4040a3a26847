import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import type { OverdoseIncident } from '../../modules/incident/incident.entity';
import { ReportIncidentInput } from '../../modules/incident/incident.input';
import {
  BatchReportResultType,
  IncidentType,
  ReportResultType,
  ReportStatus,
} from '../../modules/incident/incident.types';
import { amendIncident } from './amend-incident.story';
import { reportIncident, reportIncidents } from './report-incidents.story';

/** Reporting and correcting overdoses: a story across incident, person and the case workflow. */
@Resolver(() => IncidentType)
export class ReportIncidentsResolver {
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
    @Arg('backfill', () => Boolean, {
      nullable: false,
      defaultValue: false,
      description:
        'History: reports older than the intake limit (MAX_INCIDENT_AGE_DAYS) are accepted, counted and linked to earlier cases, never routed for a follow-up',
    })
    backfill: boolean,
  ): Promise<BatchReportResultType> {
    const outcomes = await reportIncidents(em, viewer, config, inputs, { backfill });
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
}
