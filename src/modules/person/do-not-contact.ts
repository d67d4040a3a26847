import { isDoNotContactInForce, type DoNotContactState } from '../../rules/do-not-contact';
import type { Person } from './person.entity';

/** The person's "don't contact me" holds now (recorded, not lifted, review date not reached). */
export function doNotContactInForce(person: DoNotContactState, at: Date = new Date()): boolean {
  return isDoNotContactInForce(person, at);
}

/** Only the person's explicit wish sets it; a review date makes it lapse then. */
export function setDoNotContact(person: Person, reviewOn: Date | undefined, at: Date): void {
  person.doNotContact = true;
  person.doNotContactSince = at;
  person.doNotContactReviewOn = reviewOn;
}

/** The person asked for help again: the wish is lifted. */
export function liftDoNotContact(person: Person): void {
  person.doNotContact = false;
  person.doNotContactSince = undefined;
  person.doNotContactReviewOn = undefined;
}
