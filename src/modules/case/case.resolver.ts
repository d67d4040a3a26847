import type { GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Info,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../context';
import { selectionAt } from '../../common/selection';
import type { Page } from '../../common/pagination';
import { Role } from '../../common/role';
import { Agency } from '../agency/agency.entity';
import { AgencyType, UserType } from '../agency/agency.types';
import { User } from '../agency/user.entity';
import { batchLoader } from '../../common/batch-loader';
import { loadEvents } from '../incident/overdose-event-rows';
import { OverdoseEventType } from '../incident/overdose-event.types';
import { OverdoseIncident } from '../incident/incident.entity';
import type { IncidentRow } from '../incident/incident-rows';
import { withLocationSealed } from '../incident/incident-location-seal';
import { IncidentType } from '../incident/incident.types';
import { loadIdentityViews } from '../person/identity-view';
import { PersonType } from '../person/person.types';
import { caseRelationsFor } from './case-list-relations';
import {
  AcceptCaseArgs,
  CaseChangeArgs,
  CasesArgs,
  DeclineCaseArgs,
  FollowUpQueueArgs,
} from './case.input';
import { getCase, listCases, listFollowUpQueue } from './case.service';
import { acceptCase, declineCase, retriageCase } from './workflow/acceptance';
import { CaseConnection, CaseType } from './case.types';
import { CaseReferralType } from './referral.types';
import { loadById } from '../../common/load-by-id';

/** Where the cases of a connection sit in the selection. */
const PAGE_NODE = ['edges', 'node'];

@Resolver(() => CaseType)
export class CaseResolver {
  @Query(() => CaseType, { description: 'A case routed to your agency' })
  case(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
    @Info() info: GraphQLResolveInfo,
  ): Promise<CaseType> {
    return getCase(em, viewer, id, caseRelationsFor(viewer, selectionAt(info, [])));
  }

  @Query(() => CaseConnection, {
    description: "Your agency's cases, by follow-up due time (oldest first)",
  })
  cases(
    @Ctx() { em, viewer }: Context,
    @Args(() => CasesArgs) args: CasesArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<CaseType>> {
    return listCases(em, viewer, args, caseRelationsFor(viewer, selectionAt(info, PAGE_NODE)));
  }

  @Query(() => CaseConnection, {
    description:
      "Your outreach agency's follow-up queue: cases awaiting a first attempt that are " +
      'overdue, due, or whose window opens today; oldest first, each with its followUpBucket',
  })
  followUpQueue(
    @Ctx() { em, viewer }: Context,
    @Args(() => FollowUpQueueArgs) args: FollowUpQueueArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<CaseType>> {
    return listFollowUpQueue(
      em,
      viewer,
      args,
      caseRelationsFor(viewer, selectionAt(info, PAGE_NODE)),
    );
  }

  @Mutation(() => CaseType, { description: 'Take a referred case: claim it, or assign a worker' })
  acceptCase(
    @Ctx() { em, viewer }: Context,
    @Args(() => AcceptCaseArgs) args: AcceptCaseArgs,
  ): Promise<CaseType> {
    return acceptCase(em, viewer, args);
  }

  @Mutation(() => CaseReferralType, {
    description: 'Decline a referred case; the hub routes it to the next agency',
  })
  declineCase(
    @Ctx() { em, viewer }: Context,
    @Args(() => DeclineCaseArgs) args: DeclineCaseArgs,
  ): Promise<CaseReferralType> {
    return declineCase(em, viewer, args);
  }

  @Mutation(() => CaseType, { description: 'Route a case waiting in triage again' })
  retriageCase(
    @Ctx() { em, viewer }: Context,
    @Args(() => CaseChangeArgs) args: CaseChangeArgs,
  ): Promise<CaseType> {
    return retriageCase(em, viewer, args);
  }

  // Each relation is served from the list statement's row when it fetched it, else batched.
  @FieldResolver(() => AgencyType)
  routedAgency(
    @Root() kase: CaseType,
    @Ctx() ctx: Context,
  ): Promise<Agency | AgencyType | null> | AgencyType | null {
    if (kase.loaded?.routedAgency !== undefined) return kase.loaded.routedAgency;
    return loadById(ctx.em, Agency, kase.routedAgencyId);
  }

  @FieldResolver(() => UserType)
  assignedWorker(
    @Root() kase: CaseType,
    @Ctx() ctx: Context,
  ): Promise<User | UserType | null> | UserType | null {
    if (kase.loaded?.assignedWorker !== undefined) return kase.loaded.assignedWorker;
    return loadById(ctx.em, User, kase.assignedWorkerId);
  }

  /**
   * The permission layer already refuses a sealed case; this keeps the vault shut regardless.
   * The person comes as the caller's agency may read them: only the values of sources it may see
   * (identity-view.ts), the same on a single case, a list page, a fragment or a subscription.
   */
  @FieldResolver(() => PersonType)
  person(@Root() kase: CaseType, @Ctx() ctx: Context): Promise<PersonType | null> {
    if (kase.identitySealed || ctx.viewer.role !== Role.OUTREACH_WORKER || !kase.personId)
      return Promise.resolve(null);
    return personViewLoader(ctx).load(kase.personId);
  }

  @FieldResolver(() => IncidentType)
  indexIncident(
    @Root() kase: CaseType,
    @Ctx() ctx: Context,
  ): Promise<OverdoseIncident | IncidentRow | null> | OverdoseIncident | IncidentRow | null {
    if (ctx.viewer.role !== Role.OUTREACH_WORKER) return null;
    const sealed = <T extends object>(incident: T | null): T | null =>
      incident && kase.identitySealed ? withLocationSealed(incident) : incident;
    if (kase.loaded?.indexIncident !== undefined) return sealed(kase.loaded.indexIncident);
    if (!kase.indexIncidentId) return null;
    return loadById(ctx.em, OverdoseIncident, kase.indexIncidentId).then(sealed);
  }

  // The case's event has its index report's id (incident/overdose-event.entity.ts).
  @FieldResolver(() => OverdoseEventType, {
    description: 'The overdose: all its source reports, one case',
  })
  event(@Root() kase: CaseType, @Ctx() ctx: Context): Promise<OverdoseEventType | null> {
    if (!kase.indexIncidentId) return Promise.resolve(null);
    return eventLoader(ctx).load(kase.indexIncidentId);
  }
}

/** The events of a page of cases, in one statement. */
const eventLoader = (ctx: Context) =>
  batchLoader<OverdoseEventType | null>(ctx, 'case.event', (ids) => loadEvents(ctx.em, ids), null);

@Resolver(() => CaseReferralType)
export class ReferralResolver {
  @FieldResolver(() => AgencyType)
  toAgency(@Root() referral: CaseReferralType, @Ctx() ctx: Context): Promise<Agency | null> {
    return referral.toAgencyId
      ? loadById(ctx.em, Agency, referral.toAgencyId)
      : Promise.resolve(null);
  }
}

/** The people of a page of cases, as the caller's agency may read them, in one statement. */
const personViewLoader = (ctx: Context) =>
  batchLoader<PersonType | null>(
    ctx,
    // `case.…`: forgotten after a case mutation of the same request (case-loaders.ts).
    'case.personView',
    (ids) => loadIdentityViews(ctx.em, ctx.viewer.agencyId, ids),
    null,
  );
