import { randomBytes } from 'node:crypto';
import { Role } from '../src/common/role';
import { loadConfig } from '../src/config';
import {
  decryptField,
  encryptField,
  FieldDecryptionError,
  keyIdOf,
  readField,
  type KeyRing,
} from '../src/crypto/field-cipher';
import { identityKeyRing, installIdentityKeyRing } from '../src/crypto/identity-keys';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Case } from '../src/modules/case/case.entity';
import { CaseStatus } from '../src/modules/case/case-codes';
import {
  ENCRYPTED_COLUMNS,
  reencryptIdentity,
} from '../src/modules/person/identity-reencrypt.service';
import { ReportedIdentity } from '../src/modules/incident/reported-identity.entity';
import { Sex } from '../src/modules/person/person-codes';
import {
  makeAgency,
  makeAgreement,
  makeRoutedCase,
  makeUser,
  unique,
  uniqueCounty,
  type Actor,
} from './support/factories';
import { errorCodes, startTestHub, TEST_SECRETS, type TestHub } from './support/hub';
import { REPORT_MUTATION, reportInput } from './support/reports';

const key = () => randomBytes(32);
const ring = (active: string, keys: Record<string, Buffer>): KeyRing => ({
  activeKeyId: active,
  keys: new Map(Object.entries(keys)),
});

describe('field cipher', () => {
  const k1 = key();
  const k2 = key();

  it('round-trips a value, labelled with the active key id, with a fresh IV every time', () => {
    const r = ring('k1', { k1 });
    const a = encryptField(r, 'José Ö 1990-04-12');
    const b = encryptField(r, 'José Ö 1990-04-12');
    expect(a).toMatch(/^v1:k1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*$/);
    expect(a).not.toBe(b);
    expect(a.split(':')[2]).not.toBe(b.split(':')[2]);
    expect(Buffer.from(a.split(':')[2], 'base64')).toHaveLength(12);
    expect(decryptField(r, a)).toBe('José Ö 1990-04-12');
    expect(keyIdOf(a)).toBe('k1');
    expect(encryptField(r, '')).toMatch(/^v1:k1:/);
    expect(decryptField(r, encryptField(r, ''))).toBe('');
  });

  it('reads values of an older key that is still in the ring', () => {
    const old = encryptField(ring('k1', { k1 }), 'Rivera');
    expect(decryptField(ring('k2', { k1, k2 }), old)).toBe('Rivera');
  });

  it('reads legacy plaintext as it is', () => {
    expect(readField(ring('k1', { k1 }), 'Rivera')).toBe('Rivera');
    expect(keyIdOf('Rivera')).toBeUndefined();
  });

  it.each([
    ['a flipped ciphertext byte', (v: string) => flip(v, 4)],
    ['a flipped tag byte', (v: string) => flip(v, 3)],
    ['a relabelled key id', (v: string) => v.replace('v1:k1:', 'v1:k2:')],
    ['a truncated value', (v: string) => v.split(':').slice(0, 4).join(':')],
    ['an unknown key id', (v: string) => v.replace('v1:k1:', 'v1:gone:')],
  ])('refuses %s without revealing the value or a key', (_label, tamper) => {
    const r = ring('k1', { k1, k2 });
    const stored = encryptField(r, 'Sensitive Surname');
    let error: unknown;
    try {
      decryptField(r, tamper(stored));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FieldDecryptionError);
    const text = `${(error as Error).message} ${(error as Error).stack}`;
    expect(text).not.toContain('Sensitive');
    for (const k of [k1, k2]) {
      expect(text).not.toContain(k.toString('base64'));
      expect(text).not.toContain(k.toString('hex'));
    }
  });
});

function flip(stored: string, part: number): string {
  const parts = stored.split(':');
  const bytes = Buffer.from(parts[part], 'base64');
  bytes[0] ^= 0x01;
  parts[part] = bytes.toString('base64');
  return parts.join(':');
}

describe('IDENTITY_KEYS configuration', () => {
  const b64 = () => key().toString('base64');
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      return (error as { problems: string[] }).problems;
    }
  };

  it('parses several keys and the active one', () => {
    const config = loadConfig({
      IDENTITY_KEYS: `a:${b64()}, b:${b64()}`,
      IDENTITY_ACTIVE_KEY: 'b',
    });
    expect(config.identityKeys?.activeKeyId).toBe('b');
    expect([...config.identityKeys!.keys.keys()]).toEqual(['a', 'b']);
    expect(config.identityKeys!.keys.get('a')).toHaveLength(32);
  });

  it('takes a single key as the active one', () => {
    expect(loadConfig({ IDENTITY_KEYS: `only:${b64()}` }).identityKeys?.activeKeyId).toBe('only');
  });

  it('lists every problem at once, never quoting a key', () => {
    const short = randomBytes(16).toString('base64');
    const found = problems({
      IDENTITY_KEYS: `a:${short},b:not base64!,c${b64()},a:${b64()},z:${Buffer.alloc(32).toString('base64')}`,
      IDENTITY_ACTIVE_KEY: 'missing',
      PORT: 'eighty',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^IDENTITY_KEYS: entry 1 \("a"\): must be the base64 of 32/),
        expect.stringMatching(/^IDENTITY_KEYS: entry 2 \("b"\)/),
        expect.stringMatching(/^IDENTITY_KEYS: entry 3: must look like kid:base64key/),
        expect.stringMatching(/^IDENTITY_KEYS: entry 5 \("z"\)/),
        'IDENTITY_ACTIVE_KEY: "missing" is not in IDENTITY_KEYS',
        expect.stringMatching(/^PORT/),
      ]),
    );
    expect(found.join('\n')).not.toContain(short);
  });

  it('needs IDENTITY_ACTIVE_KEY with several keys', () => {
    expect(problems({ IDENTITY_KEYS: `a:${b64()},b:${b64()}` })).toEqual([
      'IDENTITY_ACTIVE_KEY: required when IDENTITY_KEYS holds more than one key',
    ]);
  });

  it('requires IDENTITY_KEYS in production', () => {
    expect(
      problems({
        NODE_ENV: 'production',
        ...TEST_SECRETS,
        IDENTITY_KEYS: '',
        IDENTITY_ACTIVE_KEY: '',
      }).map((p) => p.split(':')[0]),
    ).toEqual(['IDENTITY_KEYS']);
  });
});

type CaseAnswer = { case: { person: Record<string, string | null> | null } | null };
const CASE_PERSON = `query ($id: ID!) { case(id: $id) {
  person { firstName lastName dateOfBirth phone street city state zip } } }`;

describe('identity encrypted at rest', () => {
  let hub: TestHub;
  const testRing = () => loadConfig({ ...TEST_SECRETS }).identityKeys!;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterEach(() => installIdentityKeyRing(testRing()));
  afterAll(() => hub.stop());

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    hub.server.orm.em.getConnection().execute<T[]>(text, params);

  /** An EMS agency and an outreach agency with an agreement, in a county of their own. */
  async function world() {
    const county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    await makeAgreement(hub, ems, outreach, { counties: [county] });
    const paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
    return { county, paramedic, worker };
  }

  async function report(actor: Actor, input: Record<string, unknown>) {
    const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
      REPORT_MUTATION,
      { input },
      actor.token,
    );
    expect(response.errors).toBeUndefined();
    const incidentId = response.data!.reportIncident.incident.id;
    const kase = await hub.em().findOneOrFail(Case, { indexIncident: incidentId });
    return { incidentId, kase };
  }

  /** Hands the reported case to the worker, as accepting and assigning it would. */
  async function assign(kase: Case, worker: Actor) {
    await sql(`update overdose_case set status = ?, assigned_worker_id = ? where id = ?`, [
      CaseStatus.ASSIGNED,
      worker.user.id,
      kase.id,
    ]);
    await sql(`update referral set status = 'ACCEPTED' where case_id = ?`, [kase.id]);
  }

  function survivor() {
    const tag = unique().replace(/\d/g, 'x');
    return {
      firstName: `Quincy${tag}`,
      lastName: `Zabriskie${tag}`,
      dateOfBirth: '1979-11-23',
      phone: `828-555-${String(1000 + Math.floor(Math.random() * 8999))}`,
      address: {
        street: `77 Larkspur Hollow ${tag}`,
        city: `Weaverton${tag}`,
        state: 'NC',
        zip: '28787',
      },
    };
  }

  it('stores no plaintext name, date of birth, phone or address in any column', async () => {
    const { county, paramedic } = await world();
    const who = survivor();
    const { incidentId, kase } = await report(paramedic, reportInput(county, { survivor: who }));

    const people = await sql(`select * from person where id = ?`, [kase.person!.id]);
    const reported = await sql(`select * from reported_identity where incident_id = ?`, [
      incidentId,
    ]);
    expect(people).toHaveLength(1);
    expect(reported).toHaveLength(1);
    // Ids are random hex and could contain a digit run by chance; every other column is searched.
    const withoutIds = (row: Record<string, unknown>) =>
      Object.entries(row).filter(([column]) => column !== 'id' && !column.endsWith('_id'));
    const everything = JSON.stringify([...people, ...reported].map(withoutIds));
    for (const value of [
      who.firstName,
      who.lastName,
      who.dateOfBirth,
      who.phone,
      who.address.street,
      who.address.city,
      who.address.zip,
    ]) {
      expect(everything).not.toContain(value);
    }
    for (const column of ENCRYPTED_COLUMNS.reported_identity) {
      expect([column, reported[0][column]]).toEqual([column, expect.stringMatching(/^v1:test1:/)]);
    }
    expect(people[0].person_key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the assigned outreach worker the decrypted identity', async () => {
    const { county, paramedic, worker } = await world();
    const who = survivor();
    const { kase } = await report(paramedic, reportInput(county, { survivor: who }));
    await assign(kase, worker);
    const response = await hub.gql<CaseAnswer>(CASE_PERSON, { id: kase.id }, worker.token);
    expect(response.errors).toBeUndefined();
    expect(response.data?.case?.person).toEqual({
      firstName: who.firstName,
      lastName: who.lastName,
      dateOfBirth: who.dateOfBirth,
      phone: who.phone,
      ...who.address,
    });
  });

  it('gives the reporter back the identity it entered', async () => {
    const { county, paramedic } = await world();
    const who = survivor();
    const { incidentId } = await report(paramedic, reportInput(county, { survivor: who }));
    const response = await hub.gql<{ incident: { reportedIdentity: unknown } }>(
      `query ($id: ID!) { incident(id: $id) { reportedIdentity { firstName lastName dateOfBirth } } }`,
      { id: incidentId },
      paramedic.token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.incident.reportedIdentity).toEqual({
      firstName: who.firstName,
      lastName: who.lastName,
      dateOfBirth: who.dateOfBirth,
    });
  });

  it('still links a repeat overdose to the same person through the person key', async () => {
    const { county, paramedic } = await world();
    const who = survivor();
    // Ten hours apart: a repeat overdose, not a co-report of the same one.
    const first = await report(
      paramedic,
      reportInput(county, {
        survivor: who,
        occurredAt: new Date(Date.now() - 12 * 3_600_000).toISOString(),
      }),
    );
    const second = await report(
      paramedic,
      reportInput(county, {
        survivor: { ...who, firstName: ` ${who.firstName.toUpperCase()} `, phone: '828-555-0199' },
      }),
    );
    expect(second.kase.person?.id).toBe(first.kase.person?.id);
    // Each report keeps what its reporter entered, encrypted; the person row holds no value.
    const [row] = await sql<{ phone: string }>(
      `select phone from reported_identity where incident_id = ?`,
      [second.incidentId],
    );
    expect(row.phone).toMatch(/^v1:test1:/);
    const entered = await hub.em().findOneOrFail(ReportedIdentity, { incident: second.incidentId });
    expect(entered.phone).toBe('828-555-0199');
    expect(entered.firstName).toBe(who.firstName.toUpperCase());
  });

  it('does not rewrite an unchanged identity when its entity is flushed again', async () => {
    const { incident } = await makeRoutedCase(hub);
    const select = `select * from reported_identity where incident_id = ?`;
    const [before] = await sql(select, [incident.id]);
    const em = hub.em();
    const loaded = await em.findOneOrFail(ReportedIdentity, { incident: incident.id });
    loaded.sex = Sex.FEMALE;
    await em.flush();
    const [after] = await sql(select, [incident.id]);
    expect(after.first_name).toBe(before.first_name);
    expect(after.phone).toBe(before.phone);
    expect(after.sex).toBe(Sex.FEMALE);
  });

  it('refuses a query by an encrypted column', async () => {
    await expect(hub.em().find(ReportedIdentity, { lastName: 'Anything' })).rejects.toThrow(
      /cannot be queried/,
    );
  });

  it('rotates keys: old values stay readable, re-encryption moves them to the new key', async () => {
    const test1 = testRing().keys.get('test1')!;
    const kid2 = key();
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const routed = await makeRoutedCase(hub, {
      outreach: worker.agency,
      status: CaseStatus.ASSIGNED,
      assignedWorker: worker.user,
      agreement: true,
    });
    const rows = () =>
      sql<Record<string, string | null>>(`select * from reported_identity where incident_id = ?`, [
        routed.incident.id,
      ]).then((r) => r[0]);
    expect((await rows()).last_name).toMatch(/^v1:test1:/);

    // The operator adds kid2 and makes it active, keeping test1 known.
    const rotated = loadConfig({
      IDENTITY_KEYS: `test1:${test1.toString('base64')},kid2:${kid2.toString('base64')}`,
      IDENTITY_ACTIVE_KEY: 'kid2',
    }).identityKeys!;
    installIdentityKeyRing(rotated);
    const read = await hub.gql<CaseAnswer>(CASE_PERSON, { id: routed.kase.id }, worker.token);
    expect(read.data?.case?.person?.lastName).toBe(routed.person!.lastName);

    const summary = await reencryptIdentity(hub.em(), identityKeyRing(), 2);
    expect(summary.reported_identity.reencrypted).toBeGreaterThanOrEqual(8);
    expect(summary.reported_identity.skipped).toBe(0);
    const after = await rows();
    for (const column of [
      'first_name',
      'last_name',
      'date_of_birth',
      'phone',
      'street',
      'city',
      'zip',
    ]) {
      expect([column, after[column]]).toEqual([column, expect.stringMatching(/^v1:kid2:/)]);
    }
    const again = await reencryptIdentity(hub.em(), identityKeyRing(), 2);
    expect(again.contact_record.reencrypted + again.contact_record.encrypted).toBe(0);
    expect(again.reported_identity.reencrypted + again.reported_identity.encrypted).toBe(0);

    // Without test1 the moved values are still readable.
    installIdentityKeyRing({ activeKeyId: 'kid2', keys: new Map([['kid2', kid2]]) });
    const later = await hub.gql<CaseAnswer>(CASE_PERSON, { id: routed.kase.id }, worker.token);
    expect(later.errors).toBeUndefined();
    expect(later.data?.case?.person?.phone).toBe(routed.person!.phone);

    // A ring that lost kid2 counts the rows it cannot read instead of failing.
    installIdentityKeyRing(testRing());
    const lost = await reencryptIdentity(hub.em(), identityKeyRing(), 2);
    expect(lost.reported_identity.unreadable).toBeGreaterThanOrEqual(1);

    // Other test files share this database and know only test1: move every row back to it.
    installIdentityKeyRing({
      activeKeyId: 'test1',
      keys: new Map([
        ['test1', test1],
        ['kid2', kid2],
      ]),
    });
    const back = await reencryptIdentity(hub.em(), identityKeyRing(), 2);
    expect(back.reported_identity.unreadable).toBe(0);
    installIdentityKeyRing(testRing());
  });

  it('encrypts legacy plaintext rows and keeps reading them meanwhile', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const routed = await makeRoutedCase(hub, {
      outreach: worker.agency,
      status: CaseStatus.ASSIGNED,
      assignedWorker: worker.user,
    });
    const id = routed.incident.id;
    await sql(
      `update reported_identity set last_name = 'Plainsworth', phone = '828-555-0101'
        where incident_id = ?`,
      [id],
    );
    const read = await hub.gql<CaseAnswer>(CASE_PERSON, { id: routed.kase.id }, worker.token);
    expect(read.data?.case?.person).toMatchObject({
      lastName: 'Plainsworth',
      phone: '828-555-0101',
    });

    const summary = await reencryptIdentity(hub.em(), identityKeyRing());
    expect(summary.reported_identity.encrypted).toBeGreaterThanOrEqual(2);
    const [row] = await sql<Record<string, string>>(
      `select * from reported_identity where incident_id = ?`,
      [id],
    );
    expect(JSON.stringify(row)).not.toContain('Plainsworth');
    expect(row.last_name).toMatch(/^v1:test1:/);
    const again = await hub.gql<CaseAnswer>(CASE_PERSON, { id: routed.kase.id }, worker.token);
    expect(again.data?.case?.person?.lastName).toBe('Plainsworth');
  });

  it('fails cleanly on a tampered value: no plaintext, no key, the rest of the answer stands', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const routed = await makeRoutedCase(hub, {
      outreach: worker.agency,
      status: CaseStatus.ASSIGNED,
      assignedWorker: worker.user,
    });
    const id = routed.incident.id;
    const [row] = await sql<{ last_name: string }>(
      `select last_name from reported_identity where incident_id = ?`,
      [id],
    );
    await sql(`update reported_identity set last_name = ? where incident_id = ?`, [
      flip(row.last_name, 4),
      id,
    ]);

    const response = await hub.gql<{ case: { id: string; person: unknown } | null }>(
      `query ($id: ID!) { case(id: $id) { id person { firstName lastName } } }`,
      { id: routed.kase.id },
      worker.token,
    );
    expect(response.data?.case?.id).toBe(routed.kase.id);
    expect(response.data?.case?.person).toBeNull();
    expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
    const text = JSON.stringify(response);
    expect(text).not.toContain(routed.person!.firstName!);
    expect(text).not.toContain(row.last_name);
    expect(text).not.toMatch(/decrypt|authenticat|test1/i);
  });
});
