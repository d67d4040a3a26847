import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseStatus, ReferralStatus, ReferralType } from '../src/modules/case/case-codes';
import { Case } from '../src/modules/case/case.entity';
import { Referral } from '../src/modules/case/referral.entity';
import {
  AdministeredBy,
  NaloxoneResponse,
  NaloxoneRoute,
} from '../src/modules/incident/incident-codes';
import { OverdoseIncident } from '../src/modules/incident/incident.entity';
import { NaloxoneAdministration } from '../src/modules/incident/naloxone-administration.entity';
import { OutreachAttempt } from '../src/modules/outreach/outreach-attempt.entity';
import { AttemptOutcome, ContactMethod } from '../src/modules/outreach/outreach-codes';
import { Person } from '../src/modules/person/person.entity';
import { makeAgency, makeAgreement, makeUser, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { listenForStatements } from './support/statements';

const HOUR = 3_600_000;

/** Relations selected on each case below: incident, naloxone, last attempt, agency, worker. */
const RELATIONS = 5;
const nested = (extra = '') => `query ($first: Int) {
  cases(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id status followUpDueAt overdue
      indexIncident { id occurredAt county naloxoneGiven
        naloxoneAdministrations { id administeredAt doseMg response } }
      lastAttempt { id attemptedAt outcome }
      routedAgency { id name }
      assignedWorker { id displayName }
      ${extra}
    } }
  }
}`;

type Node = {
  indexIncident: { naloxoneAdministrations: unknown[] } | null;
  lastAttempt: { outcome: string } | null;
  routedAgency: { id: string } | null;
  assignedWorker: { id: string } | null;
  person?: { id: string } | null;
};

describe('SQL statements per list request', () => {
  let hub: TestHub;
  let worker: Actor;
  let colleagues: Actor[];

  beforeAll(async () => {
    hub = await startTestHub();
    const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
    const reporter = await makeAgency(hub, AgencyKind.EMS);
    await makeAgreement(hub, reporter, outreach);
    worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
    // Cases held by colleagues, so no record is already in the caller's identity map.
    colleagues = [
      await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach }),
      await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach }),
    ];
    const county = outreach.serviceCounties[0];
    const em = hub.em();
    for (let i = 0; i < 120; i++) {
      const occurredAt = new Date(Date.now() - (100 + i) * HOUR);
      const holder = colleagues[i % colleagues.length];
      const person = em.create(Person, {});
      const incident = em.create(OverdoseIncident, {
        reportingAgency: reporter.id,
        externalId: `stmt-${randomUUID()}`,
        occurredAt,
        county,
        fatal: false,
        person,
        reportedById: randomUUID(),
      });
      for (const minutes of [5, 12]) {
        em.create(NaloxoneAdministration, {
          incident,
          administeredAt: new Date(occurredAt.getTime() + minutes * 60_000),
          doseMg: '4.00',
          route: NaloxoneRoute.IN,
          administeredBy: AdministeredBy.EMS,
          response: NaloxoneResponse.IMPROVED,
        });
      }
      const kase = em.create(Case, {
        person,
        indexIncident: incident,
        county,
        status: CaseStatus.OUTREACH,
        routedAgency: outreach.id,
        assignedWorker: holder.user.id,
        followUpOpensAt: new Date(occurredAt.getTime() + 24 * HOUR),
        followUpDueAt: new Date(occurredAt.getTime() + 72 * HOUR),
      });
      em.create(Referral, {
        case: kase,
        toAgency: outreach.id,
        type: ReferralType.FOLLOW_UP_OUTREACH,
        status: ReferralStatus.ACCEPTED,
      });
      for (const [hours, outcome] of [
        [30, AttemptOutcome.NO_ANSWER],
        [40, AttemptOutcome.WRONG_OR_DISCONNECTED_NUMBER],
      ] as const) {
        em.create(OutreachAttempt, {
          case: kase,
          worker: holder.user.id,
          method: ContactMethod.PHONE,
          attemptedAt: new Date(occurredAt.getTime() + hours * HOUR),
          outcome,
        });
      }
    }
    await em.flush();
  });
  afterAll(() => hub.stop());

  /** Statements the hub ran for one request, and the page it answered. */
  async function measure(first: number, query: string) {
    const listener = listenForStatements(hub);
    try {
      const response = await hub.gql<{ cases: { edges: Array<{ node: Node }> } }>(
        query,
        { first },
        worker.token,
      );
      expect(response.errors).toBeUndefined();
      return { statements: [...listener.statements], nodes: response.data!.cases.edges };
    } finally {
      listener.stop();
    }
  }

  it('is the same for 10 and 100 cases, at most 1 + the relations (+ the count)', async () => {
    await measure(5, nested()); // the pool connection and the schema are warm afterwards
    const ten = await measure(10, nested());
    const hundred = await measure(100, nested());

    // The pages are real and every relation came back filled in.
    expect(ten.nodes).toHaveLength(10);
    expect(hundred.nodes).toHaveLength(100);
    for (const { node } of [...ten.nodes, ...hundred.nodes]) {
      expect(node.indexIncident!.naloxoneAdministrations).toHaveLength(2);
      expect(node.lastAttempt!.outcome).toBe('WRONG_OR_DISCONNECTED_NUMBER');
      expect(node.routedAgency).not.toBeNull();
      expect(colleagues.map((c) => c.user.id)).toContain(node.assignedWorker!.id);
    }

    expect(ten.statements.length).toBeGreaterThan(0);
    expect(hundred.statements.length).toBe(ten.statements.length);
    // Authenticating the caller is one of them; the page with every relation is one more.
    expect(hundred.statements.length).toBeLessThanOrEqual(1 + RELATIONS + 1);
    expect(hundred.statements.filter((s) => /from overdose_case c/.test(s))).toHaveLength(1);
  });

  it('counts statements the ORM issues too: a relation it loads adds exactly one', async () => {
    const withPerson = nested('person { id }');
    await measure(5, withPerson);
    const ten = await measure(10, withPerson);
    const hundred = await measure(100, withPerson);
    const plain = await measure(10, nested());
    expect(hundred.nodes.every(({ node }) => node.person?.id)).toBe(true);
    expect(ten.statements.length).toBe(plain.statements.length + 1);
    expect(hundred.statements.length).toBe(ten.statements.length);
  });

  it('costs no more when the timeline and every attempt are on the page too', async () => {
    const busy = nested('timeline(withAttempts: true) { kind at } outreachAttempts { id }');
    await measure(5, busy);
    const ten = await measure(10, busy);
    const hundred = await measure(100, busy);
    expect(hundred.statements.length).toBe(ten.statements.length);
  });
});
