import type { InForceWindow } from './in-force-window';

/**
 * "Agreement active": a data-sharing agreement not ended, started, not yet expired
 * (`effectiveTo` exclusive). Rendered by in-force-window.ts for SQL, ORM conditions and code.
 */
export const AGREEMENT_ACTIVE: InForceWindow = {
  endedEarly: 'endedAt',
  startsAt: 'effectiveFrom',
  endsAt: 'effectiveTo',
};
