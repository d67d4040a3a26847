import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { ReadyConfig } from '../../config';
import { badInput, forbidden, type FieldProblem } from '../../errors/hub-errors';
import { validateInput } from '../../errors/validation-problems';
import { ReferralSource } from '../../modules/case/case-codes';
import { getCase } from '../../modules/case/case.service';
import type { CaseType } from '../../modules/case/case.types';
import { AgencyRouter } from '../../modules/case/workflow/agency-router';
import { actorOf } from '../../modules/case/workflow/case-lock';
import { openCases } from '../../modules/case/workflow/intake';
import { liftPeerContactDecline } from '../../modules/case/workflow/peer-contact';
import { dateOfBirthProblem } from '../../modules/incident/incident-validation';
import { ContactRecord } from '../../modules/person/contact-record.entity';
import { doNotContactInForce, liftDoNotContact } from '../../modules/person/do-not-contact';
import { personKey } from '../../modules/person/person-key';
import { Person } from '../../modules/person/person.entity';
import {
  identityAsEntered,
  newPersonData,
  refreshFromReport,
} from '../../modules/person/person.service';
import type { OpenReferralInput } from './open-referral.input';

const DAY = 86_400_000;

/**
 * More doors in (issue 14 point 2): a referral without an overdose report opens a case for the
 * caller's agency, which must run follow-up. What the referral says of the person is stored as
 * that agency's ContactRecord (identity follows its sources: nobody else sees it but under a
 * consent the agency records), linked by the person key to the person's other cases. The case is
 * referred to the agency like a routed report, counted apart from overdoses (it has no report).
 * A self-referral is the person re-engaging: their "don't contact me" and a NO to peer contact
 * given at a scene are lifted. One transaction: nothing is half-written.
 */
export async function openReferral(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  input: OpenReferralInput,
): Promise<CaseType> {
  const agencyId = viewer.agencyId;
  if (!agencyId || !viewer.runsFollowUp) {
    throw forbidden('Referrals are taken in by staff of an agency running follow-up');
  }
  const now = new Date();
  const problems = await referralProblems(input, config, now);
  if (problems.length > 0) throw badInput(problems);
  const source = input.source!;
  const referredAt = input.referredAt ?? now;
  const person = input.person;
  const key = personKey(
    config.personKeySecret,
    person.firstName,
    person.lastName,
    person.dateOfBirth,
  );

  const caseId = await em.fork().transactional(async (tx) => {
    const known = key
      ? await tx.findOne(
          Person,
          { personKey: key },
          { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
        )
      : null;
    const vault = known ?? tx.create(Person, newPersonData(key, person));
    if (known) refreshFromReport(known, person);
    const selfReferral = source === ReferralSource.SELF;
    if (known && selfReferral && doNotContactInForce(known, now)) liftDoNotContact(known);
    await recordAsAgency(tx, vault, agencyId, actorOf(viewer), input);
    await tx.flush();
    if (known && selfReferral) {
      await liftPeerContactDecline(tx, known.id, 'SELF_REFERRAL', actorOf(viewer));
    }

    const [opened] = await openCases(
      tx,
      [
        {
          referral: { source, agencyId },
          personId: vault.id,
          county: input.county,
          occurredAt: referredAt,
          fatal: false,
          doNotContact: doNotContactInForce(vault, now),
        },
      ],
      // A referral goes to the agency that took it in: no candidate is ever looked up.
      await AgencyRouter.load(tx, [], agencyId),
      config.followUp,
    );
    return opened.caseId;
  });
  return getCase(em, viewer, caseId);
}

/** The referral's values, as the agency's own record of the person (one per person and agency). */
async function recordAsAgency(
  tx: EntityManager,
  person: Person,
  agencyId: string,
  actorId: string | undefined,
  input: OpenReferralInput,
): Promise<void> {
  const values = identityAsEntered(input.person);
  const record =
    (person.id ? await tx.findOne(ContactRecord, { person: person.id, agencyId }) : null) ??
    tx.create(ContactRecord, { person, agencyId });
  record.recordedById = actorId;
  if (values.firstName || values.lastName || values.dateOfBirth) {
    record.firstName = values.firstName;
    record.lastName = values.lastName;
    record.dateOfBirth = values.dateOfBirth;
  }
  if (values.phone) {
    record.phone = values.phone;
    record.phoneSet = true;
  }
  if (values.street || values.city || values.zip || values.state) {
    Object.assign(record, {
      street: values.street,
      city: values.city,
      state: values.state,
      zip: values.zip,
      addressSet: true,
    });
  }
}

async function referralProblems(
  input: OpenReferralInput,
  config: ReadyConfig,
  now: Date,
): Promise<FieldProblem[]> {
  const problems = await validateInput(input, 'input');
  if (!input.source) {
    problems.push({
      field: 'input.source',
      message: `is required: where the referral came from (${Object.values(ReferralSource).join(', ')})`,
    });
  }
  const at = input.referredAt?.getTime();
  if (at !== undefined) {
    if (at > now.getTime() + config.intake.clockSkewMinutes * 60_000) {
      problems.push({ field: 'input.referredAt', message: 'is in the future' });
    } else if (at < now.getTime() - config.intake.maxIncidentAgeDays * DAY) {
      problems.push({
        field: 'input.referredAt',
        message: `is more than ${config.intake.maxIncidentAgeDays} days ago`,
      });
    }
  }
  const person = input.person;
  if (person && !(person.firstName?.trim() || person.lastName?.trim()) && !person.phone?.trim()) {
    problems.push({ field: 'input.person', message: 'needs a name or a phone to reach them by' });
  }
  const dob = person?.dateOfBirth;
  if (dob && /^\d{4}-\d{2}-\d{2}$/.test(dob)) {
    const problem = dateOfBirthProblem(dob, now);
    if (problem) problems.push({ field: 'input.person.dateOfBirth', message: problem });
  }
  return problems;
}
