import { randomBytes, randomUUID } from 'node:crypto';
import { Role } from '../../src/common/role';
import { AgencyKind } from '../../src/modules/agency/agency-kind';
import { CaseStatus } from '../../src/modules/case/case-codes';
import { Case } from '../../src/modules/case/case.entity';
import { OverdoseIncident } from '../../src/modules/incident/incident.entity';
import type { AgeBand } from '../../src/modules/person/age-band';
import { Sex } from '../../src/modules/person/person-codes';
import { Person } from '../../src/modules/person/person.entity';
import { makeAgency, makeUser, unique, type Actor } from './factories';
import { postGraphQL, type GraphQLResponse, type TestHub } from './hub';

/** POSTs an operation to /research/graphql. */
export function researchGql<T = Record<string, unknown>>(
  hub: TestHub,
  query: string,
  variables?: Record<string, unknown>,
  credential?: string,
): Promise<GraphQLResponse<T>> {
  return postGraphQL<T>(hub.server.researchUrl, query, variables, credential);
}

export const makeResearcher = (hub: TestHub): Promise<Actor> => makeUser(hub, Role.RESEARCHER);

export const EXTRACT_QUERY = `query($filter: ResearchExtractFilter!) {
  researchExtract(filter: $filter) {
    extractId k fromMonth toMonth rowCount suppressedRowCount
    rows { personKey month county ageBand sex fatal naloxoneGiven contacted engaged linked
           repeatOverdoseWithin90Days leadEnrolled }
  } }`;

export interface ExtractRow {
  personKey: string;
  month: string;
  county: string;
  ageBand: string;
  sex: string;
  fatal: boolean;
  naloxoneGiven: boolean;
  contacted: boolean;
  engaged: boolean;
  linked: boolean;
  repeatOverdoseWithin90Days: boolean;
  leadEnrolled: boolean;
}

export interface Extract {
  extractId: string;
  k: number;
  rowCount: number;
  suppressedRowCount: number;
  rows: ExtractRow[];
}

export interface OverdoseSpec {
  occurredAt: Date;
  ageBand?: AgeBand;
  sex?: Sex;
  fatal?: boolean;
  /** An existing person (a repeat overdose); a new one with a person key otherwise. */
  person?: Person;
  caseStatus?: CaseStatus;
}

/**
 * Overdoses written straight to the tables the extract reads (person, incident, case), many in
 * one flush: a k-anonymity group needs a dozen people and tests should not wait for intake.
 */
export async function makeOverdoses(
  hub: TestHub,
  county: string,
  specs: OverdoseSpec[],
): Promise<Array<{ person: Person; incident: OverdoseIncident; kase: Case }>> {
  const reporter = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
  const em = hub.em();
  const made = specs.map((spec) => {
    const person =
      spec.person ??
      em.create(Person, {
        personKey: randomBytes(32).toString('hex'),
        sex: spec.sex ?? Sex.FEMALE,
      });
    const incident = em.create(OverdoseIncident, {
      reportingAgency: reporter.id,
      externalId: `ext-${unique()}`,
      occurredAt: spec.occurredAt,
      county,
      fatal: spec.fatal ?? false,
      ageBand: spec.ageBand,
      person: spec.person ? em.getReference(Person, spec.person.id) : person,
      reportedById: randomUUID(),
    });
    const kase = em.create(Case, {
      person: spec.person ? em.getReference(Person, spec.person.id) : person,
      indexIncident: incident,
      county,
      status: spec.caseStatus ?? CaseStatus.TRIAGE,
      followUpOpensAt: new Date(spec.occurredAt.getTime() + 24 * 3_600_000),
      followUpDueAt: new Date(spec.occurredAt.getTime() + 72 * 3_600_000),
    });
    return { person, incident, kase };
  });
  await em.flush();
  return made;
}

/** `n` specs a day apart from `start`, all alike. */
export const alike = (n: number, start: Date, spec: Omit<OverdoseSpec, 'occurredAt'>) =>
  Array.from({ length: n }, (_, i) => ({
    ...spec,
    occurredAt: new Date(start.getTime() + i * 86_400_000),
  }));
