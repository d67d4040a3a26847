/** Age bands of every aggregate and extract (domain.md §6.4: ages in bands, never exact). */
export const AGE_BANDS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export const UNKNOWN_AGE_BAND = 'UNKNOWN';

const LOWER_BOUNDS = [0, 18, 25, 35, 45, 55, 65];

/** The band of someone born on `dateOfBirth` (YYYY-MM-DD) at `at`; UNKNOWN when it makes no sense. */
export function ageBandOf(dateOfBirth: string | undefined | null, at: Date): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth ?? '');
  if (!match) return UNKNOWN_AGE_BAND;
  const [year, month, day] = match.slice(1).map(Number);
  let age = at.getUTCFullYear() - year;
  const beforeBirthday =
    at.getUTCMonth() + 1 < month || (at.getUTCMonth() + 1 === month && at.getUTCDate() < day);
  if (beforeBirthday) age -= 1;
  if (!Number.isFinite(age) || age < 0 || age > 120) return UNKNOWN_AGE_BAND;
  let band: string = AGE_BANDS[0];
  LOWER_BOUNDS.forEach((lower, i) => {
    if (age >= lower) band = AGE_BANDS[i];
  });
  return band;
}
