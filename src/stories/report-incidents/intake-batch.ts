import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { insertJsonRows, type PlainRow } from '../../common/json-insert';
import type { ReadyConfig } from '../../config';
import type { Viewer } from '../../auth/viewer';
import { raiseAfterCommit } from '../../events/domain-events';
import { AgencyRouter } from '../../modules/case/workflow/agency-router';
import {
  closeForDeathCoReported,
  openCases,
  placeInEvents,
  type EventCandidate,
  type IntakeReport,
  type OpenedCase,
} from '../../modules/case/workflow/intake';
import {
  recordCoReportedAnswers,
  type ConsentedCase,
} from '../../modules/case/workflow/peer-contact';
import { incidentData, naloxoneData } from '../../modules/incident/incident-data';
import { intakeFacts } from '../../modules/incident/incident-validation';
import { OverdoseIncident } from '../../modules/incident/incident.entity';
import type { ReportIncidentInput } from '../../modules/incident/incident.input';
import { PeerContactAnswer } from '../../modules/incident/incident-codes';
import { NaloxoneAdministration } from '../../modules/incident/naloxone-administration.entity';
import { ReportedIdentity } from '../../modules/incident/reported-identity.entity';
import { OutcomeType } from '../../modules/outcome/outcome-codes';
import { Outcome } from '../../modules/outcome/outcome.entity';
import { Consent } from '../../modules/outreach/consent.entity';
import { ConsentMethod, ConsentScope } from '../../modules/outreach/outreach-codes';
import { doNotContactInForce } from '../../modules/person/do-not-contact';
import { personKey } from '../../modules/person/person-key';
import { Person } from '../../modules/person/person.entity';
import {
  identityAsEntered,
  newPersonData,
  refreshFromReport,
} from '../../modules/person/person.service';

type Row = PlainRow & { id: string };

/** A report's intake (never a referral here), with the answer to "may a peer contact you?". */
type ReportIntake = IntakeReport & { incidentId: string; peerContact?: PeerContactAnswer };

/**
 * How a batch is taken in. `backfill`: reports older than MAX_INCIDENT_AGE_DAYS are accepted as
 * history (stored, counted, linked to the person's other cases; never routed). `caseDefinition`:
 * the definition that admitted the reports, when the hub classified them (imports).
 */
export interface IntakeOptions {
  backfill?: boolean;
  caseDefinition?: { name: string; version: number };
}

interface KeyedReport {
  input: ReportIncidentInput;
  key: string | null;
  /** Position in the caller's list. */
  index: number;
}

/**
 * The one intake path, for 1 to 500 new reports, inside the caller's transaction: the story
 * of a report crosses incident (the report and its doses, the name as entered), person (the
 * vault) and the case workflow (the case, its timeline, routing and links), and records a repeat
 * or a death as an outcome on the person's earlier cases. Set-based throughout: the people the
 * batch names that the hub already knows are loaded and locked in one query, and every table gets
 * one multi-row INSERT (insertJsonRows). A person named twice in one batch is taken in a second
 * round of the same transaction, so the later report links to the earlier as a repeat, exactly
 * as if the two had been sent one after the other. Returns the incident ids in input order.
 */
export async function writeReports(
  tx: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  inputs: readonly ReportIncidentInput[],
  options: IntakeOptions = {},
): Promise<string[]> {
  const keyed: KeyedReport[] = inputs.map((input, index) => ({
    input,
    index,
    key: input.survivor
      ? personKey(
          config.personKeySecret,
          input.survivor.firstName,
          input.survivor.lastName,
          input.survivor.dateOfBirth,
        )
      : null,
  }));
  const router = await AgencyRouter.load(
    tx,
    inputs.map((i) => i.county),
    viewer.agencyId,
  );
  const ids: string[] = new Array(inputs.length);
  for (const round of rounds(keyed)) {
    const written = await writeRound(tx, viewer, config, round, router, options);
    round.forEach((report, i) => (ids[report.index] = written[i]));
  }
  return ids;
}

/** Splits the reports so that each person key appears at most once per round, in input order. */
function rounds(reports: KeyedReport[]): KeyedReport[][] {
  const result: KeyedReport[][] = [];
  const seen = new Map<string, number>();
  for (const report of reports) {
    const round = report.key === null ? 0 : (seen.get(report.key) ?? -1) + 1;
    if (report.key !== null) seen.set(report.key, round);
    (result[round] ??= []).push(report);
  }
  return result;
}

async function writeRound(
  tx: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  reports: KeyedReport[],
  router: AgencyRouter,
  options: IntakeOptions,
): Promise<string[]> {
  const keys = reports.flatMap((r) => (r.key ? [r.key] : []));
  // People already known, locked: their earlier cases may be closed by a death reported here.
  const knownPeople =
    keys.length === 0
      ? []
      : await tx.find(
          Person,
          { personKey: { $in: keys } },
          { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
        );
  const knownByKey = new Map(knownPeople.map((p) => [p.personKey!, p]));

  const now = new Date();
  const stamped = () => ({ id: randomUUID(), createdAt: now, updatedAt: now });
  const people: Row[] = [];
  const incidents: Row[] = [];
  const doses: Row[] = [];
  const identities: Row[] = [];
  const candidates: EventCandidate[] = [];
  const pending: ReportIntake[] = [];

  for (const { input, key } of reports) {
    let personId: string | undefined;
    let doNotContact = false;
    const known = key ? knownByKey.get(key) : undefined;
    if (known) {
      refreshFromReport(known, input.survivor!);
      personId = known.id;
      doNotContact = doNotContactInForce(known, now);
    } else if (input.survivor) {
      const person = {
        ...stamped(),
        doNotContact: false,
        ...newPersonData(key, input.survivor),
      };
      people.push(person);
      personId = person.id;
    }
    // History (a backfill older than the intake limit) and the case definition that admitted it.
    const facts = intakeFacts(input, config, options, now);
    const incident = {
      ...stamped(),
      ...incidentData(tx, viewer, input),
      ...facts,
      person: personId,
    };
    incidents.push({ ...incident, version: 1 });
    if (input.survivor) {
      identities.push({
        ...stamped(),
        incident: incident.id,
        ...identityAsEntered(input.survivor),
      });
    }
    for (const dose of input.naloxone ?? []) {
      doses.push({ ...stamped(), incident: incident.id, ...naloxoneData(dose) });
    }
    candidates.push({
      incidentId: incident.id,
      personId,
      personKnown: Boolean(known),
      named: Boolean(input.survivor),
      county: input.county,
      occurredAt: input.occurredAt,
      latitude: input.latitude,
      longitude: input.longitude,
      reportingAgencyId: viewer.agencyId,
    });
    pending.push({
      incidentId: incident.id,
      personId,
      county: input.county,
      occurredAt: input.occurredAt,
      fatal: input.fatal,
      doNotContact,
      historical: facts.historical,
      peerContactDeclined: input.consentToPeerContact === PeerContactAnswer.NO,
      peerContact: input.consentToPeerContact,
    });
  }

  // Parents before children (foreign keys are checked per statement): people, then the events
  // the reports open or join, then the reports.
  await insertJsonRows(tx, Person, people);
  const placements = await placeInEvents(tx, candidates, config.coReport);
  placements.forEach((placement, i) => (incidents[i].event = placement.eventId));
  await insertJsonRows(tx, OverdoseIncident, incidents);
  await insertJsonRows(tx, NaloxoneAdministration, doses);
  await insertJsonRows(tx, ReportedIdentity, identities);
  // A co-report (police and EMS at the same overdose) joins the event's one case: no case, no
  // repeat of its own.
  const intake = pending.filter((_, i) => !placements[i].joined);
  const opened = await openCases(tx, intake, router, config.followUp);
  await closeForDeathCoReported(
    tx,
    placements.flatMap((placement, i) =>
      placement.joined && pending[i].fatal ? [placement.eventId] : [],
    ),
  );

  // A repeat (or a death) is recorded on every earlier case of the person, closed or not.
  const outcomes: Row[] = [];
  opened.forEach(({ priorCaseIds }, i) => {
    const report = intake[i];
    for (const priorId of priorCaseIds) {
      outcomes.push({
        ...stamped(),
        case: priorId,
        type: report.fatal ? OutcomeType.FATAL_OVERDOSE : OutcomeType.REPEAT_OVERDOSE,
        occurredAt: report.occurredAt,
        sourceIncident: report.incidentId,
        automatic: true,
      });
    }
  });
  await insertJsonRows(tx, Outcome, outcomes);
  const coReported = await recordCoReportedAnswers(
    tx,
    placements.flatMap((placement, i) => {
      const answer = pending[i].peerContact;
      return placement.joined &&
        (answer === PeerContactAnswer.YES || answer === PeerContactAnswer.NO)
        ? [{ eventId: placement.eventId, answer, at: pending[i].occurredAt }]
        : [];
    }),
  );
  await insertJsonRows(tx, Consent, [
    ...peerContactConsents(viewer, intake, opened, now),
    ...coReported.map((c) => consentRow(viewer, c, now)),
  ]);
  await tx.flush();

  for (const report of pending) {
    raiseAfterCommit(tx, 'incidentReported', {
      agencyId: viewer.agencyId,
      incidentId: report.incidentId,
      county: report.county,
    });
  }
  return pending.map((r) => r.incidentId);
}

/**
 * "May a peer contact you?" — YES: a consent to follow-up contact, recorded at the scene by the
 * reporter, for the agency the new case went to (the person agreed to be contacted by the team
 * that follows up). Only a named person's case that was routed can carry one; the answer itself
 * stays on the report either way. A co-report's YES goes on its event's case (recordCoReportedAnswers).
 */
function peerContactConsents(
  viewer: Viewer,
  intake: readonly ReportIntake[],
  opened: readonly OpenedCase[],
  now: Date,
): Row[] {
  return intake.flatMap((report, i) => {
    const routedAgencyId = opened[i].routedAgencyId;
    if (report.peerContact !== PeerContactAnswer.YES || !report.personId || !routedAgencyId) {
      return [];
    }
    const consented = {
      caseId: opened[i].caseId,
      personId: report.personId,
      routedAgencyId,
      at: report.occurredAt,
    };
    return [consentRow(viewer, consented, now)];
  });
}

function consentRow(viewer: Viewer, consented: ConsentedCase, now: Date): Row {
  return {
    id: randomUUID(),
    createdAt: now,
    updatedAt: now,
    person: consented.personId,
    case: consented.caseId,
    scope: ConsentScope.CONTACT_FOR_FOLLOW_UP,
    grantedTo: consented.routedAgencyId,
    coversPolice: false,
    purpose: 'Peer contact for follow-up, agreed at the scene',
    method: ConsentMethod.VERBAL,
    grantedAt: consented.at,
    recordedById: (viewer.userId ?? viewer.apiKeyId)!,
  };
}
