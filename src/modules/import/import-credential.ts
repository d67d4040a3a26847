import type { EntityManager } from '@mikro-orm/postgresql';
import { authenticate } from '../../auth/authenticate';
import { createTokenVerifier } from '../../auth/tokens';
import type { Viewer } from '../../auth/viewer';
import type { ReadyConfig } from '../../config';

/**
 * The importer reports as an agency's own API key or user, exactly as that client would over
 * HTTP: the credential goes through the same `authenticate` (revoked keys, deactivated users and
 * agencies are refused with the same UNAUTHENTICATED answer), and the records carry its id as
 * `reportedById`. The operator's database access is never used to act for an agency.
 */
export function importViewer(
  em: EntityManager,
  config: ReadyConfig,
  credential: string,
): Promise<Viewer> {
  return authenticate(`Bearer ${credential.trim()}`, em, createTokenVerifier(config.auth));
}
