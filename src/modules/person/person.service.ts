import type { EntityManager } from '@mikro-orm/postgresql';
import type { SurvivorInput } from '../incident/incident.input';
import type { OverdoseIncident } from '../incident/incident.entity';
import { personKey } from './person-key';
import { Person } from './person.entity';
import { ReportedIdentity } from './reported-identity.entity';

/**
 * Files a report's survivor identity in the vault: the same person (by person key) is reused and
 * their contact details refreshed with the newest report's; otherwise a new Person is made. The
 * name and date of birth as entered are kept apart for the reporting agency. Runs inside the
 * intake transaction; a concurrent report of the same new person surfaces as a unique-key
 * violation on person_key, which the caller retries. `knownNew` skips the lookup when the caller
 * has already checked, for a whole batch, that no person has this key.
 */
export async function filePersonFromReport(
  em: EntityManager,
  incident: OverdoseIncident,
  survivor: SurvivorInput,
  secret: string,
  knownNew = false,
): Promise<Person> {
  em.create(ReportedIdentity, {
    incident,
    firstName: survivor.firstName?.trim(),
    lastName: survivor.lastName?.trim(),
    dateOfBirth: survivor.dateOfBirth,
  });

  const key = personKey(secret, survivor.firstName, survivor.lastName, survivor.dateOfBirth);
  const existing = key && !knownNew ? await em.findOne(Person, { personKey: key }) : null;
  const person =
    existing ??
    em.create(Person, {
      personKey: key ?? undefined,
      firstName: survivor.firstName?.trim(),
      lastName: survivor.lastName?.trim(),
      dateOfBirth: survivor.dateOfBirth,
    });
  if (existing && !existing.firstName && !existing.lastName && !existing.dateOfBirth) {
    // Identity purged by retention (the key was kept so a returning person re-links): the new
    // report gives the vault the name and date of birth back.
    existing.firstName = survivor.firstName?.trim();
    existing.lastName = survivor.lastName?.trim();
    existing.dateOfBirth = survivor.dateOfBirth;
  }
  refreshContactDetails(person, survivor);
  return person;
}

/** Newer reports carry the more current phone and address; absent values never erase older ones. */
function refreshContactDetails(person: Person, survivor: SurvivorInput): void {
  if (survivor.phone) person.phone = survivor.phone.trim();
  const address = survivor.address;
  if (address && (address.street || address.city || address.zip)) {
    person.street = address.street?.trim();
    person.city = address.city?.trim();
    person.state = address.state;
    person.zip = address.zip;
  }
  if (survivor.sex) person.sex = survivor.sex;
  if (survivor.raceEthnicity?.length) person.raceEthnicity = survivor.raceEthnicity;
}
