import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import type { Agency } from './agency.entity';
import { CreateApiKeyInput, REQUIRED } from './agency.input';
import { AgencyType, ApiKeyType, CreatedApiKeyType } from './agency.types';
import type { ApiKey } from './api-key.entity';
import { createApiKey, listApiKeys, revokeApiKey } from './api-key.service';

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  @Query(() => [ApiKeyType], { description: "API keys of the caller's agency" })
  apiKeys(
    @Ctx() { em, viewer }: Context,
    @Arg('agencyId', () => ID, { nullable: true, description: 'HUB_ADMIN only' })
    agencyId: string | undefined,
    @Arg('includeRevoked', () => Boolean, { defaultValue: false }) includeRevoked: boolean,
  ): Promise<ApiKey[]> {
    return listApiKeys(em, viewer, agencyId, includeRevoked);
  }

  @Mutation(() => CreatedApiKeyType)
  createApiKey(
    @Ctx() { em, viewer }: Context,
    @Arg('input', () => CreateApiKeyInput, REQUIRED) input: CreateApiKeyInput,
  ): Promise<{ apiKey: ApiKey; key: string }> {
    return createApiKey(em, viewer, input);
  }

  @Mutation(() => ApiKeyType)
  revokeApiKey(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, REQUIRED) id: string,
  ): Promise<ApiKey> {
    return revokeApiKey(em, viewer, id);
  }

  @FieldResolver(() => AgencyType)
  agency(@Root() apiKey: ApiKey): Promise<Agency> {
    return apiKey.agency.load() as Promise<Agency>;
  }
}
