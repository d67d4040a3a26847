import type { CaseView } from '../api/operations';

/**
 * 42 CFR Part 2 in the field app: a case that is, or holds, a record a Part 2 program created
 * shows the redisclosure notice the hub sent with it (`extensions.part2Notice`), word for word.
 * The text comes from the hub, never from the app, so it is always the one the hub sends.
 */
export function carriesPart2(c: CaseView): boolean {
  return (
    c.part2Protected === true ||
    [...(c.outreachAttempts ?? []), ...(c.consents ?? []), ...(c.serviceReferrals ?? [])].some(
      (r) => r.part2Protected === true,
    )
  );
}

/** The notice to show on a case's screen, or null (no Part 2 record, or no notice received). */
export function part2NoticeFor(c: CaseView, notice: string | null): string | null {
  return notice && carriesPart2(c) ? notice : null;
}
