import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { HubConfig } from '../../config';
import type { OverdoseIncident } from '../incident/incident.entity';
import { OutcomeType } from '../outcome/outcome-codes';
import { Outcome } from '../outcome/outcome.entity';
import type { Person } from '../person/person.entity';
import { CaseStatus, CloseReason, TERMINAL_STATUSES } from './case-codes';
import { CaseEvent } from './case-event.entity';
import { Case } from './case.entity';
import { closeWithin } from './case-lifecycle.service';
import { recordTransition } from './case-timeline';
import type { AgencyRouter } from './agency-router';
import { referToBestAgency } from './case-routing.service';

const HOUR = 3_600_000;

/**
 * Opens the case for a new report and triages it, inside the intake transaction:
 * REPORTED → TRIAGE, then closed NOT_ELIGIBLE (fatal, or the person asked not to be contacted)
 * or routed. A repeat overdose links the new case to the person's earlier ones and records the
 * repeat (or death) as an outcome on them; it never reopens a closed case, and a death closes
 * the person's open cases as DECEASED. (Reports of people new to the hub take the set-based
 * path in new-people-intake.ts, with the same rules.)
 */
export async function openCaseForIncident(
  em: EntityManager,
  incident: OverdoseIncident,
  person: Person | undefined,
  router: AgencyRouter,
  followUp: HubConfig['followUp'],
): Promise<Case> {
  const kase = em.create(Case, {
    person,
    indexIncident: incident,
    county: incident.county,
    status: CaseStatus.REPORTED,
    ...followUpWindow(incident.occurredAt, followUp),
  });
  em.create(CaseEvent, { case: kase, toStatus: CaseStatus.REPORTED, reason: 'REPORT_RECEIVED' });
  recordTransition(em, kase, CaseStatus.TRIAGE, { reason: 'AUTOMATIC' });

  if (person) await linkPriorCases(em, kase, person, incident);

  const closedBecause = closedAtIntake(
    incident.fatal,
    person?.doNotContact ?? false,
    incident.historical,
  );
  if (closedBecause) {
    kase.closeReason = CloseReason.NOT_ELIGIBLE;
    recordTransition(em, kase, CaseStatus.CLOSED, { reason: closedBecause });
  } else {
    referToBestAgency(em, kase, router);
  }
  return kase;
}

/** The 24–72 h visit window (by default), counted from the overdose, not from the report. */
export function followUpWindow(
  occurredAt: Date,
  followUp: HubConfig['followUp'],
): { followUpOpensAt: Date; followUpDueAt: Date } {
  return {
    followUpOpensAt: new Date(occurredAt.getTime() + followUp.opensAfterHours * HOUR),
    followUpDueAt: new Date(occurredAt.getTime() + followUp.dueAfterHours * HOUR),
  };
}

/**
 * Why a new case closes at triage (as NOT_ELIGIBLE, with this timeline reason) instead of being
 * routed: nobody visits after a death, or someone who asked not to be contacted, or about an
 * overdose of long ago sent as history (a backfill).
 */
export function closedAtIntake(
  fatal: boolean,
  doNotContact: boolean,
  historical = false,
): 'FATAL' | 'DO_NOT_CONTACT' | 'HISTORICAL' | undefined {
  if (fatal) return 'FATAL';
  if (doNotContact) return 'DO_NOT_CONTACT';
  // A backfilled report of long ago: counted and linked, but nobody is sent to visit.
  if (historical) return 'HISTORICAL';
  return undefined;
}

async function linkPriorCases(
  em: EntityManager,
  kase: Case,
  person: Person,
  incident: OverdoseIncident,
): Promise<void> {
  // Locked: a fatal report closes the open ones, and a worker changing one at this moment must
  // then get CONFLICT rather than this report failing on the version check.
  const prior = await em.find(
    Case,
    { person: person.id, id: { $ne: kase.id } },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
  );
  if (prior.length === 0) return;
  kase.priorCases.add(prior);
  const type = incident.fatal ? OutcomeType.FATAL_OVERDOSE : OutcomeType.REPEAT_OVERDOSE;
  for (const earlier of prior) {
    em.create(Outcome, {
      case: earlier,
      type,
      occurredAt: incident.occurredAt,
      sourceIncident: incident,
      automatic: true,
    });
    // A death ends every open follow-up of that person, so no one visits a grieving household.
    // Closed like any other close: a hold and a pending referral request end with the case.
    if (incident.fatal && !TERMINAL_STATUSES.includes(earlier.status)) {
      await closeWithin(em, earlier, CloseReason.DECEASED, 'FATAL_OVERDOSE_REPORTED', undefined);
    }
  }
}
