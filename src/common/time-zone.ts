/**
 * An IANA time zone name the runtime knows (ICU's list, the same tz database PostgreSQL ships).
 * Only names made of letters, digits and `/_+-` pass, so a valid name is also safe to quote
 * into SQL as a literal.
 */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
