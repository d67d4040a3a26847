import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Agency } from './agency.entity';
import { CreateAgencyInput, REQUIRED, UpdateAgencyInput } from './agency.input';
import { AgencyType, MeType, UserType } from './agency.types';
import {
  createAgency,
  getAgency,
  listAgencies,
  setAgencyActive,
  setCaseDefinition,
  setVisitPolicy,
  setFamilySupport,
  updateAgency,
} from './agency.service';
import { CaseDefinitionName } from '../incident/case-definition';
import { User } from './user.entity';
import { ApiKey } from './api-key.entity';
import { ApiKeyType } from './agency.types';

@Resolver(() => MeType)
export class MeResolver {
  @Query(() => MeType, { description: 'Who the hub takes the caller to be' })
  me(@Ctx() { viewer }: Context): MeType {
    return {
      kind: viewer.kind as MeType['kind'],
      role: viewer.role,
      agencyId: viewer.agencyId,
      userId: viewer.userId,
      apiKeyId: viewer.apiKeyId,
    };
  }

  @FieldResolver(() => AgencyType)
  agency(@Root() me: MeType, @Ctx() { em }: Context): Promise<Agency> {
    return em.findOneOrFail(Agency, { id: me.agencyId });
  }

  @FieldResolver(() => UserType, { description: 'Null for an API key' })
  async user(@Root() me: MeType, @Ctx() { em }: Context): Promise<User | null> {
    return me.userId ? em.findOne(User, { id: me.userId }) : null;
  }

  @FieldResolver(() => ApiKeyType, { description: 'Null for a signed-in user' })
  async apiKey(@Root() me: MeType, @Ctx() { em }: Context): Promise<ApiKey | null> {
    return me.apiKeyId ? em.findOne(ApiKey, { id: me.apiKeyId }) : null;
  }
}

@Resolver(() => AgencyType)
export class AgencyResolver {
  @Query(() => [AgencyType])
  agencies(
    @Ctx() { em }: Context,
    @Arg('includeInactive', () => Boolean, { defaultValue: false }) includeInactive: boolean,
  ): Promise<Agency[]> {
    return listAgencies(em, includeInactive);
  }

  @Query(() => AgencyType)
  agency(@Ctx() { em }: Context, @Arg('id', () => ID, REQUIRED) id: string): Promise<Agency> {
    return getAgency(em, id);
  }

  @Mutation(() => AgencyType)
  createAgency(
    @Ctx() { em }: Context,
    @Arg('input', () => CreateAgencyInput, REQUIRED) input: CreateAgencyInput,
  ): Promise<Agency> {
    return createAgency(em, input);
  }

  @Mutation(() => AgencyType)
  updateAgency(
    @Ctx() { em }: Context,
    @Arg('id', () => ID, REQUIRED) id: string,
    @Arg('input', () => UpdateAgencyInput, REQUIRED) input: UpdateAgencyInput,
  ): Promise<Agency> {
    return updateAgency(em, id, input);
  }

  @Mutation(() => AgencyType, {
    description:
      'Chooses the case definition of the agency’s NEMSIS imports (agency admins: their own agency; hub admin: any, with agencyId)',
  })
  setCaseDefinition(
    @Ctx() { em, viewer }: Context,
    @Arg('definition', () => CaseDefinitionName, REQUIRED) definition: CaseDefinitionName,
    @Arg('agencyId', () => ID, { nullable: true }) agencyId: string | undefined,
  ): Promise<Agency> {
    return setCaseDefinition(em, viewer, agencyId ?? undefined, definition);
  }

  @Mutation(() => AgencyType, {
    description:
      'Whether outreach attempts with a uniformed officer present are refused (agency admins: their own agency; hub admin: any, with agencyId)',
  })
  setVisitPolicy(
    @Ctx() { em, viewer }: Context,
    @Arg('refuseUniformedOfficers', () => Boolean, REQUIRED) refuseUniformedOfficers: boolean,
    @Arg('agencyId', () => ID, { nullable: true }) agencyId: string | undefined,
  ): Promise<Agency> {
    return setVisitPolicy(em, viewer, agencyId ?? undefined, refuseUniformedOfficers);
  }

  @Mutation(() => AgencyType, {
    description:
      'Opts the agency in or out of family-support cases after a fatal overdose in its area (agency admins: their own agency; hub admin: any, with agencyId)',
  })
  setFamilySupport(
    @Ctx() { em, viewer }: Context,
    @Arg('offers', () => Boolean, REQUIRED) offers: boolean,
    @Arg('agencyId', () => ID, { nullable: true }) agencyId: string | undefined,
  ): Promise<Agency> {
    return setFamilySupport(em, viewer, agencyId ?? undefined, offers);
  }

  @Mutation(() => AgencyType, { description: 'Stops every user and API key of the agency at once' })
  deactivateAgency(
    @Ctx() { em }: Context,
    @Arg('id', () => ID, REQUIRED) id: string,
  ): Promise<Agency> {
    return setAgencyActive(em, id, false);
  }

  @Mutation(() => AgencyType)
  reactivateAgency(
    @Ctx() { em }: Context,
    @Arg('id', () => ID, REQUIRED) id: string,
  ): Promise<Agency> {
    return setAgencyActive(em, id, true);
  }
}
