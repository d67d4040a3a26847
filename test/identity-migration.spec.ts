import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, type ReadyConfig } from '../src/config';
import { encryptField, readField } from '../src/crypto/field-cipher';
import { identityKeyRing } from '../src/crypto/identity-keys';
import { openDatabase, type Database } from '../src/database';
import { TEST_SECRETS } from './support/hub';

/**
 * Issue 13 point 6 on data written the old way: an embedded database migrated up to just before
 * the "declining is not do-not-contact" and "identity follows its sources" migrations, filled
 * the way the hub wrote it then (a merged person record, a DECLINED close that set
 * do-not-contact), then migrated to the end.
 */
const BEFORE = 'Migration20261207043000_stats_numbers';

let database: Database;
let orm: MikroORM;

beforeAll(async () => {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    EMBEDDED_DB: 'memory',
    ...TEST_SECRETS,
  }) as ReadyConfig;
  database = await openDatabase({
    ...config,
    database: { kind: 'embedded', storage: 'memory', dataDir: config.dataDir },
  });
  orm = database.orm as MikroORM;
  await orm.getMigrator().up({ to: BEFORE });
}, 120_000);
afterAll(async () => {
  await database?.close();
});

const run = (text: string, bindings: unknown[] = []) =>
  orm.em.fork().getConnection().execute(text, bindings, 'all');
const enc = (value: string) => encryptField(identityKeyRing(), value);
const dec = (value: string | null) => (value === null ? null : readField(identityKeyRing(), value));
const HOUR = 3_600_000;

async function agency(kind: string): Promise<string> {
  const id = randomUUID();
  await run(
    `insert into agency (id, created_at, updated_at, name, kind, service_counties)
     values (?, now(), now(), ?, ?, '{37021}')`,
    [id, `${kind} ${id.slice(0, 8)}`, kind],
  );
  return id;
}

/** A person as the old vault held them: every value merged onto the one row. */
async function oldPerson(values: { phone?: string; safeTimes?: string; dnc?: Date }) {
  const id = randomUUID();
  await run(
    `insert into person (id, created_at, updated_at, person_key, first_name, last_name,
                         date_of_birth, phone, street, city, state, zip, sex, race_ethnicity,
                         preferred_contact_method, safe_contact_times,
                         do_not_disclose_to_household, do_not_contact, do_not_contact_since)
     values (?, now(), now(), ?, ?, ?, ?, ?, ?, ?, 'NC', ?, 'FEMALE', '{WHITE}', ?, ?, ?, ?, ?)`,
    [
      id,
      randomUUID(),
      enc('Robin'),
      enc('Hollis'),
      enc('1985-02-03'),
      values.phone ? enc(values.phone) : null,
      enc('5 Birch Rd'),
      enc('Marshall'),
      enc('28753'),
      values.safeTimes ? 'TEXT' : null,
      values.safeTimes ? enc(values.safeTimes) : null,
      !values.safeTimes,
      values.dnc !== undefined,
      values.dnc ?? null,
    ],
  );
  return id;
}

/** A report of the person by `reporter` `hoursAgo`, with the name as entered, and its case. */
async function oldReport(
  personId: string,
  reporter: string,
  hoursAgo: number,
  kase: { routedTo?: string; closed?: { reason: string; at: Date } } = {},
) {
  const incident = randomUUID();
  const occurredAt = new Date(Date.now() - hoursAgo * HOUR);
  await run(
    `insert into overdose_incident (id, created_at, updated_at, reporting_agency_id, external_id,
                                    occurred_at, county, fatal, suspected_substances,
                                    reported_by_id, person_id)
     values (?, now(), now(), ?, ?, ?, '37021', false, '{}', ?, ?)`,
    [incident, reporter, `old-${incident}`, occurredAt, randomUUID(), personId],
  );
  const reported = randomUUID();
  await run(
    `insert into reported_identity (id, created_at, updated_at, incident_id, first_name,
                                    last_name, date_of_birth)
     values (?, now(), now(), ?, ?, ?, ?)`,
    [reported, incident, enc('Robin'), enc('Hollis'), enc('1985-02-03')],
  );
  const caseId = randomUUID();
  await run(
    `insert into overdose_case (id, created_at, updated_at, index_incident_id, county, status,
                                follow_up_opens_at, follow_up_due_at, person_id,
                                routed_agency_id, close_reason, closed_at)
     values (?, ?, ?, ?, '37021', ?, ?, ?, ?, ?, ?, ?)`,
    [
      caseId,
      occurredAt,
      occurredAt,
      incident,
      kase.closed ? 'CLOSED' : 'REFERRED',
      new Date(occurredAt.getTime() + 24 * HOUR),
      new Date(occurredAt.getTime() + 72 * HOUR),
      personId,
      kase.routedTo ?? null,
      kase.closed?.reason ?? null,
      kase.closed?.at ?? null,
    ],
  );
  return { incident, reported, caseId };
}

async function audit(action: string, agencyId: string, caseId: string) {
  await run(
    `insert into audit_event (id, occurred_at, actor_kind, actor_user_id, agency_id, role,
                              action, entity_type, entity_ids, person_ids, fields, outcome)
     values (?, now(), 'USER', ?, ?, 'OUTREACH_WORKER', ?, 'Case', ?::uuid[], '{}', '{}',
             'ALLOWED')`,
    [randomUUID(), randomUUID(), agencyId, `Mutation.${action}`, `{${caseId}}`],
  );
}

const reportedRow = async (id: string) =>
  (
    (await run(`select * from reported_identity where id = ?`, [id])) as Array<
      Record<string, string | null>
    >
  )[0];
const contactRecords = async (personId: string) =>
  (await run(`select * from contact_record where person_id = ? order by agency_id`, [
    personId,
  ])) as Array<Record<string, string | boolean | null>>;

describe('migrating identity values written the old way', () => {
  let world: Record<string, string>;

  beforeAll(async () => {
    const ems = await agency('EMS');
    const police = await agency('LAW_ENFORCEMENT');
    const h1 = await agency('HARM_REDUCTION');
    const h2 = await agency('HARM_REDUCTION');

    // A: reported by EMS, then police; H1 worked the later case and recorded preferences (no
    // audit row survives): the phone goes to the newest report, the preferences to H1.
    const a = await oldPerson({ phone: '828-555-0170', safeTimes: 'after 6pm' });
    const aOld = await oldReport(a, ems, 200);
    const aNew = await oldReport(a, police, 20, { routedTo: h1 });

    // B: H2 corrected the phone and recorded preferences; the audit trail says so.
    const b = await oldPerson({ phone: '828-555-0180', safeTimes: 'mornings' });
    const bReport = await oldReport(b, ems, 30, { routedTo: h2 });
    await audit('updatePersonContact', h2, bReport.caseId);
    await audit('updateContactPreferences', h2, bReport.caseId);

    // C: closed DECLINED, which set do-not-contact in the same transaction.
    const declinedAt = new Date(Date.now() - 10 * 24 * HOUR);
    const c = await oldPerson({ dnc: declinedAt });
    await oldReport(c, ems, 300, { routedTo: h1, closed: { reason: 'DECLINED', at: declinedAt } });

    // D: asked not to be contacted with no decline: the wish stays.
    const d = await oldPerson({ dnc: new Date(Date.now() - 5 * 24 * HOUR) });
    await oldReport(d, ems, 400, { routedTo: h1 });

    world = { a, b, c, d, h1, h2, aOld: aOld.reported, aNew: aNew.reported };
    world.bReported = bReport.reported;
    await orm.getMigrator().up();
  }, 120_000);

  it('leaves no identity column on the person, keeping the key, demographics and the wish', async () => {
    const columns = (
      (await run(
        `select column_name from information_schema.columns where table_name = 'person'`,
      )) as Array<{ column_name: string }>
    ).map((c) => c.column_name);
    for (const gone of ['first_name', 'phone', 'street', 'safe_contact_times']) {
      expect([gone, columns.includes(gone)]).toEqual([gone, false]);
    }
    expect(columns).toEqual(expect.arrayContaining(['person_key', 'sex', 'do_not_contact']));
  });

  it('gives the phone and address to the newest report when no agency recorded them', async () => {
    const newest = await reportedRow(world.aNew);
    expect([dec(newest.phone), dec(newest.street), newest.state]).toEqual([
      '828-555-0170',
      '5 Birch Rd',
      'NC',
    ]);
    expect(newest.sex).toBe('FEMALE');
    const older = await reportedRow(world.aOld);
    expect([older.phone, older.street]).toEqual([null, null]);
  });

  it('gives contact preferences to the agency of the newest routed case without an audit row', async () => {
    const records = await contactRecords(world.a);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      agency_id: world.h1,
      phone: null,
      phone_set: false,
      preferred_contact_method: 'TEXT',
      do_not_disclose_to_household: false,
    });
    expect(dec(records[0].safe_contact_times as string)).toBe('after 6pm');
  });

  it('gives what the audit trail shows an agency recorded to that agency, and not to the report', async () => {
    const records = await contactRecords(world.b);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ agency_id: world.h2, phone_set: true, address_set: true });
    expect(dec(records[0].phone as string)).toBe('828-555-0180');
    expect(dec(records[0].safe_contact_times as string)).toBe('mornings');
    const reported = await reportedRow(world.bReported);
    expect([reported.phone, reported.street]).toEqual([null, null]);
    expect(dec(reported.first_name)).toBe('Robin');
  });

  it('maps DECLINED closes to DECLINED_SERVICES and clears only the flags a decline set', async () => {
    const flags = (await run(
      `select p.id, p.do_not_contact, c.close_reason from person p
         join overdose_case c on c.person_id = p.id where p.id in (?, ?)`,
      [world.c, world.d],
    )) as Array<{ id: string; do_not_contact: boolean; close_reason: string | null }>;
    const byId = new Map(flags.map((f) => [f.id, f]));
    expect(byId.get(world.c)).toMatchObject({
      do_not_contact: false,
      close_reason: 'DECLINED_SERVICES',
    });
    expect(byId.get(world.d)).toMatchObject({ do_not_contact: true, close_reason: null });
  });
});
