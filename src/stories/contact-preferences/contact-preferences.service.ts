import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { badInput, type FieldProblem } from '../../errors/hub-errors';
import { validateInput } from '../../errors/validation-problems';
import { actorOf, changeCase } from '../../modules/case/workflow/case-lock';
import { touch } from '../../modules/case/workflow/timeline';
import type { Case } from '../../modules/case/case.entity';
import { getCase } from '../../modules/case/case.service';
import type { CaseType } from '../../modules/case/case.types';
import { workablePerson } from '../../modules/outreach/consent.service';
import {
  ContactPreferencesInput,
  PersonContactInput,
  SAFE_CONTACT_TIMES_MAX,
} from '../../modules/person/contact-preferences.input';
import { ContactRecord } from '../../modules/person/contact-record.entity';

interface PersonChange<T> {
  caseId: string;
  version: number;
  input: T;
}

/** The outreach worker of the case records how the person wants to be reached. */
export async function updateContactPreferences(
  em: EntityManager,
  viewer: Viewer,
  args: PersonChange<ContactPreferencesInput>,
): Promise<CaseType> {
  const { input } = args;
  const problems = await shapeProblems(ContactPreferencesInput, input);
  if (input.doNotDiscloseToHousehold === null) {
    problems.push({ field: 'input.doNotDiscloseToHousehold', message: 'cannot be null' });
  }
  const times = typeof input.safeContactTimes === 'string' ? input.safeContactTimes.trim() : null;
  if (times && times.length > SAFE_CONTACT_TIMES_MAX) {
    problems.push({
      field: 'input.safeContactTimes',
      message: `must be at most ${SAFE_CONTACT_TIMES_MAX} characters`,
    });
  }
  problems.push(
    ...nothingGiven(input, [
      'preferredContactMethod',
      'safeContactTimes',
      'doNotDiscloseToHousehold',
    ]),
  );
  if (problems.length > 0) throw badInput(problems);

  await changePerson(em, viewer, args, (record) => {
    if (input.preferredContactMethod !== undefined) {
      record.preferredContactMethod = input.preferredContactMethod ?? undefined;
    }
    if (input.safeContactTimes !== undefined) record.safeContactTimes = times || undefined;
    if (typeof input.doNotDiscloseToHousehold === 'boolean') {
      record.doNotDiscloseToHousehold = input.doNotDiscloseToHousehold;
    }
  });
  return getCase(em, viewer, args.caseId);
}

/** The outreach worker of the case corrects the person's phone or home address. */
export async function updatePersonContact(
  em: EntityManager,
  viewer: Viewer,
  args: PersonChange<PersonContactInput>,
): Promise<CaseType> {
  const { input } = args;
  const problems = await shapeProblems(PersonContactInput, input);
  problems.push(...nothingGiven(input, ['phone', 'address']));
  if (problems.length > 0) throw badInput(problems);

  await changePerson(em, viewer, args, (record) => {
    // Only what the worker gave becomes the agency's value; nothing it merely saw (a reporter's
    // value reached it under an agreement, which does not let it pass the value on).
    if (input.phone !== undefined) {
      record.phone = input.phone?.trim() || undefined;
      record.phoneSet = true;
    }
    if (input.address !== undefined) {
      record.addressSet = true;
      record.street = input.address?.street?.trim() || undefined;
      record.city = input.address?.city?.trim() || undefined;
      record.state = input.address?.state ?? undefined;
      record.zip = input.address?.zip ?? undefined;
    }
  });
  return getCase(em, viewer, args.caseId);
}

/**
 * Changes what the caller's agency recorded about the person of a case it works (its
 * ContactRecord, made on first use), under the case's lock and version: identity follows its
 * sources, so a worker's change is its agency's value and never overwrites another agency's.
 * The case version goes up, so a second worker editing from the same read gets a CONFLICT
 * instead of silently overwriting the first.
 */
async function changePerson(
  em: EntityManager,
  viewer: Viewer,
  args: { caseId: string; version: number },
  change: (record: ContactRecord) => void,
): Promise<void> {
  await changeCase(em, viewer, args, async (tem, kase: Case) => {
    const personId = await workablePerson(tem, kase);
    const record =
      (await tem.findOne(ContactRecord, { person: personId, agencyId: viewer.agencyId })) ??
      tem.create(ContactRecord, { person: personId, agencyId: viewer.agencyId });
    record.recordedById = actorOf(viewer);
    change(record);
    touch(kase);
  });
}

function shapeProblems<T extends object>(
  InputClass: new () => T,
  input: T,
): Promise<FieldProblem[]> {
  const instance = input instanceof InputClass ? input : Object.assign(new InputClass(), input);
  return validateInput(instance, 'input');
}

function nothingGiven<T extends object>(input: T, keys: Array<keyof T>): FieldProblem[] {
  return keys.some((k) => input[k] !== undefined)
    ? []
    : [{ field: 'input', message: `give at least one of ${keys.join(', ')}` }];
}
