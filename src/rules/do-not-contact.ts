import type { InForceWindow } from './in-force-window';

/**
 * "Do-not-contact in force": the person's explicit wish, recorded at `doNotContactSince`, holds
 * for every agency until the review date the worker set with it (exclusive; none: until lifted).
 * Lifting it clears `doNotContactSince`. Rendered by in-force-window.ts for SQL, ORM and code.
 */
export const DO_NOT_CONTACT_IN_FORCE: InForceWindow = {
  startsAt: 'doNotContactSince',
  endsAt: 'doNotContactReviewOn',
};
