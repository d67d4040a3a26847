import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import type { Page } from '../../common/pagination';
import { Role } from '../../common/role';
import { Agency } from '../agency/agency.entity';
import { AgencyType, UserType } from '../agency/agency.types';
import { User } from '../agency/user.entity';
import { OverdoseIncident } from '../incident/incident.entity';
import { withLocationSealed } from '../incident/incident-location-seal';
import { IncidentType } from '../incident/incident.types';
import { Person } from '../person/person.entity';
import { PersonType } from '../person/person.types';
import { AcceptCaseArgs, CaseChangeArgs, CasesArgs, DeclineCaseArgs } from './case.input';
import { acceptCase, declineCase, getCase, listCases, retriageCase } from './case.service';
import { CaseConnection, CaseType } from './case.types';
import { CaseReferralType } from './referral.types';
import { loadById } from '../../common/load-by-id';

@Resolver(() => CaseType)
export class CaseResolver {
  @Query(() => CaseType, { description: 'A case routed to your agency' })
  case(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
  ): Promise<CaseType> {
    return getCase(em, viewer, id);
  }

  @Query(() => CaseConnection, {
    description: "Your agency's cases, by follow-up due time (oldest first)",
  })
  cases(
    @Ctx() { em, viewer }: Context,
    @Args(() => CasesArgs) args: CasesArgs,
  ): Promise<Page<CaseType>> {
    return listCases(em, viewer, args);
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

  @FieldResolver(() => AgencyType)
  routedAgency(@Root() kase: CaseType, @Ctx() ctx: Context): Promise<Agency | null> {
    return loadById(ctx.em, Agency, kase.routedAgencyId);
  }

  @FieldResolver(() => UserType)
  assignedWorker(@Root() kase: CaseType, @Ctx() ctx: Context): Promise<User | null> {
    return loadById(ctx.em, User, kase.assignedWorkerId);
  }

  /** The permission layer already refuses a sealed case; this keeps the vault shut regardless. */
  @FieldResolver(() => PersonType)
  person(@Root() kase: CaseType, @Ctx() ctx: Context): Promise<Person | null> {
    if (kase.identitySealed || ctx.viewer.role !== Role.OUTREACH_WORKER)
      return Promise.resolve(null);
    return loadById(ctx.em, Person, kase.personId);
  }

  @FieldResolver(() => IncidentType)
  async indexIncident(
    @Root() kase: CaseType,
    @Ctx() ctx: Context,
  ): Promise<OverdoseIncident | null> {
    if (ctx.viewer.role !== Role.OUTREACH_WORKER) return null;
    const incident = await loadById(ctx.em, OverdoseIncident, kase.indexIncidentId);
    return incident && kase.identitySealed ? withLocationSealed(incident) : incident;
  }
}

@Resolver(() => CaseReferralType)
export class ReferralResolver {
  @FieldResolver(() => AgencyType)
  toAgency(@Root() referral: CaseReferralType, @Ctx() ctx: Context): Promise<Agency | null> {
    return referral.toAgencyId
      ? loadById(ctx.em, Agency, referral.toAgencyId)
      : Promise.resolve(null);
  }
}
