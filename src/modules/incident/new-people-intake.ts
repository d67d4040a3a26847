import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { insertJsonRows, type PlainRow } from '../../common/json-insert';
import type { ReadyConfig } from '../../config';
import type { Viewer } from '../../auth/viewer';
import { raiseAfterCommit } from '../../events/domain-events';
import type { AgencyRouter } from '../case/agency-router';
import {
  CaseStatus,
  CloseReason,
  ReferralStatus,
  ReferralType,
  TriageReason,
} from '../case/case-codes';
import { CaseEvent } from '../case/case-event.entity';
import { closedAtIntake, followUpWindow } from '../case/case-intake.service';
import { Case } from '../case/case.entity';
import { Referral } from '../case/referral.entity';
import { Person } from '../person/person.entity';
import { identityAsEntered, newPersonData } from '../person/person.service';
import { ReportedIdentity } from '../person/reported-identity.entity';
import { OverdoseIncident } from './incident.entity';
import type { ReportIncidentInput } from './incident.input';
import { incidentData, naloxoneData } from './incident-data';
import { intakeFacts } from './incident-validation';
import type { IntakeOptions } from './intake.service';
import { NaloxoneAdministration } from './naloxone-administration.entity';

/** A valid report whose survivor (if any) the hub has never filed, with their person key. */
export interface NewPersonReport {
  input: ReportIncidentInput;
  personKey: string | null;
}

type Row = PlainRow & { id: string };

/**
 * Writes reports of people new to the hub as one multi-row INSERT per table (insertJsonRows: no
 * unit of work and no entity per row, which was most of the cost of a 500-report batch), inside
 * the caller's transaction. The rows are the ones the entity path (`createReport`) writes for a
 * new person: the same field builders, the same triage rule (`closedAtIntake`) and the same
 * router (test/intake.test.ts and test/intake-batch.test.ts hold both paths to the same rules).
 * A new person has no earlier case to link and cannot have asked not to be contacted, so
 * nothing here reads the database.
 * Returns the incident ids in input order.
 */
export async function insertNewPeopleReports(
  tx: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  reports: NewPersonReport[],
  router: AgencyRouter,
  options: IntakeOptions = {},
): Promise<string[]> {
  const now = new Date();
  const stamped = () => ({ id: randomUUID(), createdAt: now, updatedAt: now });
  const rows = {
    people: [] as Row[],
    incidents: [] as Row[],
    doses: [] as Row[],
    identities: [] as Row[],
    cases: [] as Row[],
    events: [] as Row[],
    referrals: [] as Row[],
  };
  const routed: Array<{ caseId: string; agencyId: string }> = [];

  for (const { input, personKey } of reports) {
    const person = input.survivor
      ? {
          ...stamped(),
          raceEthnicity: [],
          doNotContact: false,
          doNotDiscloseToHousehold: true,
          ...newPersonData(personKey, input.survivor),
        }
      : undefined;
    const facts = intakeFacts(input, config, options, now);
    const incident = {
      ...stamped(),
      ...incidentData(tx, viewer, input),
      ...facts,
      person: person?.id,
    };
    if (person) {
      rows.people.push(person);
      rows.identities.push({
        ...stamped(),
        incident: incident.id,
        ...identityAsEntered(input.survivor!),
      });
    }
    rows.incidents.push({ ...incident, version: 1 });
    for (const dose of input.naloxone ?? []) {
      rows.doses.push({ ...stamped(), incident: incident.id, ...naloxoneData(dose) });
    }

    const kase: Row = {
      ...stamped(),
      person: person?.id,
      indexIncident: incident.id,
      county: input.county,
      ...followUpWindow(input.occurredAt, config.followUp),
      version: 1,
    };
    const event = (fromStatus: CaseStatus | undefined, toStatus: CaseStatus, reason: string) =>
      rows.events.push({ ...stamped(), case: kase.id, fromStatus, toStatus, reason });
    event(undefined, CaseStatus.REPORTED, 'REPORT_RECEIVED');
    event(CaseStatus.REPORTED, CaseStatus.TRIAGE, 'AUTOMATIC');
    const closedBecause = closedAtIntake(input.fatal, false, facts.historical);
    const target = closedBecause ? undefined : router.pick(input.county);
    if (closedBecause) {
      Object.assign(kase, {
        status: CaseStatus.CLOSED,
        closeReason: CloseReason.NOT_ELIGIBLE,
        closedAt: now,
      });
      event(CaseStatus.TRIAGE, CaseStatus.CLOSED, closedBecause);
    } else if (target) {
      Object.assign(kase, { status: CaseStatus.REFERRED, routedAgency: target });
      rows.referrals.push({
        ...stamped(),
        case: kase.id,
        toAgency: target,
        type: ReferralType.FOLLOW_UP_OUTREACH,
        status: ReferralStatus.REQUESTED,
      });
      event(CaseStatus.TRIAGE, CaseStatus.REFERRED, 'ROUTED');
      routed.push({ caseId: kase.id, agencyId: target });
    } else {
      Object.assign(kase, {
        status: CaseStatus.TRIAGE,
        triageReason: TriageReason.NO_COVERING_AGENCY,
      });
    }
    rows.cases.push(kase);
  }

  // Parents before children (foreign keys are checked per statement).
  await insertJsonRows(tx, Person, rows.people);
  await insertJsonRows(tx, OverdoseIncident, rows.incidents);
  await insertJsonRows(tx, NaloxoneAdministration, rows.doses);
  await insertJsonRows(tx, ReportedIdentity, rows.identities);
  await insertJsonRows(tx, Case, rows.cases);
  await insertJsonRows(tx, CaseEvent, rows.events);
  await insertJsonRows(tx, Referral, rows.referrals);

  rows.incidents.forEach((incident, i) =>
    raiseAfterCommit(tx, 'incidentReported', {
      agencyId: viewer.agencyId,
      incidentId: incident.id,
      county: reports[i].input.county,
    }),
  );
  for (const event of routed) raiseAfterCommit(tx, 'caseRouted', event);
  return rows.incidents.map((incident) => incident.id);
}
