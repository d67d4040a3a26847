import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import { badInput, notFound } from '../../errors/hub-errors';
import type { Viewer } from '../../auth/viewer';

/**
 * Which agency an administrative request acts on. An agency admin always acts on its own agency
 * (naming another answers like a missing one); the hub admin must say which agency it means.
 */
export function targetAgencyId(
  viewer: Viewer,
  requested: string | undefined,
  field: string,
): string {
  if (viewer.role === Role.HUB_ADMIN) {
    if (!requested) throw badInput({ field, message: 'is required for a hub administrator' });
    if (!isUuid(requested)) throw notFound('Agency');
    return requested;
  }
  if (requested && requested !== viewer.agencyId) throw notFound('Agency');
  return viewer.agencyId;
}
