import type { EntityManager } from '@mikro-orm/postgresql';
import { personKey } from './person-key';
import { Person } from './person.entity';
import type { SurvivorInput } from './person.input';
import type { RaceEthnicity, Sex } from './person-codes';

/**
 * The survivor as one reporter entered them (trimmed): the values of the report's
 * ReportedIdentity row, which carries its reporter. Nothing of it goes onto the Person, which
 * only links reports (identity follows its sources).
 */
export function identityAsEntered(survivor: SurvivorInput): {
  firstName?: string;
  lastName?: string;
  dateOfBirth?: string;
  phone?: string;
  street?: string;
  city?: string;
  state?: string;
  zip?: string;
  sex?: Sex;
  raceEthnicity: RaceEthnicity[];
} {
  const address = survivor.address;
  return {
    firstName: survivor.firstName?.trim() || undefined,
    lastName: survivor.lastName?.trim() || undefined,
    dateOfBirth: survivor.dateOfBirth,
    phone: survivor.phone?.trim() || undefined,
    street: address?.street?.trim() || undefined,
    city: address?.city?.trim() || undefined,
    state: address?.state,
    zip: address?.zip,
    sex: survivor.sex,
    raceEthnicity: survivor.raceEthnicity ?? [],
  };
}

/** A link for someone the hub has not met: the key and the demographics statistics count. */
export function newPersonData(
  key: string | null,
  survivor: SurvivorInput,
): Pick<Person, 'personKey' | 'sex' | 'raceEthnicity'> {
  return {
    personKey: key ?? undefined,
    sex: survivor.sex,
    raceEthnicity: survivor.raceEthnicity ?? [],
  };
}

/** A known person reported again: newer demographics for statistics, when the report has them. */
export function refreshFromReport(person: Person, survivor: SurvivorInput): void {
  if (survivor.sex) person.sex = survivor.sex;
  if (survivor.raceEthnicity?.length) person.raceEthnicity = survivor.raceEthnicity;
}

/**
 * Links an amended report's survivor: the same person (by person key) is reused, otherwise a new
 * link is made. Runs inside the caller's transaction; the values go onto the report's
 * ReportedIdentity, not here.
 */
export async function fileSurvivor(
  em: EntityManager,
  survivor: SurvivorInput,
  secret: string,
): Promise<Person> {
  const key = personKey(secret, survivor.firstName, survivor.lastName, survivor.dateOfBirth);
  const existing = key ? await em.findOne(Person, { personKey: key }) : null;
  if (!existing) return em.create(Person, newPersonData(key, survivor));
  refreshFromReport(existing, survivor);
  return existing;
}
