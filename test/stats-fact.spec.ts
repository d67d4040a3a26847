import { randomUUID } from 'node:crypto';

import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import {
  aggregateSql,
  FACT_FROM_SCRATCH,
  FOLLOW_UP_SPEC,
  OUTCOME_SPEC,
  OVERDOSE_SPEC,
  withSource,
  type AggregateSpec,
} from '../src/modules/stats/aggregate-sql';
import { sql } from '../src/common/sql';
import { StatsDimension } from '../src/modules/stats/stats-dimension';
import { makeAgency, makeUser, uniqueCounty } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { REPORT_MUTATION, reportInput } from './support/reports';
import { seedCases } from './support/stats-factory';

/** A fixed pseudo-random sequence: the same "random" data on every run, different per step. */
function prng(seed: number) {
  let state = seed;
  const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)],
  };
}

const UTC = { timeZone: 'UTC', fiscalYearStartMonth: 7 };

describe('statistics fact table: kept current, equal to the from-scratch computation', () => {
  let hub: TestHub;
  let connection: ReturnType<ReturnType<TestHub['em']>['getConnection']>;
  let agencyId: string;
  let workerId: string;
  const counties = [uniqueCounty(), uniqueCounty(), uniqueCounty()];

  beforeAll(async () => {
    hub = await startTestHub();
    connection = hub.em().getConnection();
    const agency = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: counties });
    agencyId = agency.id;
    workerId = (await makeUser(hub, Role.OUTREACH_WORKER)).user.id;
  });
  afterAll(() => hub.stop());

  const units = (): Promise<Array<{ id: string; person_id: string }>> =>
    connection.execute(
      `select id, person_id from overdose_incident where reporting_agency_id = ? order by id`,
      [agencyId],
    );

  /** Fact rows that differ from the view, either way (none when the triggers kept up). */
  async function differences(): Promise<unknown[]> {
    return connection.execute(
      `(select * from stats_fact where reporting_agency_id = ? except select * from stats_fact_source where reporting_agency_id = ?)
       union all
       (select * from stats_fact_source where reporting_agency_id = ? except select * from stats_fact where reporting_agency_id = ?)`,
      [agencyId, agencyId, agencyId, agencyId],
    );
  }

  /** Aggregate answers from the fact table and from scratch, for a few groupings. */
  async function sameAnswers(): Promise<void> {
    const where = sql('f.reporting_agency_id = ?::uuid', agencyId);
    const groupings: Array<[AggregateSpec, StatsDimension[]]> = [
      [OVERDOSE_SPEC, [StatsDimension.MONTH, StatsDimension.COUNTY]],
      [OVERDOSE_SPEC, [StatsDimension.SUBSTANCE_CATEGORY, StatsDimension.NALOXONE_GIVEN_BY]],
      [FOLLOW_UP_SPEC, [StatsDimension.QUARTER, StatsDimension.OFFICER_PRESENCE]],
      [OUTCOME_SPEC, [StatsDimension.SEX, StatsDimension.OUTCOME]],
    ];
    for (const [spec, groupBy] of groupings) {
      const order = (rows: Array<Record<string, unknown>>) =>
        rows.map((r) => JSON.stringify(r)).sort();
      const fact = aggregateSql(spec, groupBy, where, UTC);
      const scratch = aggregateSql(withSource(spec, FACT_FROM_SCRATCH), groupBy, where, UTC);
      const [a, b] = await Promise.all([
        connection.execute<Array<Record<string, unknown>>>(fact.text, fact.bindings),
        connection.execute<Array<Record<string, unknown>>>(scratch.text, scratch.bindings),
      ]);
      expect(a.length).toBeGreaterThan(0);
      expect(order(a)).toEqual(order(b));
    }
  }

  it('agrees after random reports, late reports, amendments, attempts, events, outcomes, LEAD and deletions', async () => {
    const r = prng(4242);
    const now = Date.UTC(2026, 5, 1);
    for (let batch = 0; batch < 6; batch++) {
      await seedCases(hub, {
        agencyId,
        county: r.pick(counties),
        // Late reports: some overdoses from months ago arrive now.
        occurredAt: new Date(now - r.int(200) * 86_400_000),
        count: 3 + r.int(8),
        spacingMinutes: 60 * (1 + r.int(48)),
        doses: r.int(3),
        contacted: r.int(4),
        attemptAfterHours: 10 + r.int(80),
        workerId,
        sex: r.pick(['FEMALE', 'MALE'] as const),
        fatal: r.next() < 0.15,
      });
    }
    // Repeat overdoses of one person, for the 30/90-day repeat measures.
    const person = randomUUID();
    await seedCases(hub, {
      agencyId,
      county: counties[0],
      occurredAt: new Date(now - 40 * 86_400_000),
      count: 3,
      spacingMinutes: 20 * 24 * 60,
      personId: person,
    });
    expect(await differences()).toEqual([]);
    await sameAnswers();

    const all = await units();
    const some = (n: number) =>
      `{${all
        .slice(0, n)
        .map((u) => u.id)
        .join(',')}}`;
    const pickIds = (n: number) => `{${Array.from({ length: n }, () => r.pick(all).id).join(',')}}`;
    const steps: Array<[string, string, unknown[]]> = [
      [
        'amend county and time',
        `update overdose_incident set county = ?, occurred_at = occurred_at - interval '35 days' where id = any(?::uuid[])`,
        [counties[2], pickIds(4)],
      ],
      [
        'amend fatal and substances',
        `update overdose_incident set fatal = not fatal, suspected_substances = '{FENTANYL,COCAINE}' where id = any(?::uuid[])`,
        [pickIds(3)],
      ],
      [
        'add naloxone',
        `insert into naloxone_administration (id, created_at, updated_at, incident_id, route, administered_by) select gen_random_uuid(), now(), now(), id, 'IN', 'BYSTANDER' from overdose_incident where id = any(?::uuid[])`,
        [pickIds(5)],
      ],
      [
        'remove naloxone',
        `delete from naloxone_administration where incident_id = any(?::uuid[])`,
        [pickIds(5)],
      ],
      [
        'engage and link',
        `insert into case_event (id, created_at, updated_at, case_id, from_status, to_status) select gen_random_uuid(), now(), now(), c.id, 'OUTREACH', s::case_status from overdose_case c, unnest('{ENGAGED,LINKED}'::text[]) s where c.index_incident_id = any(?::uuid[])`,
        [pickIds(4)],
      ],
      [
        'treatment outcome',
        `insert into outcome (id, created_at, updated_at, case_id, type, occurred_at) select gen_random_uuid(), now(), now(), c.id, 'MOUD_STARTED', now() from overdose_case c where c.index_incident_id = any(?::uuid[])`,
        [pickIds(3)],
      ],
      [
        'attempt with an officer present',
        `insert into outreach_attempt (id, created_at, updated_at, case_id, worker_id, method, attempted_at, outcome, team_present, officer_presence) select gen_random_uuid(), now(), now(), c.id, '${workerId}', 'VISIT', i.occurred_at + interval '30 hours', 'CONTACT_SURVIVOR_ENGAGED', '{}', 'UNIFORMED' from overdose_case c join overdose_incident i on i.id = c.index_incident_id where c.index_incident_id = any(?::uuid[])`,
        [pickIds(4)],
      ],
      [
        'LEAD enrolment by person',
        `insert into lead_referral (id, created_at, updated_at, person_id, program_id, referring_agency_id, referred_by_id, door, status, intake_deadline) values (gen_random_uuid(), now(), now(), ?::uuid, '${agencyId}', '${agencyId}', '${workerId}', 'SOCIAL_CONTACT', 'ACTIVE', now())`,
        [person],
      ],
      [
        'demographics',
        `update person set sex = 'MALE', race_ethnicity = '{BLACK_OR_AFRICAN_AMERICAN}' where id in (select person_id from overdose_incident where id = any(?::uuid[]))`,
        [pickIds(4)],
      ],
      [
        // Contact details live with their source (what a reporter entered, what an outreach
        // agency recorded): both change "has contact".
        'contact details as reported',
        `insert into reported_identity (id, created_at, updated_at, incident_id, phone, race_ethnicity)
         select gen_random_uuid(), now(), now(), id, 'sealed', '{}'
           from overdose_incident where id = any(?::uuid[])
         on conflict do nothing`,
        [pickIds(3)],
      ],
      [
        'contact details as recorded by an outreach agency',
        `insert into contact_record (id, created_at, updated_at, person_id, agency_id, street, address_set)
         select gen_random_uuid(), now(), now(), person_id, '${agencyId}', 'sealed', true
           from overdose_incident where id = any(?::uuid[]) and person_id is not null
         on conflict do nothing`,
        [pickIds(3)],
      ],
      [
        'entered in error',
        `update overdose_case set status = 'ENTERED_IN_ERROR' where index_incident_id = any(?::uuid[])`,
        [pickIds(2)],
      ],
      [
        'routed elsewhere and closed',
        `update overdose_case set routed_agency_id = null, status = 'CLOSED', close_reason = 'UNABLE_TO_CONTACT' where index_incident_id = any(?::uuid[])`,
        [pickIds(3)],
      ],
      [
        'a repeat moves in time',
        `update overdose_incident set occurred_at = occurred_at + interval '50 days' where person_id = ?::uuid and occurred_at = (select min(occurred_at) from overdose_incident where person_id = ?::uuid)`,
        [person, person],
      ],
      ['deleted reports', `delete from overdose_incident where id = any(?::uuid[])`, [some(2)]],
    ];
    for (const [name, text, bindings] of steps) {
      await connection.execute(text, bindings);
      expect([name, await differences()]).toEqual([name, []]);
    }
    await sameAnswers();
  });

  it('refreshes what a transaction touched when it commits, and forgets what it rolled back', async () => {
    const [unit] = await seedCases(hub, {
      agencyId,
      county: counties[0],
      occurredAt: new Date(Date.UTC(2026, 4, 1)),
      count: 1,
    });
    type Run = (text: string, bindings?: unknown[]) => Promise<unknown>;
    const outside: Run = (text, bindings = []) => connection.execute(text, bindings);
    const fatalInFact = async (run: Run = outside) =>
      (
        (await run(`select fatal from stats_fact where unit_id = ?`, [unit])) as Array<{
          fatal: boolean;
        }>
      )[0].fatal;
    const pending = async () =>
      Number(
        (
          await connection.execute<Array<{ n: string }>>(
            'select count(*) as n from stats_fact_pending',
          )
        )[0].n,
      );
    expect(await fatalInFact()).toBe(false);
    const flip = `update overdose_incident set fatal = not fatal where id = ?`;

    // Several statements on one unit: the fact row follows at the commit, not before.
    await hub.em().transactional(async (tx) => {
      const ctx = tx.getTransactionContext();
      const run: Run = (text, bindings = []) =>
        tx.getConnection().execute(text, bindings, 'all', ctx);
      await run(flip, [unit]);
      await run(`update overdose_incident set county = county where id = ?`, [unit]);
      expect(await fatalInFact(run)).toBe(false);
    });
    expect(await fatalInFact()).toBe(true);
    expect(await pending()).toBe(0);
    expect(await differences()).toEqual([]);

    // A rolled-back transaction, and a rolled-back savepoint in a committed one, change nothing.
    await expect(
      hub.em().transactional(async (tx) => {
        await tx.getConnection().execute(flip, [unit], 'run', tx.getTransactionContext());
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    await hub.em().transactional(async (tx) => {
      await expect(
        tx.transactional(async (inner) => {
          await inner.getConnection().execute(flip, [unit], 'run', inner.getTransactionContext());
          throw new Error('savepoint rolled back on purpose');
        }),
      ).rejects.toThrow('savepoint rolled back on purpose');
    });
    expect(await fatalInFact()).toBe(true);
    expect(await pending()).toBe(0);
    expect(await differences()).toEqual([]);
  });

  it('counts a new report in the aggregates as soon as its report is answered', async () => {
    const county = uniqueCounty();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const officer = await makeUser(hub, Role.POLICE_OFFICER, { agency: police });
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: police });
    const total = async () =>
      (
        await hub.gql<{ overdoseStats: { total: { incidents: { value: number } } } }>(
          '{ overdoseStats(groupBy: []) { total { incidents { value } } } }',
          {},
          admin.token,
        )
      ).data!.overdoseStats.total.incidents.value;
    expect(await total()).toBe(0);
    const reported = await hub.gql(REPORT_MUTATION, { input: reportInput(county) }, officer.token);
    expect(reported.errors).toBeUndefined();
    // Kept in the report's own transaction: no refresh job to wait for.
    expect(await total()).toBe(1);
  });
});
