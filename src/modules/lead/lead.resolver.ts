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
import type { Context } from '../../context';
import { batchLoader } from '../../common/batch-loader';
import { PageArgs, type Page } from '../../common/pagination';
import { Role } from '../../common/role';
import { Agency } from '../agency/agency.entity';
import { AgencyType, UserType } from '../agency/agency.types';
import { User } from '../agency/user.entity';
import { LeadReleaseInput } from '../outreach/consent.input';
import { forgetConsents, leadReleaseLoader } from '../outreach/consent.resolver';
import { ConsentType } from '../outreach/consent.types';
import { loadIdentityViews } from '../person/identity-view';
import { PersonType } from '../person/person.types';
import {
  AssignLeadCaseManagerArgs,
  LeadReferralsArgs,
  ReferToLeadInput,
  UpdateLeadStatusArgs,
} from './lead.input';
import {
  assignLeadCaseManager,
  getLeadReferral,
  listLeadFlags,
  listLeadReferrals,
  recordLeadRelease,
  referToLead,
  updateLeadStatus,
} from './lead.service';
import {
  LeadReferralConnection,
  LeadReferralDetailsType,
  LeadReferralFlagConnection,
  LeadReferralFlagType,
  LeadReferralType,
} from './lead.types';
import { loadById } from '../../common/load-by-id';

@Resolver(() => LeadReferralType)
export class LeadReferralResolver {
  @Query(() => LeadReferralConnection, {
    description: "Your program's LEAD referrals, by intake deadline (soonest first)",
  })
  leadReferrals(
    @Ctx() { em, viewer }: Context,
    @Args(() => LeadReferralsArgs) args: LeadReferralsArgs,
  ): Promise<Page<LeadReferralType>> {
    return listLeadReferrals(em, viewer, args);
  }

  @Query(() => LeadReferralType, { description: 'A LEAD referral to your program' })
  leadReferral(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
  ): Promise<LeadReferralType> {
    return getLeadReferral(em, viewer, id);
  }

  @Query(() => LeadReferralFlagConnection, {
    description: 'The LEAD referrals your agency made, newest first',
  })
  myLeadReferrals(
    @Ctx() { em, viewer }: Context,
    @Args(() => PageArgs) args: PageArgs,
  ): Promise<Page<LeadReferralFlagType>> {
    return listLeadFlags(em, viewer, args);
  }

  @Mutation(() => LeadReferralFlagType, {
    description: 'Refer a person to a LEAD program; you learn nothing downstream of it',
  })
  referToLead(
    @Ctx() { em, viewer, config }: Context,
    @Arg('input', () => ReferToLeadInput, { nullable: false, validate: false })
    input: ReferToLeadInput,
  ): Promise<LeadReferralFlagType> {
    return referToLead(em, viewer, config, input);
  }

  @Mutation(() => LeadReferralType, { description: 'Move a LEAD track to its next status' })
  updateLeadStatus(
    @Ctx() { em, viewer }: Context,
    @Args(() => UpdateLeadStatusArgs) args: UpdateLeadStatusArgs,
  ): Promise<LeadReferralType> {
    return updateLeadStatus(em, viewer, args);
  }

  @Mutation(() => LeadReferralType, {
    description: 'Give a referral a case manager (admin), or claim it (case manager)',
  })
  assignLeadCaseManager(
    @Ctx() { em, viewer }: Context,
    @Args(() => AssignLeadCaseManagerArgs) args: AssignLeadCaseManagerArgs,
  ): Promise<LeadReferralType> {
    return assignLeadCaseManager(em, viewer, args);
  }

  @Mutation(() => LeadReferralType, {
    description:
      'Record the release the person signed (SHARE_WITH_LEAD, naming your program). The ' +
      'version is checked, not changed.',
  })
  async recordLeadRelease(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
    @Arg('version', () => Int, { nullable: false }) version: number,
    @Arg('input', () => LeadReleaseInput, { nullable: false, validate: false })
    input: LeadReleaseInput,
  ): Promise<LeadReferralType> {
    const lead = await recordLeadRelease(ctx.em, ctx.viewer, ctx.config, { id, version, input });
    forgetConsents(ctx);
    return lead;
  }

  @FieldResolver(() => AgencyType)
  program(@Root() lead: LeadReferralType, @Ctx() ctx: Context): Promise<Agency | null> {
    return loadById(ctx.em, Agency, lead.programId);
  }

  @FieldResolver(() => UserType)
  caseManager(@Root() lead: LeadReferralType, @Ctx() ctx: Context): Promise<User | null> {
    return loadById(ctx.em, User, lead.caseManagerId);
  }

  /** The permission layer already checks the release; this keeps the vault shut regardless. */
  @FieldResolver(() => PersonType)
  async person(@Root() lead: LeadReferralType, @Ctx() ctx: Context): Promise<PersonType | null> {
    if (!lead.releaseInForce || ctx.viewer.role !== Role.LEAD_CASE_MANAGER || !lead.personId) {
      return null;
    }
    // Under a release the program reads what was reported on the report the referral was made
    // from (DESIGN.md matrix: what police entered on a referral; Rc otherwise), and beyond it
    // only the sources it may see (rules/source-visible.ts).
    const view = await leadPersonLoader(ctx).load(
      `${lead.personId}/${lead.referredIncidentId ?? ''}`,
    );
    // A police referral without an overdose has no report: what the officer entered for the
    // referral (its own source, stored on the referral) names the person instead.
    const officer = lead.referredIncidentId ? undefined : lead.referralDetails;
    if (!view || !officer) return view;
    return {
      ...view,
      firstName: view.firstName ?? officer.firstName,
      lastName: view.lastName ?? officer.lastName,
      dateOfBirth: view.dateOfBirth ?? officer.dateOfBirth,
    };
  }

  @FieldResolver(() => [ConsentType])
  releases(@Root() lead: LeadReferralType, @Ctx() ctx: Context): Promise<ConsentType[] | null> {
    if (ctx.viewer.role !== Role.LEAD_CASE_MANAGER) return Promise.resolve(null);
    return leadReleaseLoader(ctx).load(lead.id);
  }
}

@Resolver(() => LeadReferralDetailsType)
export class LeadReferralDetailsResolver {
  @FieldResolver(() => AgencyType)
  referringAgency(
    @Root() details: LeadReferralDetailsType,
    @Ctx() ctx: Context,
  ): Promise<Agency | null> {
    return loadById(ctx.em, Agency, details.referringAgencyId);
  }
}

/** The people of a page of referrals, each as the program may read them, in one statement. */
const leadPersonLoader = (ctx: Context) =>
  batchLoader<PersonType | null>(
    ctx,
    'lead.personView',
    async (keys) => {
      const pairs = keys.map((k) => k.split('/'));
      const views = await loadIdentityViews(
        ctx.em,
        ctx.viewer.agencyId,
        pairs.map(([personId]) => personId),
        pairs.flatMap(([, incidentId]) => (incidentId ? [incidentId] : [])),
      );
      return new Map(keys.map((k, i) => [k, views.get(pairs[i][0]) ?? null]));
    },
    null,
  );
