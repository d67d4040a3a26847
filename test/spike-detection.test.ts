import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { neighbouringCounties } from '../src/modules/spike/county-adjacency';
import { checkCounty, type SpikeRuntime } from '../src/modules/spike/spike.service';
import { quietRealCounty, seedHistory } from './support/alerts';
import { makeAgency, makeUser, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { waitFor } from './support/live';
import { BATCH_MUTATION, REPORT_MUTATION, reportInput } from './support/reports';

const ALERTS = `query ($filter: SpikeAlertsFilter) {
  spikeAlerts(filter: $filter) {
    county scope counties substance windowHours count countSuppressed threshold thresholdSource
    expected exceedanceProbability active
  }
}`;
type Alert = {
  county: string;
  scope: string;
  counties: string[];
  substance: string | null;
  windowHours: number;
  count: number | null;
  countSuppressed: boolean;
  threshold: number;
  thresholdSource: string;
  expected: number | null;
  exceedanceProbability: number | null;
  active: boolean;
};

let hub: TestHub;
let police: Actor;
let runtime: SpikeRuntime;

beforeAll(async () => {
  hub = await startTestHub({ FOLLOW_UP_TICK_SECONDS: '0', SPIKE_CHECK_SECONDS: '0' });
  police = await makeUser(hub, Role.POLICE_OFFICER);
  runtime = {
    spike: hub.config.spike,
    smallCellMax: hub.config.disclosure.smallCellMax,
    queue: hub.config.jobs.queue,
  };
});
afterAll(() => hub.stop());

/** A public-health analyst whose agency serves the counties. */
async function analystOf(counties: string[]): Promise<Actor> {
  const agency = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH, { serviceCounties: counties });
  return makeUser(hub, Role.ANALYST, { agency });
}

async function alerts(actor: Actor, county: string): Promise<Alert[]> {
  const res = await hub.gql<{ spikeAlerts: Alert[] }>(ALERTS, { filter: { county } }, actor.token);
  expect(res.errors).toBeUndefined();
  return res.data!.spikeAlerts;
}

/** Overdoses reported today through the API (each with the given substances). */
async function reportToday(county: string, n: number, substances: string[] = ['FENTANYL']) {
  const inputs = Array.from({ length: n }, (_, i) =>
    reportInput(county, {
      occurredAt: new Date(Date.now() - (2 + i * 0.1) * 3_600_000).toISOString(),
      suspectedSubstances: substances,
    }),
  );
  const res = await hub.gql<{ reportIncidents: { createdCount: number } }>(
    BATCH_MUTATION,
    { inputs },
    police.token,
  );
  expect(res.errors).toBeUndefined();
  expect(res.data!.reportIncidents.createdCount).toBe(n);
}

/** About one overdose a week for the ten weeks before today. */
const weekly = (county: string) =>
  seedHistory(hub, police.agency.id, county, { perDay: 1 / 7, fromDay: 1, toDay: 70 });

const isCountyDay = (a: Alert) => a.scope === 'COUNTY' && a.windowHours === 24 && !a.substance;

describe('a rural county (about one overdose a week)', () => {
  it('raises an alert for three overdoses in a day', async () => {
    const county = await quietRealCounty(hub);
    const analyst = await analystOf([county]);
    await weekly(county);
    for (let i = 0; i < 3; i++) {
      const res = await hub.gql(REPORT_MUTATION, { input: reportInput(county) }, police.token);
      expect(res.errors).toBeUndefined();
    }
    // The check after each report runs on the job queue.
    await waitFor(async () => (await alerts(analyst, county)).some(isCountyDay));
    const alert = (await alerts(analyst, county)).find(isCountyDay)!;
    expect(alert).toMatchObject({
      county,
      counties: [county],
      threshold: 3,
      thresholdSource: 'BASELINE',
      count: null,
      countSuppressed: true,
      exceedanceProbability: null,
      active: true,
    });
  });

  it('raises none for two', async () => {
    const county = await quietRealCounty(hub);
    const analyst = await analystOf([county]);
    await weekly(county);
    await reportToday(county, 2);
    await checkCounty(hub.em(), runtime, county);
    expect((await alerts(analyst, county)).filter((a) => a.scope === 'COUNTY')).toEqual([]);
  });
});

describe('a busy county (about ten overdoses a day)', () => {
  it('raises nothing on an ordinary day of twelve', async () => {
    const county = await quietRealCounty(hub);
    const analyst = await analystOf([county]);
    await seedHistory(hub, police.agency.id, county, { perDay: 10, fromDay: 1, toDay: 63 });
    await reportToday(county, 12);
    await checkCounty(hub.em(), runtime, county);
    expect(await alerts(analyst, county)).toEqual([]);
  });

  it('raises one on a day of thirty, with the count and the expected count published', async () => {
    const county = await quietRealCounty(hub);
    const analyst = await analystOf([county]);
    await seedHistory(hub, police.agency.id, county, { perDay: 10, fromDay: 1, toDay: 63 });
    await reportToday(county, 30);
    await checkCounty(hub.em(), runtime, county);
    const alert = (await alerts(analyst, county)).find(isCountyDay);
    expect(alert).toMatchObject({ count: 30, countSuppressed: false, expected: 10 });
    expect(alert!.threshold).toBeGreaterThan(12);
    expect(alert!.threshold).toBeLessThanOrEqual(30);
    expect(alert!.exceedanceProbability).toBeLessThan(hub.config.spike.exceedanceProbability);
  });
});

describe('neighbouring counties pooled', () => {
  it('raise a NEIGHBOURS alert where no county alone reaches its threshold', async () => {
    const county = await quietRealCounty(hub, 2);
    const [first, second] = neighbouringCounties(county);
    const analyst = await analystOf([county, first, second]);
    // Three small counties side by side, each with two overdoses today: a cluster no single
    // county's numbers show.
    for (const c of [county, first, second]) await weekly(c);
    for (const c of [county, first, second]) await reportToday(c, 2);
    for (const c of [county, first, second]) await checkCounty(hub.em(), runtime, c);

    const mine = await alerts(analyst, county);
    expect(mine.filter((a) => a.scope === 'COUNTY')).toEqual([]);
    const pooled = mine.find(
      (a) => a.scope === 'NEIGHBOURS' && a.windowHours === 24 && !a.substance,
    );
    expect(pooled).toMatchObject({ county, active: true, thresholdSource: 'BASELINE' });
    expect(pooled!.counties).toEqual([county, ...neighbouringCounties(county)]);
  });

  it('are not pooled for a county without an overdose of its own', async () => {
    const county = await quietRealCounty(hub, 2);
    const [first, second] = neighbouringCounties(county);
    const analyst = await analystOf([county, first, second]);
    for (const c of [first, second]) await reportToday(c, 3);
    await checkCounty(hub.em(), runtime, county);
    expect(await alerts(analyst, county)).toEqual([]);
  });
});

describe('per substance', () => {
  it('raises a substance spike on a day that is ordinary in total', async () => {
    const county = await quietRealCounty(hub);
    const analyst = await analystOf([county]);
    await seedHistory(hub, police.agency.id, county, { perDay: 10, fromDay: 1, toDay: 63 });
    await reportToday(county, 7, ['FENTANYL']);
    await reportToday(county, 3, ['FENTANYL', 'XYLAZINE']);
    await checkCounty(hub.em(), runtime, county);

    const mine = await alerts(analyst, county);
    expect(mine.filter((a) => a.scope === 'COUNTY' && a.windowHours === 24)).toEqual([
      expect.objectContaining({ substance: 'XYLAZINE', threshold: 3, countSuppressed: true }),
    ]);
    expect(mine.some((a) => !a.substance)).toBe(false);
  });

  it('ends the alert once the substance is back to its baseline', async () => {
    const county = await quietRealCounty(hub);
    const analyst = await analystOf([county]);
    await reportToday(county, 3, ['XYLAZINE']);
    await checkCounty(hub.em(), runtime, county);
    expect((await alerts(analyst, county)).filter((a) => a.active).length).toBeGreaterThan(0);
    // Eight days later the 7-day window is empty: every alert of the county ends.
    await checkCounty(hub.em(), runtime, county, new Date(Date.now() + 8 * 86_400_000));
    expect((await alerts(analyst, county)).filter((a) => a.active)).toEqual([]);
  });
});

describe('agency thresholds', () => {
  it('raise an alert at the most watchful setting of the agencies serving the county', async () => {
    const county = await quietRealCounty(hub);
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, {
      agency: await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] }),
    });
    const set = await hub.gql(
      `mutation { setSpikeSettings(input: { exceedanceProbability: 0.05, minCount: 2 }) { minCount } }`,
      {},
      admin.token,
    );
    expect(set.errors).toBeUndefined();
    await weekly(county);
    await reportToday(county, 2);
    await checkCounty(hub.em(), runtime, county);
    expect((await alerts(admin, county)).find(isCountyDay)).toMatchObject({ threshold: 2 });
  });
});
