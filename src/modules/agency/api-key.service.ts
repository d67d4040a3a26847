import type { EntityManager } from '@mikro-orm/postgresql';
import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import { badInput, notFound } from '../../errors/hub-errors';
import { generateApiKey } from '../../auth/api-key-secret';
import type { Viewer } from '../../auth/viewer';
import { API_KEY_ROLES } from './agency-kind';
import { targetAgencyId } from './agency-scope';
import { ApiKey } from './api-key.entity';
import type { CreateApiKeyInput } from './agency.input';
import { assertRoleAllowed, loadAgency } from './user.service';

export async function listApiKeys(
  em: EntityManager,
  viewer: Viewer,
  agencyId: string | undefined,
  includeRevoked: boolean,
): Promise<ApiKey[]> {
  const agency = targetAgencyId(viewer, agencyId, 'agencyId');
  return em.find(
    ApiKey,
    { agency, ...(includeRevoked ? {} : { revokedAt: null }) },
    { orderBy: { createdAt: 'desc', id: 'asc' } },
  );
}

/** Returns the whole key once; only its hash is stored. */
export async function createApiKey(
  em: EntityManager,
  viewer: Viewer,
  input: CreateApiKeyInput,
): Promise<{ apiKey: ApiKey; key: string }> {
  const agency = await loadAgency(em, targetAgencyId(viewer, input.agencyId, 'input.agencyId'));
  if (!API_KEY_ROLES.includes(input.role)) {
    throw badInput({
      field: 'input.role',
      message: `API keys can have these roles: ${API_KEY_ROLES.join(', ')}`,
    });
  }
  assertRoleAllowed(viewer, agency, input.role, 'input.role');
  const { key, prefix, secretHash } = generateApiKey();
  const apiKey = em.create(ApiKey, {
    agency,
    role: input.role,
    label: input.label.trim(),
    prefix,
    secretHash,
    createdBy: viewer.userId,
  });
  await em.flush();
  return { apiKey, key };
}

export async function revokeApiKey(em: EntityManager, viewer: Viewer, id: string): Promise<ApiKey> {
  const scope = viewer.role === Role.HUB_ADMIN ? {} : { agency: viewer.agencyId };
  const apiKey = isUuid(id) ? await em.findOne(ApiKey, { id, ...scope }) : null;
  if (!apiKey) throw notFound('API key');
  apiKey.revokedAt ??= new Date();
  await em.flush();
  return apiKey;
}
