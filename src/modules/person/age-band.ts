import { registerEnumType } from 'type-graphql';

/**
 * Age at the overdose in the bands published statistics use (domain.md §6.4: ages in bands).
 * Stored on the incident so that aggregates and research extracts group by it in SQL: the date
 * of birth itself is encrypted in the vault and never leaves it.
 */
export enum AgeBand {
  UNDER_15 = 'UNDER_15',
  AGE_15_24 = 'AGE_15_24',
  AGE_25_34 = 'AGE_25_34',
  AGE_35_44 = 'AGE_35_44',
  AGE_45_54 = 'AGE_45_54',
  AGE_55_64 = 'AGE_55_64',
  AGE_65_PLUS = 'AGE_65_PLUS',
}

registerEnumType(AgeBand, {
  name: 'AgeBand',
  description: 'Age at the overdose, in bands; no finer age is ever published',
});

const LOWER_BOUNDS: ReadonlyArray<[number, AgeBand]> = [
  [65, AgeBand.AGE_65_PLUS],
  [55, AgeBand.AGE_55_64],
  [45, AgeBand.AGE_45_54],
  [35, AgeBand.AGE_35_44],
  [25, AgeBand.AGE_25_34],
  [15, AgeBand.AGE_15_24],
  [0, AgeBand.UNDER_15],
];

/** Completed years between a YYYY-MM-DD birth date and the overdose (UTC), banded; else undefined. */
export function ageBandAt(dateOfBirth: string | undefined | null, at: Date): AgeBand | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth ?? '');
  if (!match || Number.isNaN(at.getTime())) return undefined;
  const [year, month, day] = match.slice(1).map(Number);
  const beforeBirthday =
    at.getUTCMonth() + 1 < month || (at.getUTCMonth() + 1 === month && at.getUTCDate() < day);
  const age = at.getUTCFullYear() - year - (beforeBirthday ? 1 : 0);
  if (age < 0 || age > 130) return undefined;
  return LOWER_BOUNDS.find(([lower]) => age >= lower)?.[1];
}
