/**
 * An IANA time zone name the runtime knows (ICU's list, the same tz database PostgreSQL ships).
 * Only names made of letters, digits and `/_+-` pass, so a valid name is also safe to quote
 * into SQL as a literal.
 */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return false;
  // Building a DateTimeFormat is slow (ICU), and a statistics answer asks many times while it
  // writes its SQL (1.5 s of CPU in one test group); the answer for a name never changes while
  // the process runs. Only valid names are kept, and at most MAX_KNOWN_ZONES of them (ICU
  // accepts any letter case, so callers could otherwise grow the set with spellings of their own).
  if (KNOWN_ZONES.has(name)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return false;
  }
  if (KNOWN_ZONES.size < MAX_KNOWN_ZONES) KNOWN_ZONES.add(name);
  return true;
}

const KNOWN_ZONES = new Set<string>();
/** More than the tz database's ~600 names. */
const MAX_KNOWN_ZONES = 2_000;
