import type { GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  Float,
  ID,
  Info,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Collection } from '@mikro-orm/core';
import { batchLoader } from '../../common/batch-loader';
import { loadById } from '../../common/load-by-id';
import { PageArgs, connectionType, type Page } from '../../common/pagination';
import { selectionAt } from '../../common/selection';
import { openNumber, openText } from '../../crypto/encrypted-number.type';
import type { Context } from '../../context';
import { AgencyType } from '../agency/agency.types';
import { Agency } from '../agency/agency.entity';
import { ReportedIdentity } from '../incident/reported-identity.entity';
import { SubstanceCategory, substanceCategories } from './incident-codes';
import { getOwnIncident, listOwnIncidents } from './incident-query.service';
import type { OverdoseIncident } from './incident.entity';
import { isIncidentRow, loadNaloxone, type IncidentRow } from './incident-rows';
import { IncidentFilter } from './incident.input-filter';
import { IncidentType, NaloxoneAdministrationType, ReportedIdentityType } from './incident.types';

export const IncidentConnection = connectionType('OverdoseIncident', IncidentType);

@Resolver(() => IncidentType)
export class IncidentResolver {
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
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<IncidentRow>> {
    const naloxone = selectionAt(info, ['edges', 'node']).has('naloxoneAdministrations');
    return listOwnIncidents(em, viewer, filter, first, after, { naloxone });
  }

  // Roots are entities (mutation results, `incident`) or rows shaped by a list statement.
  @FieldResolver(() => AgencyType)
  reportingAgency(
    @Root() incident: OverdoseIncident | IncidentRow,
    @Ctx() { em }: Context,
  ): Promise<Agency | null> {
    return isIncidentRow(incident)
      ? loadById(em, Agency, incident.reportingAgencyId)
      : (incident.reportingAgency.load() as Promise<Agency>);
  }

  // A list row's doses are answered synchronously: no promise per incident of a page.
  @FieldResolver(() => [NaloxoneAdministrationType])
  naloxoneAdministrations(
    @Root() incident: OverdoseIncident | IncidentRow,
    @Ctx() ctx: Context,
  ): Promise<NaloxoneAdministrationType[]> | NaloxoneAdministrationType[] {
    if (isIncidentRow(incident)) {
      return incident.naloxoneAdministrations ?? naloxoneLoader(ctx).load(incident.id);
    }
    return incident.naloxoneAdministrations.load().then((doses) =>
      doses.getItems().map((d) => ({
        ...d,
        doseMg: d.doseMg === undefined || d.doseMg === null ? undefined : Number(d.doseMg),
      })),
    );
  }

  @FieldResolver(() => Boolean, { description: 'At least one naloxone dose was given' })
  async naloxoneGiven(
    @Root() incident: OverdoseIncident | IncidentRow,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    if (isIncidentRow(incident)) {
      if (incident.naloxoneGiven !== undefined) return incident.naloxoneGiven;
      return (await naloxoneLoader(ctx).load(incident.id)).length > 0;
    }
    const doses = incident.naloxoneAdministrations;
    return doses instanceof Collection ? (await doses.loadCount()) > 0 : false;
  }

  @FieldResolver(() => [SubstanceCategory], {
    description: 'Coarse categories of the suspected substances',
  })
  substanceCategories(@Root() incident: OverdoseIncident | IncidentRow): SubstanceCategory[] {
    return substanceCategories(incident.suspectedSubstances);
  }

  // The place is stored encrypted (incident.entity.ts). Entities arrive decrypted by the ORM;
  // list rows shaped by SQL carry the stored ciphertext (or legacy plaintext): opened here, so
  // every list that serves an incident (cases, LEAD, incidents) stays one statement.
  @FieldResolver(() => String)
  street(@Root() incident: OverdoseIncident | IncidentRow): string | undefined {
    return openText(incident.street);
  }

  @FieldResolver(() => String)
  city(@Root() incident: OverdoseIncident | IncidentRow): string | undefined {
    return openText(incident.city);
  }

  @FieldResolver(() => String)
  zip(@Root() incident: OverdoseIncident | IncidentRow): string | undefined {
    return openText(incident.zip);
  }

  @FieldResolver(() => Float)
  latitude(@Root() incident: OverdoseIncident | IncidentRow): number | undefined {
    return openNumber(incident.latitude as number | string | null | undefined);
  }

  @FieldResolver(() => Float)
  longitude(@Root() incident: OverdoseIncident | IncidentRow): number | undefined {
    return openNumber(incident.longitude as number | string | null | undefined);
  }

  @FieldResolver(() => ReportedIdentityType, { description: 'Null when the report named no one' })
  reportedIdentity(
    @Root() incident: OverdoseIncident | IncidentRow,
    @Ctx() ctx: Context,
  ): Promise<ReportedIdentity | null> {
    // Entities come from mutations, which may change the identity: no request-wide cache.
    return isIncidentRow(incident)
      ? reportedIdentityLoader(ctx).load(incident.id)
      : ctx.em.findOne(ReportedIdentity, { incident: incident.id });
  }
}

/** The doses of every incident of a page whose doses the list statement did not fetch. */
const naloxoneLoader = (ctx: Context) =>
  batchLoader(ctx, 'incident.naloxone', (ids) => loadNaloxone(ctx.em, ids), []);

/** The identities as entered, for every incident of a page, in one query (decrypted by the ORM). */
const reportedIdentityLoader = (ctx: Context) =>
  batchLoader<ReportedIdentity | null>(
    ctx,
    'incident.reportedIdentity',
    async (ids) => {
      const found = await ctx.em.find(ReportedIdentity, { incident: { $in: [...ids] } });
      return new Map(found.map((r) => [r.incident.id, r]));
    },
    null,
  );
