import { DO_NOT_CONTACT_IN_FORCE } from '../../rules/do-not-contact';
import { isInForce } from '../../rules/in-force-window';
import type { Person } from './person.entity';

type DoNotContact = Pick<Person, 'doNotContactSince' | 'doNotContactReviewOn'>;

/** The person's "don't contact me" holds now (recorded, not lifted, review date not reached). */
export function doNotContactInForce(person: DoNotContact, at: Date = new Date()): boolean {
  return isInForce(DO_NOT_CONTACT_IN_FORCE, person, at);
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
