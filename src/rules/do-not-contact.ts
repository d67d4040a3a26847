/**
 * "Do-not-contact in force", written once: the person's explicit wish (`doNotContact`) holds for
 * every agency until the review date the worker set with it (exclusive; none: until lifted).
 */
export interface DoNotContactState {
  doNotContact?: boolean | null;
  doNotContactReviewOn?: Date | null;
}

/** The rule on a loaded person at `at`. */
export function isDoNotContactInForce(person: DoNotContactState, at: Date): boolean {
  const review = person.doNotContactReviewOn;
  return person.doNotContact === true && (!review || review.getTime() > at.getTime());
}
