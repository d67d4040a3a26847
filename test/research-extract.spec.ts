import { randomUUID } from 'node:crypto';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseStatus, CloseReason } from '../src/modules/case/case-codes';
import { OverdoseIncident } from '../src/modules/incident/incident.entity';
import { AgeBand } from '../src/modules/person/age-band';
import { Sex } from '../src/modules/person/person-codes';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { Role } from '../src/common/role';
import { REPORT_MUTATION, reportInput } from './support/reports';
import { startTestHub, type TestHub } from './support/hub';
import {
  EXTRACT_QUERY,
  alike,
  makeOverdoses,
  makeResearcher,
  researchGql,
  type Extract,
  type ExtractRow,
} from './support/research';

describe('researchExtract: k-anonymity and re-keying', () => {
  let hub: TestHub;
  let researcher: Actor;
  // A whole month in the past, whatever today is.
  const year = new Date().getUTCFullYear() - 1;
  const month = `${year}-03`;
  const march = (day: number) => new Date(Date.UTC(year, 2, day, 12));

  const extract = async (counties: string[], fromMonth = month, toMonth = month) => {
    const response = await researchGql<{ researchExtract: Extract }>(
      hub,
      EXTRACT_QUERY,
      { filter: { fromMonth, toMonth, counties } },
      researcher.token,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.researchExtract;
  };

  beforeAll(async () => {
    hub = await startTestHub();
    researcher = await makeResearcher(hub);
  });
  afterAll(() => hub.stop());

  it('publishes a month × county × age band × sex group of 11 people', async () => {
    const county = uniqueCounty();
    await makeOverdoses(
      hub,
      county,
      alike(11, march(1), { ageBand: AgeBand.AGE_25_34, sex: Sex.FEMALE }),
    );
    const result = await extract([county]);
    expect(result.k).toBe(11);
    expect(result.rowCount).toBe(11);
    expect(result.suppressedRowCount).toBe(0);
    expect(result.rows).toHaveLength(11);
    for (const row of result.rows) {
      expect(row).toMatchObject({ month, county, ageBand: 'AGE_25_34', sex: 'FEMALE' });
    }
  });

  it('drops a group of 10 people and keeps a group of 11 next to it', async () => {
    const county = uniqueCounty();
    await makeOverdoses(hub, county, [
      ...alike(11, march(1), { ageBand: AgeBand.AGE_25_34, sex: Sex.FEMALE }),
      ...alike(10, march(2), { ageBand: AgeBand.AGE_35_44, sex: Sex.MALE }),
    ]);
    const result = await extract([county]);
    expect(result.rowCount).toBe(11);
    expect(result.suppressedRowCount).toBe(10);
    expect(new Set(result.rows.map((r) => `${r.ageBand}/${r.sex}`))).toEqual(
      new Set(['AGE_25_34/FEMALE']),
    );
  });

  it('counts people, not overdoses: 10 people with 11 overdoses in a group are dropped', async () => {
    const county = uniqueCounty();
    const [first] = await makeOverdoses(
      hub,
      county,
      alike(10, march(1), { ageBand: AgeBand.AGE_45_54, sex: Sex.MALE }),
    );
    await makeOverdoses(hub, county, [
      { occurredAt: march(20), ageBand: AgeBand.AGE_45_54, sex: Sex.MALE, person: first.person },
    ]);
    const result = await extract([county]);
    expect(result).toMatchObject({ rowCount: 0, suppressedRowCount: 11, rows: [] });
  });

  it('treats a missing age band as its own group (UNKNOWN), not as a wildcard', async () => {
    const county = uniqueCounty();
    await makeOverdoses(hub, county, [
      ...alike(11, march(1), { sex: Sex.MALE }),
      ...alike(3, march(3), { ageBand: AgeBand.AGE_25_34, sex: Sex.MALE }),
    ]);
    const result = await extract([county]);
    expect(result.rowCount).toBe(11);
    expect(result.rows.every((r) => r.ageBand === 'UNKNOWN' && r.sex === 'MALE')).toBe(true);
  });

  it('leaves out reports closed as duplicates and reports entered in error', async () => {
    const county = uniqueCounty();
    await makeOverdoses(hub, county, [
      ...alike(11, march(1), { ageBand: AgeBand.AGE_25_34, sex: Sex.FEMALE }),
      { occurredAt: march(5), ageBand: AgeBand.AGE_25_34, caseStatus: CaseStatus.ENTERED_IN_ERROR },
    ]);
    const [duplicate] = await makeOverdoses(hub, county, [
      { occurredAt: march(6), ageBand: AgeBand.AGE_25_34, caseStatus: CaseStatus.CLOSED },
    ]);
    const em = hub.em();
    await em.nativeUpdate(
      'Case',
      { id: duplicate.kase.id },
      { closeReason: CloseReason.DUPLICATE },
    );
    const result = await extract([county]);
    expect(result.rowCount + result.suppressedRowCount).toBe(11);
  });

  it('gives the same person one key within an extract and flags the repeat within 90 days', async () => {
    const county = uniqueCounty();
    const made = await makeOverdoses(
      hub,
      county,
      alike(11, march(1), { ageBand: AgeBand.AGE_25_34, sex: Sex.FEMALE }),
    );
    const repeater = made[0].person;
    await makeOverdoses(hub, county, [
      { occurredAt: march(25), ageBand: AgeBand.AGE_25_34, sex: Sex.FEMALE, person: repeater },
    ]);
    const result = await extract([county]);
    expect(result.rowCount).toBe(12);
    const byKey = new Map<string, number>();
    for (const row of result.rows) byKey.set(row.personKey, (byKey.get(row.personKey) ?? 0) + 1);
    expect([...byKey.values()].sort()).toEqual([...Array(10).fill(1), 2]);
    const repeatKey = [...byKey].find(([, n]) => n === 2)![0];
    const repeats = result.rows.filter((r) => r.personKey === repeatKey);
    expect(repeats.map((r) => r.repeatOverdoseWithin90Days).sort()).toEqual([false, true]);
    expect(result.rows.filter((r) => r.repeatOverdoseWithin90Days)).toHaveLength(1);
  });

  it('flags naloxone, engagement, linkage and LEAD enrolment of the one person they apply to', async () => {
    const county = uniqueCounty();
    const made = await makeOverdoses(
      hub,
      county,
      alike(11, march(1), { ageBand: AgeBand.AGE_25_34, sex: Sex.MALE }),
    );
    const [{ incident, kase, person }] = made;
    const program = await makeAgency(hub, AgencyKind.LEAD_PROGRAM, { serviceCounties: [county] });
    const connection = hub.em().getConnection();
    const now = new Date().toISOString();
    await connection.execute(
      `insert into naloxone_administration (id, created_at, updated_at, incident_id, route, administered_by)
       values (?, ?, ?, ?, 'IN', 'EMS')`,
      [randomUUID(), now, now, incident.id],
    );
    for (const status of ['ENGAGED', 'LINKED']) {
      await connection.execute(
        `insert into case_event (id, created_at, updated_at, case_id, to_status) values (?, ?, ?, ?, ?)`,
        [randomUUID(), now, now, kase.id, status],
      );
    }
    await connection.execute(
      `insert into lead_referral (id, created_at, updated_at, person_id, program_id, referring_agency_id,
         referred_by_id, door, status, intake_deadline)
       values (?, ?, ?, ?, ?, ?, ?, 'SOCIAL_CONTACT', 'ACTIVE', ?)`,
      [randomUUID(), now, now, person.id, program.id, program.id, randomUUID(), now],
    );
    const result = await extract([county]);
    const flagged = (flag: keyof ExtractRow) => result.rows.filter((r) => r[flag]).length;
    expect(flagged('naloxoneGiven')).toBe(1);
    expect(flagged('engaged')).toBe(1);
    expect(flagged('linked')).toBe(1);
    expect(flagged('leadEnrolled')).toBe(1);
    expect(flagged('contacted')).toBe(0);
    expect(flagged('fatal')).toBe(0);
    const one = result.rows.find((r) => r.naloxoneGiven)!;
    expect(one).toMatchObject({ engaged: true, linked: true, leadEnrolled: true });
  });

  it('re-keys every extract: the same person gets a different key, never the stored one', async () => {
    const county = uniqueCounty();
    const made = await makeOverdoses(
      hub,
      county,
      alike(11, march(1), { ageBand: AgeBand.AGE_55_64, sex: Sex.MALE }),
    );
    const stored = new Set(made.map((m) => m.person.personKey!));
    const first = await extract([county]);
    const second = await extract([county]);
    const firstKeys = new Set(first.rows.map((r) => r.personKey));
    const secondKeys = new Set(second.rows.map((r) => r.personKey));
    expect(firstKeys.size).toBe(11);
    expect([...firstKeys].filter((key) => secondKeys.has(key))).toEqual([]);
    for (const key of [...firstKeys, ...secondKeys]) {
      expect([...stored].some((s) => s.includes(key) || key.includes(s.slice(0, 16)))).toBe(false);
    }
    expect(first.extractId).not.toBe(second.extractId);
  });

  it('selects whole months: a range covers each month of it, nothing outside', async () => {
    const county = uniqueCounty();
    await makeOverdoses(hub, county, [
      ...alike(11, new Date(Date.UTC(year, 1, 27, 23)), { ageBand: AgeBand.AGE_15_24 }),
      ...alike(11, new Date(Date.UTC(year, 3, 1, 0)), { ageBand: AgeBand.AGE_15_24 }),
    ]);
    // 11 people from Feb 27 on, one a day: Feb 27, 28 (29) and March; the second group in April.
    const marchOnly = await extract([county]);
    const all = await extract([county], `${year}-02`, `${year}-04`);
    expect(all.rowCount + all.suppressedRowCount).toBe(22);
    expect(marchOnly.rows.every((r) => r.month === month)).toBe(true);
    expect(marchOnly.rowCount + marchOnly.suppressedRowCount).toBeLessThan(11);
  });
});

describe('age band at intake', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  it('stores the band of the age at the overdose, computed from the reported date of birth', async () => {
    const county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const medic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    const input = reportInput(county);
    const occurred = new Date(input.occurredAt);
    // 40th birthday tomorrow: still 39, so 35–44.
    const birth = new Date(
      Date.UTC(occurred.getUTCFullYear() - 40, occurred.getUTCMonth(), occurred.getUTCDate() + 1),
    );
    (input.survivor as Record<string, unknown>).dateOfBirth = birth.toISOString().slice(0, 10);
    const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
      REPORT_MUTATION,
      { input },
      medic.token,
    );
    expect(response.errors).toBeUndefined();
    const stored = await hub
      .em()
      .findOneOrFail(OverdoseIncident, response.data!.reportIncident.incident.id);
    expect(stored.ageBand).toBe(AgeBand.AGE_35_44);
  });
});

describe('researchExtract: configuration', () => {
  let hub: TestHub;
  let researcher: Actor;
  const year = new Date().getUTCFullYear() - 1;
  const june = { fromMonth: `${year}-06`, toMonth: `${year}-06` };
  beforeAll(async () => {
    hub = await startTestHub({ RESEARCH_K_ANONYMITY: '12', RESEARCH_EXTRACT_MAX_ROWS: '100' });
    researcher = await makeResearcher(hub);
  });
  afterAll(() => hub.stop());

  it('applies a raised k', async () => {
    const county = uniqueCounty();
    await makeOverdoses(
      hub,
      county,
      alike(11, new Date(Date.UTC(year, 5, 1, 12)), { ageBand: AgeBand.AGE_35_44 }),
    );
    const response = await researchGql<{ researchExtract: Extract }>(
      hub,
      EXTRACT_QUERY,
      { filter: { ...june, counties: [county] } },
      researcher.token,
    );
    expect(response.data?.researchExtract).toMatchObject({
      k: 12,
      rowCount: 0,
      suppressedRowCount: 11,
    });
  });

  it('refuses an extract over the row cap instead of truncating it, naming the filter', async () => {
    const county = uniqueCounty();
    const start = new Date(Date.UTC(year, 5, 1, 0));
    await makeOverdoses(
      hub,
      county,
      Array.from({ length: 101 }, (_, i) => ({
        occurredAt: new Date(start.getTime() + i * 3_600_000),
        ageBand: AgeBand.AGE_45_54,
      })),
    );
    const response = await researchGql<{ researchExtract: Extract }>(
      hub,
      EXTRACT_QUERY,
      { filter: { ...june, counties: [county] } },
      researcher.token,
    );
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0].extensions?.fields).toEqual([
      expect.objectContaining({ field: 'filter' }),
    ]);
    expect(response.data).toEqual({ researchExtract: null });
  });
});
