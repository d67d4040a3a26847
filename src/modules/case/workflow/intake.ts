import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { insertJsonRows, type PlainRow } from '../../../common/json-insert';
import { pgArray } from '../../../common/sql';
import type { HubConfig } from '../../../config';
import { raiseAfterCommit } from '../../../events/domain-events';
import {
  CaseStatus,
  CloseReason,
  ReferralSource,
  ReferralStatus,
  ReferralType,
  TriageReason,
} from '../case-codes';
import { CaseEvent } from '../case-event.entity';
import { Case } from '../case.entity';
import { Referral } from '../referral.entity';
import type { AgencyRouter } from './agency-router';
import { closeCases } from './close';
import { openFamilySupportCases } from './family-support';
import { lockCandidateEvents, matchEvent, type CoReportRule, type EventProbe } from './co-report';

const HOUR = 3_600_000;

/**
 * What the workflow needs of a stored report to open its case, or of a referral that came
 * without one (`referral`: no incident; the case goes to the agency that took it in).
 */
export interface IntakeReport {
  /** The index report; undefined for a referral. */
  incidentId?: string;
  referral?: { source: ReferralSource; agencyId: string };
  /** The survivor's vault entry (new or known); undefined when the report names no one. */
  personId?: string;
  county: string;
  occurredAt: Date;
  fatal: boolean;
  /** The person asked not to be contacted (a known person's standing wish). */
  doNotContact: boolean;
  /**
   * A backfilled report older than the intake limit: counted and linked to the person's other
   * cases, but nobody is sent to visit (closed NOT_ELIGIBLE, timeline reason HISTORICAL).
   */
  historical?: boolean;
  /** The person said NO at the scene to peer contact: routed, but no attempt until they re-engage. */
  peerContactDeclined?: boolean;
}

/** The case opened for one report, and the person's earlier cases it was linked to. */
export interface OpenedCase {
  caseId: string;
  priorCaseIds: string[];
  /** The agency the case went to (undefined: it stayed in triage or closed). */
  routedAgencyId?: string;
}

type Row = PlainRow & { id: string };

/** A new report about to be stored (its id chosen), to be placed in an overdose event. */
export interface EventCandidate extends EventProbe {
  incidentId: string;
}

/** Where a report went: the event it opened (its own id) or the open event it joined. */
export interface EventPlacement {
  eventId: string;
  /** A co-report of an event already open: no case of its own, no repeat. */
  joined: boolean;
}

/**
 * One overdose, one event: places each new report of a batch (1 to 500) in the open event it
 * co-reports (workflow/co-report.ts: the same person within hours, or unnamed at the same place
 * and time), or opens a new event with the report's id. Set-based: the candidate events are
 * loaded and locked in one statement and the joined ones versioned in one UPDATE, before the
 * reports are inserted; a report that opens its event writes it as it is inserted (trigger
 * overdose_incident_own_event). Only reports that opened an event go on to `openCases`.
 */
export async function placeInEvents(
  tx: EntityManager,
  reports: readonly EventCandidate[],
  rule: CoReportRule,
): Promise<EventPlacement[]> {
  const open = await lockCandidateEvents(tx, reports, rule);
  const joined = new Set<string>();
  const placements = reports.map((report) => {
    const event = matchEvent(report, open, rule);
    if (!event) return { eventId: report.incidentId, joined: false };
    joined.add(event.id);
    return { eventId: event.id, joined: true };
  });
  if (joined.size > 0) {
    // A merge that read these events before now must see that they changed (CONFLICT).
    await tx
      .getConnection()
      .execute(
        'update overdose_event set version = version + 1, updated_at = ? where id = any(?::uuid[])',
        [new Date(), pgArray([...joined])],
        'run',
        tx.getTransactionContext(),
      );
  }
  return placements;
}

/**
 * THE intake of cases, for 1 to 500 reports at once, inside the caller's transaction (the
 * incidents are already inserted). Set-based: the earlier cases of every person the batch names
 * are loaded and locked in one query; the new cases, their timeline entries, routing requests and
 * links to earlier cases are written as one multi-row INSERT per table, routed in memory by
 * `router`. Each new case goes REPORTED → TRIAGE, then is routed (or stays in TRIAGE with the
 * reason); a person who asked not to be contacted gets a case routed DO_NOT_CONTACT_ON_FILE
 * (seen and counted by the agency, no referral request, attempts refused); a fatal report's case
 * is closed DECEASED through the one close (closeCases), which also closes the person's open
 * cases, and agencies that support families get a family-support case (family-support.ts). A backfilled report of long ago (historical) is closed NOT_ELIGIBLE as HISTORICAL and
 * never routed.
 * A repeat overdose links the new case to every earlier one and never reopens them.
 *
 * A person appears at most once per call (the caller sends a second report of the same person
 * in a later call of the same transaction, so it links to the first). Returns, in input order,
 * each new case and the earlier cases it was linked to.
 */
export async function openCases(
  tx: EntityManager,
  reports: readonly IntakeReport[],
  router: AgencyRouter,
  followUp: HubConfig['followUp'],
): Promise<OpenedCase[]> {
  const earlier = await lockEarlierCases(tx, reports);
  const now = new Date();
  const stamped = () => ({ id: randomUUID(), createdAt: now, updatedAt: now });
  const cases: Row[] = [];
  const events: Row[] = [];
  const referrals: Row[] = [];
  const links: Array<[string, string]> = [];
  const toClose: Array<{ caseId: string; reason: CloseReason; timelineReason: string }> = [];
  const routed: Array<{ caseId: string; agencyId: string }> = [];
  const opened: OpenedCase[] = [];

  for (const report of reports) {
    const kase: Row = {
      ...stamped(),
      person: report.personId,
      indexIncident: report.incidentId,
      ...(report.referral
        ? {
            referralSource: report.referral.source,
            intakeAgency: report.referral.agencyId,
            referredAt: report.occurredAt,
          }
        : {}),
      peerContactDeclinedAt: report.peerContactDeclined ? report.occurredAt : undefined,
      county: report.county,
      status: CaseStatus.TRIAGE,
      ...(report.referral
        ? referralWindow(report.occurredAt, followUp)
        : followUpWindow(report.occurredAt, followUp)),
      version: 1,
    };
    const event = (fromStatus: CaseStatus | undefined, toStatus: CaseStatus, reason: string) =>
      events.push({ ...stamped(), case: kase.id, fromStatus, toStatus, reason });
    event(
      undefined,
      CaseStatus.REPORTED,
      report.referral ? 'REFERRAL_RECEIVED' : 'REPORT_RECEIVED',
    );
    event(CaseStatus.REPORTED, CaseStatus.TRIAGE, 'AUTOMATIC');

    const prior = report.personId ? (earlier.get(report.personId) ?? []) : [];
    for (const priorId of prior) links.push([kase.id, priorId]);
    const openedCase: OpenedCase = { caseId: kase.id, priorCaseIds: prior };
    opened.push(openedCase);

    if (report.fatal) {
      toClose.push({ caseId: kase.id, reason: CloseReason.DECEASED, timelineReason: 'FATAL' });
    } else if (report.historical) {
      toClose.push({
        caseId: kase.id,
        reason: CloseReason.NOT_ELIGIBLE,
        timelineReason: 'HISTORICAL',
      });
    } else {
      // A referral goes to the agency that took it in: it holds what the referral said.
      const target = report.referral ? report.referral.agencyId : router.pick(report.county);
      openedCase.routedAgencyId = target;
      if (target && report.doNotContact) {
        // Visible to the agency and counted, but nobody is asked to reach out.
        Object.assign(kase, { status: CaseStatus.DO_NOT_CONTACT_ON_FILE, routedAgency: target });
        event(CaseStatus.TRIAGE, CaseStatus.DO_NOT_CONTACT_ON_FILE, 'DO_NOT_CONTACT');
      } else if (target) {
        Object.assign(kase, { status: CaseStatus.REFERRED, routedAgency: target });
        referrals.push({
          ...stamped(),
          case: kase.id,
          toAgency: target,
          type: ReferralType.FOLLOW_UP_OUTREACH,
          status: ReferralStatus.REQUESTED,
        });
        event(CaseStatus.TRIAGE, CaseStatus.REFERRED, 'ROUTED');
        routed.push({ caseId: kase.id, agencyId: target });
      } else {
        kase.triageReason = TriageReason.NO_COVERING_AGENCY;
      }
    }
    cases.push(kase);
  }

  // Parents before children (foreign keys are checked per statement).
  await insertJsonRows(tx, Case, cases);
  await insertJsonRows(tx, CaseEvent, events);
  await insertJsonRows(tx, Referral, referrals);
  await insertLinks(tx, links);
  await closeAtIntake(tx, toClose);
  // A death found only in a backfill of long ago is not a family to reach now.
  await openFamilySupportCases(
    tx,
    reports.flatMap((r) =>
      r.fatal && !r.historical && r.incidentId ? [{ ...r, incidentId: r.incidentId }] : [],
    ),
  );
  await tx.flush();
  for (const event of routed) raiseAfterCommit(tx, 'caseRouted', event);
  return opened;
}

/**
 * A co-report that says the person died (EMS at the scene, the medical examiner an hour later)
 * closes its event's one case DECEASED through the one close, with the person's other open cases,
 * and opens the family-support cases the death calls for (once per death and agency).
 */
export async function closeForDeathCoReported(
  tx: EntityManager,
  eventIds: readonly string[],
): Promise<void> {
  if (eventIds.length === 0) return;
  const cases = await tx.find(
    Case,
    { indexIncident: { $in: [...new Set(eventIds)] } },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
  );
  await closeCases(tx, cases, {
    reason: CloseReason.DECEASED,
    timelineReason: 'FATAL_CO_REPORT',
    otherCasesReason: 'FATAL_OVERDOSE_REPORTED',
  });
  // The death reaches the agencies that support families, as a fatal first report would.
  await openFamilySupportCases(
    tx,
    cases.map((kase) => ({
      incidentId: kase.indexIncident!.id,
      personId: kase.person?.id,
      county: kase.county,
    })),
  );
  await tx.flush();
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
 * A referral's visit window: no overdose to let settle, so it opens when the referral is made and
 * is due as long after as an overdose's is after its window opens (48 h by default).
 */
export function referralWindow(
  referredAt: Date,
  followUp: HubConfig['followUp'],
): { followUpOpensAt: Date; followUpDueAt: Date } {
  const span = (followUp.dueAfterHours - followUp.opensAfterHours) * HOUR;
  return { followUpOpensAt: referredAt, followUpDueAt: new Date(referredAt.getTime() + span) };
}

/**
 * Every earlier case of the people the reports name, in one statement, locked: a fatal report
 * closes the open ones, and a worker changing one at this moment must then get CONFLICT rather
 * than this report failing on the version check. Id order keeps two batches from locking in
 * opposite orders.
 */
async function lockEarlierCases(
  tx: EntityManager,
  reports: readonly IntakeReport[],
): Promise<Map<string, string[]>> {
  const personIds = [...new Set(reports.flatMap((r) => (r.personId ? [r.personId] : [])))];
  const byPerson = new Map<string, string[]>();
  if (personIds.length === 0) return byPerson;
  const earlier = await tx.find(
    Case,
    { person: { $in: personIds } },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
  );
  for (const kase of earlier) {
    const list = byPerson.get(kase.person!.id) ?? [];
    list.push(kase.id);
    byPerson.set(kase.person!.id, list);
  }
  return byPerson;
}

async function insertLinks(tx: EntityManager, links: Array<[string, string]>): Promise<void> {
  if (links.length === 0) return;
  await tx.getConnection().execute(
    `insert into case_link (case_id, prior_case_id)
     select * from unnest(?::uuid[], ?::uuid[])`,
    [pgArray(links.map(([id]) => id)), pgArray(links.map(([, prior]) => prior))],
    'run',
    tx.getTransactionContext(),
  );
}

/** The new cases that close at triage, through the one close, loaded in one statement. */
async function closeAtIntake(
  tx: EntityManager,
  toClose: Array<{ caseId: string; reason: CloseReason; timelineReason: string }>,
): Promise<void> {
  if (toClose.length === 0) return;
  const loaded = await tx.find(Case, { id: { $in: toClose.map((c) => c.caseId) } });
  const byId = new Map(loaded.map((kase) => [kase.id, kase]));
  const groups = new Map<string, { reason: CloseReason; timelineReason: string; cases: Case[] }>();
  for (const { caseId, reason, timelineReason } of toClose) {
    const key = `${reason}:${timelineReason}`;
    const group = groups.get(key) ?? { reason, timelineReason, cases: [] };
    group.cases.push(byId.get(caseId)!);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    await closeCases(tx, group.cases, {
      reason: group.reason,
      timelineReason: group.timelineReason,
      // The person's earlier cases learn of the death from this report.
      otherCasesReason: 'FATAL_OVERDOSE_REPORTED',
    });
  }
}
