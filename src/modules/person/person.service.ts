import type { EntityManager } from '@mikro-orm/postgresql';
import { personKey } from './person-key';
import { Person } from './person.entity';
import type { SurvivorInput } from './person.input';

/**
 * Files a report's survivor in the vault: the same person (by person key) is reused and their
 * contact details refreshed with the newest report's; otherwise a new Person is made. Runs inside
 * the caller's transaction; a concurrent report of the same new person surfaces as a unique-key
 * violation on person_key, which the caller retries.
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

/** A known person reported again: newer contact details; a purged identity filled back in. */
export function refreshFromReport(person: Person, survivor: SurvivorInput): void {
  if (!person.firstName && !person.lastName && !person.dateOfBirth) {
    // Identity purged by retention (the key was kept so a returning person re-links): the new
    // report gives the vault the name and date of birth back.
    Object.assign(person, identityAsEntered(survivor));
  }
  Object.assign(person, contactDetails(survivor));
}

/** Name and date of birth as the reporter entered them (trimmed): the ReportedIdentity row. */
export function identityAsEntered(
  survivor: SurvivorInput,
): Pick<Person, 'firstName' | 'lastName' | 'dateOfBirth'> {
  return {
    firstName: survivor.firstName?.trim(),
    lastName: survivor.lastName?.trim(),
    dateOfBirth: survivor.dateOfBirth,
  };
}

/** A vault entry for someone the hub has not met: identity and contact details from the report. */
export function newPersonData(
  key: string | null,
  survivor: SurvivorInput,
): Pick<Person, 'personKey' | 'firstName' | 'lastName' | 'dateOfBirth'> & ContactDetails {
  return {
    personKey: key ?? undefined,
    ...identityAsEntered(survivor),
    ...contactDetails(survivor),
  };
}

type ContactDetails = Partial<
  Pick<Person, 'phone' | 'street' | 'city' | 'state' | 'zip' | 'sex' | 'raceEthnicity'>
>;

/** Newer reports carry the more current phone and address; absent values never erase older ones. */
function contactDetails(survivor: SurvivorInput): ContactDetails {
  const details: ContactDetails = {};
  if (survivor.phone) details.phone = survivor.phone.trim();
  const address = survivor.address;
  if (address && (address.street || address.city || address.zip)) {
    details.street = address.street?.trim();
    details.city = address.city?.trim();
    details.state = address.state;
    details.zip = address.zip;
  }
  if (survivor.sex) details.sex = survivor.sex;
  if (survivor.raceEthnicity?.length) details.raceEthnicity = survivor.raceEthnicity;
  return details;
}
