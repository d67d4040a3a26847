import { CaseStatus, CloseReason } from '../src/modules/case/case-codes';
import { AgeBand } from '../src/modules/person/age-band';
import { Sex } from '../src/modules/person/person-codes';
import { uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import {
  EXTRACT_QUERY,
  alike,
  makeOverdoses,
  makeResearcher,
  researchGql,
  type Extract,
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

describe('researchExtract: configuration', () => {
  it('applies a raised k', async () => {
    const hub = await startTestHub({ RESEARCH_K_ANONYMITY: '12' });
    try {
      const researcher = await makeResearcher(hub);
      const county = uniqueCounty();
      const year = new Date().getUTCFullYear() - 1;
      await makeOverdoses(
        hub,
        county,
        alike(11, new Date(Date.UTC(year, 5, 1, 12)), { ageBand: AgeBand.AGE_35_44 }),
      );
      const response = await researchGql<{ researchExtract: Extract }>(
        hub,
        EXTRACT_QUERY,
        { filter: { fromMonth: `${year}-06`, toMonth: `${year}-06`, counties: [county] } },
        researcher.token,
      );
      expect(response.data?.researchExtract).toMatchObject({
        k: 12,
        rowCount: 0,
        suppressedRowCount: 11,
      });
    } finally {
      await hub.stop();
    }
  });
});
