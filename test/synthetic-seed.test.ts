import { Client } from 'pg';
import { readField } from '../src/crypto/field-cipher';
import { personKey } from '../src/modules/person/person-key';
import { Generator } from '../src/seed/synthetic/generate';
import { Random } from '../src/seed/synthetic/random';
import { ensureWorld } from '../src/seed/synthetic/world';
import { writeBatch } from '../src/seed/synthetic/write-batch';
import { startTestHub, type TestHub } from './support/hub';

const DAY = 86_400_000;
const describeOnPostgres = process.env.DATABASE_URL ? describe : describe.skip;

/** The bulk-loaded rows must be rows the services could have written. */
describeOnPostgres('synthetic seed (bulk rows keep the invariants)', () => {
  let hub: TestHub;
  let client: Client;
  let runTag: string;

  beforeAll(async () => {
    hub = await startTestHub();
    client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    runTag = `t${Date.now().toString(36)}`;
    const random = new Random(7);
    const world = await ensureWorld(client, random);
    const now = Date.now();
    const generator = new Generator(world, random, {
      now,
      runTag,
      followUpOpensHours: 24,
      followUpDueHours: 72,
      maxAttempts: 5,
      leadIntakeDays: 14,
      personKeySecret: hub.config.personKeySecret,
      ring: hub.config.identityKeys,
    });
    const keys = await client.query<{ k: string }>(
      'select left(person_key, 16) as k from person where person_key is not null',
    );
    generator.reserveKeys(keys.rows.map((r) => r.k));
    // Two batches, so that changes to rows of the first are applied as updates.
    for (const half of [0, 1]) {
      for (let d = 0; d < 60; d++) generator.day(now - (120 - half * 60 - d) * DAY, 12);
      const { batch, updates } = generator.take();
      await writeBatch(client, batch, updates, {}, {});
    }
  }, 120_000);

  afterAll(async () => {
    await client.end();
    await hub.stop();
  });

  const cases = `(select c.* from overdose_case c join overdose_incident i on i.id = c.index_incident_id
                   where i.external_id like '%-${'$'}{tag}-%')`;
  const mine = () => cases.replace('${tag}', runTag);

  it('wrote the incidents of the run', async () => {
    const { rows } = await client.query(`select count(*)::int as n from ${mine()} c`);
    expect(rows[0].n).toBe(1440);
  });

  it("gives every case the status of its timeline's last entry, each entry following the last", async () => {
    const { rows } = await client.query(
      `select count(*) filter (where l.to_status <> c.status)::int as last_mismatch,
              (select count(*)::int from (
                 select e.from_status, lag(e.to_status) over (partition by e.case_id order by e.created_at, e.id) prev
                   from case_event e join ${mine()} k on k.id = e.case_id) x
                where x.prev is not null and x.from_status is distinct from x.prev) as broken
         from ${mine()} c
        cross join lateral (select to_status from case_event e where e.case_id = c.id
                             order by created_at desc, id desc limit 1) l`,
    );
    expect(rows[0]).toEqual({ last_mismatch: 0, broken: 0 });
  });

  it('routes, assigns and consents as the state machine requires', async () => {
    const { rows } = await client.query(
      `select
         count(*) filter (where c.status not in ('REPORTED','TRIAGE','CLOSED') and c.routed_agency_id is null)::int as unrouted,
         count(*) filter (where c.status in ('ASSIGNED','OUTREACH','ENGAGED') and c.assigned_worker_id is null)::int as unassigned,
         count(*) filter (where c.status = 'ENGAGED' and not exists (
           select 1 from consent cn where cn.case_id = c.id and cn.scope = 'CONTACT_FOR_FOLLOW_UP'
              and cn.granted_to_id = c.routed_agency_id))::int as engaged_without_consent,
         count(*) filter (where c.status = 'CLOSED' and (c.close_reason is null or c.closed_at is null))::int as closed_without_reason,
         count(*) filter (where c.status = 'REFERRED' and not exists (
           select 1 from referral r where r.case_id = c.id and r.status = 'REQUESTED'))::int as referred_without_request
         from ${mine()} c`,
    );
    expect(rows[0]).toEqual({
      unrouted: 0,
      unassigned: 0,
      engaged_without_consent: 0,
      closed_without_reason: 0,
      referred_without_request: 0,
    });
  });

  it('leaves nothing behind when a third party answered or nobody was at the address', async () => {
    const { rows } = await client.query(
      `select count(*)::int as n from outreach_attempt a join ${mine()} c on c.id = a.case_id
        where a.outcome in ('THIRD_PARTY_ANSWERED', 'NOT_AT_ADDRESS')
          and (a.naloxone_kits_for_person > 0 or a.naloxone_kits_for_family > 0
               or a.fentanyl_test_strips > 0 or a.overdose_prevention_literature)`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('encrypts identity and keys each person by the HMAC of the name and birth date reported', async () => {
    const { rows } = await client.query<{
      key: string;
      first_name: string;
      last_name: string;
      date_of_birth: string;
    }>(
      `select p.person_key as key, ri.first_name, ri.last_name, ri.date_of_birth
         from reported_identity ri
         join overdose_incident i on i.id = ri.incident_id and i.external_id like '%-${runTag}-%'
         join person p on p.id = i.person_id
        limit 200`,
    );
    expect(rows.length).toBeGreaterThan(100);
    const ring = hub.config.identityKeys;
    for (const row of rows) {
      expect(row.first_name.startsWith('v1:')).toBe(true);
      const key = personKey(
        hub.config.personKeySecret,
        readField(ring, row.first_name),
        readField(ring, row.last_name),
        readField(ring, row.date_of_birth),
      );
      expect(key).toBe(row.key);
    }
  });

  it('links a repeat overdose to the earlier cases of the same person only', async () => {
    const { rows } = await client.query(
      `select count(*)::int as links,
              count(*) filter (where p.person_id is distinct from c.person_id
                                  or p.created_at > c.created_at)::int as wrong
         from case_link l join ${mine()} c on c.id = l.case_id
         join overdose_case p on p.id = l.prior_case_id`,
    );
    expect(rows[0].links).toBeGreaterThan(0);
    expect(rows[0].wrong).toBe(0);
  });
});
