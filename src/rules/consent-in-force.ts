import type { InForceWindow } from './in-force-window';

/**
 * "Consent in force": granted, not revoked, not expired (`expiresAt` exclusive). Rendered by
 * in-force-window.ts for SQL, ORM conditions and code.
 */
export const CONSENT_IN_FORCE: InForceWindow = {
  endedEarly: 'revokedAt',
  startsAt: 'grantedAt',
  endsAt: 'expiresAt',
};
