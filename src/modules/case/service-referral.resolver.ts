import { Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { batchLoader, groupBy } from '../../common/batch-loader';
import { PageArgs, connectionType, type Page } from '../../common/pagination';
import type { Context } from '../../context';
import type { Agency } from '../agency/agency.entity';
import { AgencyType } from '../agency/agency.types';
import { TreatmentResourceType } from '../resource/resource.types';
import type { TreatmentResource } from '../resource/treatment-resource.entity';
import { CaseType } from './case.types';
import { Referral } from './referral.entity';
import { CreateServiceReferralArgs, UpdateServiceReferralArgs } from './service-referral.input';
import {
  createServiceReferral,
  listIncomingServiceReferrals,
  ONWARD_REFERRAL_TYPES,
  updateServiceReferralStatus,
} from './workflow/service-referrals';
import { ServiceReferralType } from './service-referral.types';

export const ServiceReferralConnection = connectionType('ServiceReferral', ServiceReferralType);

@Resolver(() => ServiceReferralType)
export class ServiceReferralResolver {
  @Mutation(() => ServiceReferralType, {
    description:
      'Refer an engaged person onward: treatment/MOUD, detox, syringe services, peer support, housing',
  })
  createServiceReferral(
    @Ctx() { em, viewer }: Context,
    @Args(() => CreateServiceReferralArgs) args: CreateServiceReferralArgs,
  ): Promise<Referral> {
    return createServiceReferral(em, viewer, args);
  }

  @Mutation(() => ServiceReferralType, {
    description: 'Move a referral on (accept, reject, complete, fail, cancel)',
  })
  updateServiceReferralStatus(
    @Ctx() { em, viewer }: Context,
    @Args(() => UpdateServiceReferralArgs) args: UpdateServiceReferralArgs,
  ): Promise<Referral> {
    return updateServiceReferralStatus(em, viewer, args);
  }

  @Query(() => ServiceReferralConnection, {
    description: 'Referrals your agency has received, newest first',
  })
  incomingServiceReferrals(
    @Ctx() { em, viewer }: Context,
    @Args(() => PageArgs) { first, after }: PageArgs,
  ): Promise<Page<Referral>> {
    return listIncomingServiceReferrals(em, viewer, first, after);
  }

  @FieldResolver(() => AgencyType)
  async toAgency(@Root() referral: Referral): Promise<Agency | null> {
    return referral.toAgency ? ((await referral.toAgency.load()) ?? null) : null;
  }

  @FieldResolver(() => TreatmentResourceType)
  async toResource(@Root() referral: Referral): Promise<TreatmentResource | null> {
    return referral.toResource ? ((await referral.toResource.load()) ?? null) : null;
  }
}

@Resolver(() => CaseType)
export class CaseServiceReferralsResolver {
  @FieldResolver(() => [ServiceReferralType], {
    description: 'Onward referrals made for this person',
  })
  serviceReferrals(@Root() kase: CaseType, @Ctx() ctx: Context): Promise<Referral[]> {
    const loader = batchLoader(
      ctx,
      'case.serviceReferrals',
      async (caseIds) => {
        const rows = await ctx.em.find(
          Referral,
          { case: { $in: [...caseIds] }, type: { $in: [...ONWARD_REFERRAL_TYPES] } },
          { orderBy: { createdAt: 'asc', id: 'asc' } },
        );
        return groupBy(rows, (r) => r.case.id);
      },
      [] as Referral[],
    );
    return loader.load(kase.id);
  }
}
