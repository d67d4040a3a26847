import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { bulkFieldEncryptor, decryptField, readField } from '../src/crypto/field-cipher';
import { ENCRYPTED_COLUMNS } from '../src/modules/person/identity-reencrypt.service';
import { personKey } from '../src/modules/person/person-key';
import { ROLLUP_FROM_RAW_SQL } from '../src/modules/stats/stats-rollup';
import { BulkLoad, catalogFingerprint } from '../src/seed/synthetic/bulk-load';
import { copyText, isoFromEpochMs } from '../src/seed/synthetic/copy-rows';
import { FACT_ROWS_SQL } from '../src/seed/synthetic/fact-rows';
import { Generator } from '../src/seed/synthetic/generate';
import {
  encryptCopyText,
  encryptedColumnsOf,
  IdentityEncryptor,
} from '../src/seed/synthetic/identity-encryption';
import { Random } from '../src/seed/synthetic/random';
import { TABLES, type TableName } from '../src/seed/synthetic/tables';
import { ensureWorld } from '../src/seed/synthetic/world';
import { loadConfig, type ReadyConfig } from '../src/config';
import { migrateToLatest, openDatabase } from '../src/database';
import { startTestHub, TEST_SECRETS, type TestHub } from './support/hub';

const DAY = 86_400_000;
const describeOnPostgres = process.env.DATABASE_URL ? describe : describe.skip;

/** What the bulk load writes, checked without a database (runs on every run). */
describe('synthetic seed COPY text', () => {
  it('writes times as PostgreSQL reads to_timestamp(ms / 1000): to the microsecond, in UTC', () => {
    expect(isoFromEpochMs(Date.UTC(2025, 0, 31, 23, 59, 59, 999))).toBe(
      '2025-01-31T23:59:59.999000Z',
    );
    expect(isoFromEpochMs(Date.UTC(2024, 1, 29, 0, 0, 0))).toBe('2024-02-29T00:00:00Z');
    expect(isoFromEpochMs(Date.UTC(2024, 5, 1, 12, 30, 5, 7) + 0.4567)).toBe(
      '2024-06-01T12:30:05.007457Z',
    );
    // The same time twice in a row (created_at, updated_at), then another: no stale answer.
    const t = Date.UTC(2023, 11, 31, 23, 0, 0);
    expect(isoFromEpochMs(t)).toBe('2023-12-31T23:00:00Z');
    expect(isoFromEpochMs(t)).toBe('2023-12-31T23:00:00Z');
    expect(isoFromEpochMs(t + 3_600_000)).toBe('2024-01-01T00:00:00Z');
  });

  it('writes NULL as \\N, booleans as t/f, and escapes the characters COPY gives a meaning to', () => {
    const text = copyText(
      [
        ['a', 'text'],
        ['b', 'boolean'],
        ['c', 'integer'],
        ['d', 'epoch_ms'],
        ['e', 'text'],
      ],
      [
        ['x\ty', true, 3, 0, null],
        ['tab\there\nline\\', false, 0, null, undefined],
      ],
    );
    expect(text).toBe(
      'x\\ty\tt\t3\t1970-01-01T00:00:00Z\t\\N\n' + 'tab\\there\\nline\\\\\tf\t0\t\\N\t\\N\n',
    );
  });

  it('encrypts the identity columns of COPY text with the hub cipher, each value with its own IV', () => {
    const ring = { activeKeyId: 'k1', keys: new Map([['k1', randomBytes(32)]]) };
    const plain = copyText(
      [
        ['id', 'uuid'],
        ['first_name', 'text'],
        ['phone', 'text'],
      ],
      [
        ['00000000-0000-4000-8000-000000000001', 'Ana\tMaría', null],
        ['00000000-0000-4000-8000-000000000002', 'Ana\tMaría', '9195550100'],
      ],
    );
    const lines = encryptCopyText(bulkFieldEncryptor(ring), plain, [1, 2])
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(lines.map((l) => l[0])).toEqual([
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
    ]);
    expect(decryptField(ring, lines[0][1])).toBe('Ana\tMaría');
    expect(decryptField(ring, lines[1][1])).toBe('Ana\tMaría');
    expect(lines[0][1]).not.toBe(lines[1][1]);
    expect(lines[0][2]).toBe('\\N');
    expect(decryptField(ring, lines[1][2])).toBe('9195550100');
  });
});

/** The bulk-loaded rows must be rows the services could have written. */
describeOnPostgres('synthetic seed (bulk rows keep the invariants)', () => {
  let hub: TestHub;
  let client: Client;
  let runTag: string;
  let catalogBefore: string;
  let deceasedUpdates = 0;
  let loadWarnings: string[] = [];

  const generatorFor = (
    tag: string,
    random: Random,
    world: Awaited<ReturnType<typeof ensureWorld>>,
  ) =>
    new Generator(world, random, {
      now: Date.now(),
      runTag: tag,
      followUpOpensHours: 24,
      followUpDueHours: 72,
      maxAttempts: 5,
      leadIntakeDays: 14,
      personKeySecret: hub.config.personKeySecret,
    });
  const encryptorFor = () =>
    new IdentityEncryptor(
      hub.config.identityKeys,
      encryptedColumnsOf(hub.server.orm.getMetadata()),
    );

  beforeAll(async () => {
    hub = await startTestHub();
    client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    runTag = `t${Date.now().toString(36)}`;
    const random = new Random(7);
    const world = await ensureWorld(client, random);
    const now = Date.now();
    const generator = generatorFor(runTag, random, world);
    const keys = await client.query<{ k: string }>(
      'select left(person_key, 16) as k from person where person_key is not null',
    );
    generator.reserveKeys(keys.rows.map((r) => r.k));
    catalogBefore = await catalogFingerprint(client);
    const encryptor = encryptorFor();
    const load = await BulkLoad.begin(client, encryptor);
    // Two batches, so that changes to rows of the first are applied as updates.
    for (const half of [0, 1]) {
      for (let d = 0; d < 60; d++) generator.day(now - (120 - half * 60 - d) * DAY, 12);
      const { batch, updates } = generator.take();
      if (half === 1) {
        deceasedUpdates = updates.deceased.length;
      }
      await load.write(batch, updates);
    }
    await load.finish();
    loadWarnings = load.totals.warnings;
    await encryptor.close();
  }, 120_000);

  afterAll(async () => {
    await client.end();
    await hub.stop();
  });

  it('leaves every index, key, constraint and trigger of the loaded tables as it found them', async () => {
    expect(await catalogFingerprint(client)).toBe(catalogBefore);
    // Not vacuous: the fingerprint holds the indexes and keys the load dropped and rebuilt.
    expect(catalogBefore).toMatch(/index case_event case_event_case_id_index CREATE INDEX/);
    expect(catalogBefore).toMatch(/constraint case_event case_event_case_id_foreign FOREIGN KEY/);
    expect(catalogBefore).toMatch(
      /constraint case_event case_event_pkey PRIMARY KEY .* validated=t /,
    );
    expect(catalogBefore).toMatch(/trigger overdose_incident stats_rollup_incident_insert O/);
  });

  it('applied the changes to rows of the earlier batch', async () => {
    // The second batch closed cases of the first (the seed is fixed).
    expect(deceasedUpdates).toBeGreaterThan(0);
  });

  it('rebuilds the stats rollup to what the raw rows give', async () => {
    const { rows } = await client.query(
      `select (select count(*)::int from (select * from stats_rollup except ${ROLLUP_FROM_RAW_SQL}) a) as extra,
              (select count(*)::int from (${ROLLUP_FROM_RAW_SQL} except select * from stats_rollup) b) as missing,
              (select count(*)::int from stats_rollup) as cells`,
    );
    expect(rows[0]).toEqual({ extra: 0, missing: 0, cells: expect.any(Number) });
    expect(rows[0].cells).toBeGreaterThan(0);
  });

  it('rebuilds the statistics fact table to what its view computes from scratch', async () => {
    const { rows } = await client.query(
      `select (select count(*)::int from (select * from stats_fact except select * from stats_fact_source) a) as extra,
              (select count(*)::int from (select * from stats_fact_source except select * from stats_fact) b) as missing,
              (select count(*)::int from stats_fact f join overdose_incident i on i.id = f.unit_id
                where i.external_id like $1) as mine`,
      [`%-${runTag}-%`],
    );
    expect(rows[0]).toEqual({ extra: 0, missing: 0, mine: 1440 });
  });

  it('computed the fact rows set-based without falling back to the view', () => {
    // The sample check against the view (fact-rows.ts) found no difference.
    expect(loadWarnings).toEqual([]);
  });

  it('computes an event with co-reports as the view does: the doses and agencies of all its sources', async () => {
    // The generator makes no co-reports; a database the seeder adds to may hold some.
    await client.query('begin');
    try {
      const { rows: pair } = await client.query<{ id: string; doses: number }>(
        `select i.id, (select count(*)::int from naloxone_administration n where n.incident_id = i.id) as doses
           from overdose_incident i
          where i.external_id like $1
            and exists (select 1 from naloxone_administration n where n.incident_id = i.id)
          order by i.occurred_at limit 2`,
        [`%-${runTag}-%`],
      );
      await client.query('update overdose_incident set event_id = $1 where id = $2', [
        pair[0].id,
        pair[1].id,
      ]);
      const { rows } = await client.query(
        `select (select count(*)::int from ((${FACT_ROWS_SQL}) except (select * from stats_fact_source)) a) as extra,
                (select count(*)::int from ((select * from stats_fact_source) except (${FACT_ROWS_SQL})) b) as missing,
                (select doses from (${FACT_ROWS_SQL}) f where f.unit_id = $1) as doses`,
        [pair[0].id],
      );
      expect(rows[0]).toEqual({ extra: 0, missing: 0, doses: pair[0].doses + pair[1].doses });
    } finally {
      await client.query('rollback');
    }
  });

  it('gives every report of the run its own event, as the own-event trigger writes it', async () => {
    const { rows } = await client.query(
      `select count(*)::int as reports,
              count(e.id)::int as events,
              count(*) filter (where i.event_id <> i.id)::int as co_reports,
              count(*) filter (where e.occurred_at <> i.occurred_at or e.created_at <> i.created_at
                                  or e.updated_at <> i.created_at or e.county <> i.county
                                  or e.person_id is distinct from i.person_id
                                  or e.latitude is distinct from i.latitude
                                  or e.longitude is distinct from i.longitude
                                  or e.merged_into_id is not null or e.version <> 1)::int as differ,
              count(*) filter (where i.latitude is not null)::int as placed
         from overdose_incident i left join overdose_event e on e.id = i.event_id
        where i.external_id like $1`,
      [`%-${runTag}-%`],
    );
    expect(rows[0]).toMatchObject({ reports: 1440, events: 1440, co_reports: 0, differ: 0 });
    // Not vacuous: the place is compared as stored, ciphertext for ciphertext.
    expect(rows[0].placed).toBeGreaterThan(1000);
  });

  it('gives every incident one permanent record key, as the hub trigger does, and no orphan keys', async () => {
    const { rows } = await client.query(
      `select (select count(*)::int from overdose_incident i
                where not exists (select 1 from stats_record_key k where k.unit_id = i.id)) as without,
              (select count(*)::int from stats_record_key k
                where not exists (select 1 from overdose_incident i where i.id = k.unit_id)) as orphans,
              (select count(*)::int from stats_record_key where key < 0 or key >= 1048576) as out_of_range,
              (select count(distinct key)::int from stats_record_key k join overdose_incident i on i.id = k.unit_id
                where i.external_id like $1) as distinct_keys`,
      [`%-${runTag}-%`],
    );
    expect(rows[0]).toMatchObject({ without: 0, orphans: 0, out_of_range: 0 });
    // Drawn at random (20 bits), not one constant: 1,440 draws give well over 1,000 values.
    expect(rows[0].distinct_keys).toBeGreaterThan(1000);
  });

  it('switches the statistics triggers back on: a later write is counted by them again', async () => {
    const { rows: before } = await client.query(
      `select i.id, i.occurred_at, f.doses from overdose_incident i join stats_fact f on f.unit_id = i.id
        where i.external_id like $1 and not i.fatal limit 1`,
      [`%-${runTag}-%`],
    );
    const incident = before[0];
    await client.query('begin');
    try {
      await client.query(
        `insert into naloxone_administration (id, created_at, updated_at, incident_id, administered_at,
                                              dose_mg, route, administered_by, response)
         values (gen_random_uuid(), now(), now(), $1, $2, 4, 'IN', 'BYSTANDER', 'IMPROVED')`,
        [incident.id, incident.occurred_at],
      );
      // Facts follow at the commit (migration stats_fact_at_commit); this transaction is rolled
      // back, so it asks for them now.
      await client.query('set constraints stats_fact_flush immediate');
      const { rows } = await client.query(
        `select (select doses from stats_fact where unit_id = $1) as fact,
                (select count(*)::int from (select * from stats_rollup except ${ROLLUP_FROM_RAW_SQL}) a) as rollup_extra`,
        [incident.id],
      );
      expect(rows[0]).toEqual({ fact: incident.doses + 1, rollup_extra: 0 });
    } finally {
      await client.query('rollback');
    }
  });

  it('vacuums after the commit (a visibility map, for index-only counts)', async () => {
    const { rows } = await client.query(
      `select relallvisible from pg_class where oid = 'case_event'::regclass`,
    );
    expect(rows[0].relallvisible).toBeGreaterThan(0);
  });

  it('leaves the database as it was when the load fails (one transaction)', async () => {
    const random = new Random(8);
    const world = await ensureWorld(client, random);
    const tag = `f${Date.now().toString(36)}`;
    const generator = generatorFor(tag, random, world);
    const encryptor = encryptorFor();
    const load = await BulkLoad.begin(client, encryptor);
    for (let d = 0; d < 5; d++) generator.day(Date.now() - (10 - d) * DAY, 5);
    const { batch, updates } = generator.take();
    await load.write(batch, updates);
    // The same rows again: the primary keys, rebuilt at the end, refuse the duplicates.
    await load.write(batch, { deceased: [] });
    await expect(load.finish()).rejects.toThrow(/duplicate|unique/i);
    await encryptor.close();
    const { rows } = await client.query(
      `select count(*)::int as n from overdose_incident where external_id like $1`,
      [`%-${tag}-%`],
    );
    expect(rows[0].n).toBe(0);
    expect(await catalogFingerprint(client)).toBe(catalogBefore);
  });

  it('encrypts exactly the columns the hub stores encrypted', () => {
    const written = (table: TableName) => TABLES[table].map(([name]) => name);
    const expected = Object.fromEntries(
      Object.entries(ENCRYPTED_COLUMNS)
        // The seeder writes no contact records (outreach agencies record those).
        .filter(([table]) => table in TABLES)
        .map(([table, names]) => [
          table,
          (names as readonly string[])
            .filter((n) => written(table as TableName).includes(n))
            .map((n) => written(table as TableName).indexOf(n)),
        ])
        // Encrypted columns the seeder leaves empty (visit notes, LEAD details) need nothing.
        .filter(([, positions]) => (positions as number[]).length > 0),
    );
    expect(encryptedColumnsOf(hub.server.orm.getMetadata())).toEqual(expected);
  });

  it('stores every identity value a report entered encrypted and readable by the hub', async () => {
    // Identity follows its sources: the values are on each report's reported_identity row.
    const { rows } = await client.query<Record<string, string | null>>(
      `select r.first_name, r.last_name, r.date_of_birth, r.phone, r.street, r.city, r.zip
         from reported_identity r
         join overdose_incident i on i.id = r.incident_id
        where i.external_id like $1
        limit 200`,
      [`%-${runTag}-%`],
    );
    expect(rows.length).toBeGreaterThan(100);
    const ring = hub.config.identityKeys;
    for (const row of rows) {
      for (const value of Object.values(row)) {
        if (value === null) continue;
        expect(value).toMatch(/^v1:test1:/);
        expect(decryptField(ring, value).length).toBeGreaterThan(0);
      }
      expect(row.city).not.toBeNull();
    }
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
         count(*) filter (where c.status = 'CLOSED' and (c.triage_reason is not null or c.hold_reason is not null))::int as closed_still_triaged_or_held,
         count(*) filter (where c.status = 'REFERRED' and not exists (
           select 1 from referral r where r.case_id = c.id and r.status = 'REQUESTED'))::int as referred_without_request
         from ${mine()} c`,
    );
    expect(rows[0]).toEqual({
      unrouted: 0,
      unassigned: 0,
      engaged_without_consent: 0,
      closed_without_reason: 0,
      closed_still_triaged_or_held: 0,
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

/**
 * Into a fresh database (what `npm run seed:synthetic` usually meets): every loaded table starts
 * empty, so the load truncates it and writes with COPY FREEZE.
 */
describeOnPostgres('synthetic seed into an empty database (COPY FREEZE)', () => {
  // An empty DATABASE_URL means the embedded database, as everywhere else (the suite is skipped).
  const base = new URL(process.env.DATABASE_URL || 'postgresql://localhost/x');
  const name = `${base.pathname.slice(1)}_freeze_${Date.now().toString(36)}`;
  const url = Object.assign(new URL(base.href), { pathname: `/${name}` }).href;
  let admin: Client;
  let client: Client | undefined;

  beforeAll(async () => {
    admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const config = loadConfig({ NODE_ENV: 'test', ...TEST_SECRETS, DATABASE_URL: url });
    const database = await openDatabase(config);
    try {
      await migrateToLatest(database.orm);
    } finally {
      await database.close();
    }
  }, 120_000);

  afterAll(async () => {
    await client?.end();
    await admin.query(`drop database if exists "${name}"`);
    await admin.end();
  });

  it('writes frozen, all-visible rows and leaves the schema as it found it', async () => {
    client = new Client({ connectionString: url });
    await client.connect();
    const config = loadConfig({
      NODE_ENV: 'test',
      ...TEST_SECRETS,
      DATABASE_URL: url,
    }) as ReadyConfig;
    const database = await openDatabase(config);
    const metadata = database.orm.getMetadata();
    const random = new Random(9);
    const world = await ensureWorld(client, random);
    const before = await catalogFingerprint(client);
    const generator = new Generator(world, random, {
      now: Date.now(),
      runTag: 'fresh',
      followUpOpensHours: 24,
      followUpDueHours: 72,
      maxAttempts: 5,
      leadIntakeDays: 14,
      personKeySecret: config.personKeySecret,
    });
    const encryptor = new IdentityEncryptor(config.identityKeys, encryptedColumnsOf(metadata));
    await database.close();
    const load = await BulkLoad.begin(client, encryptor);
    // The generated tables and the events the load writes from their reports.
    expect([...load.frozen].sort()).toEqual([...Object.keys(TABLES), 'overdose_event'].sort());
    for (let d = 0; d < 40; d++) generator.day(Date.now() - (60 - d) * DAY, 10);
    const { batch, updates } = generator.take();
    await load.write(batch, updates);
    await load.finish();
    await encryptor.close();

    expect(await catalogFingerprint(client)).toBe(before);
    const { rows } = await client.query(
      `select (select count(*)::int from overdose_incident) as incidents,
              (select count(*)::int from case_event) > 0 as events,
              (select relallvisible from pg_class where oid = 'case_event'::regclass) as visible,
              (select relpages from pg_class where oid = 'case_event'::regclass) as pages,
              (select count(*)::int from stats_rollup) > 0 as rollup,
              (select count(*)::int from stats_fact) as facts,
              (select count(*)::int from stats_record_key) as keys,
              (select count(*)::int from (select * from stats_fact except select * from stats_fact_source) a) as fact_extra,
              (select count(*)::int from (select * from stats_fact_source except select * from stats_fact) b) as fact_missing`,
    );
    expect(rows[0]).toMatchObject({
      incidents: 400,
      events: true,
      rollup: true,
      facts: 400,
      keys: 400,
      fact_extra: 0,
      fact_missing: 0,
    });
    expect(rows[0].visible).toBe(rows[0].pages);
  });
});
