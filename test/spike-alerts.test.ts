import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { readCounty } from '../src/modules/spike/spike.service';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { connectLive, listening, subscribe, waitFor, type LiveClient } from './support/live';
import { BATCH_MUTATION, REPORT_MUTATION, reportInput } from './support/reports';
import { errorCodes, startTestHub, type TestHub } from './support/hub';

const ALERTS = `query ($filter: SpikeAlertsFilter) {
  spikeAlerts(filter: $filter) { id county count countSuppressed threshold thresholdSource active endedAt }
}`;
type Alert = {
  id: string;
  county: string;
  count: number | null;
  countSuppressed: boolean;
  threshold: number;
  thresholdSource: string;
  active: boolean;
};

const SPIKING = uniqueCounty();
const LIVE = uniqueCounty();
let hub: TestHub;
let police: Actor;
const clients: LiveClient[] = [];

beforeAll(async () => {
  hub = await startTestHub({
    SPIKE_THRESHOLDS: `${SPIKING}:2,${LIVE}:1`,
    FOLLOW_UP_TICK_SECONDS: '0',
    SPIKE_CHECK_SECONDS: '0',
  });
  police = await makeUser(hub, Role.POLICE_OFFICER);
  for (const county of [SPIKING, LIVE]) {
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
  }
  for (let i = 0; i < 2; i++) {
    const res = await hub.gql(REPORT_MUTATION, { input: reportInput(SPIKING) }, police.token);
    expect(res.errors).toBeUndefined();
  }
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await hub.stop();
});

async function staff(role: Role, kind: AgencyKind, counties: string[]): Promise<Actor> {
  const agency = await makeAgency(hub, kind, { serviceCounties: counties });
  return makeUser(hub, role, { agency });
}

async function alertsOf(actor: Actor, county: string) {
  return hub.gql<{ spikeAlerts: Alert[] }>(ALERTS, { filter: { county } }, actor.token);
}

describe('spikeAlerts', () => {
  it('shows a public-health analyst the county’s alert, with a count from 1 to 10 suppressed', async () => {
    const analyst = await staff(Role.ANALYST, AgencyKind.PUBLIC_HEALTH, [SPIKING]);
    await waitFor(
      async () => ((await alertsOf(analyst, SPIKING)).data?.spikeAlerts.length ?? 0) > 0,
    );
    const res = await alertsOf(analyst, SPIKING);
    expect(res.errors).toBeUndefined();
    expect(res.data!.spikeAlerts).toEqual([
      expect.objectContaining({
        county: SPIKING,
        count: null,
        countSuppressed: true,
        threshold: 2,
        thresholdSource: 'CONFIGURED',
        active: true,
      }),
    ]);
  });

  it('shows an agency covering the county its alert', async () => {
    const admin = await staff(Role.AGENCY_ADMIN, AgencyKind.EMS, [SPIKING]);
    await waitFor(async () => ((await alertsOf(admin, SPIKING)).data?.spikeAlerts.length ?? 0) > 0);
  });

  it('hides the alert from an agency that does not serve the county', async () => {
    const analyst = await staff(Role.ANALYST, AgencyKind.PUBLIC_HEALTH, [uniqueCounty()]);
    const res = await alertsOf(analyst, SPIKING);
    expect(res.errors).toBeUndefined();
    expect(res.data!.spikeAlerts).toEqual([]);
  });

  it('refuses a researcher', async () => {
    const researcher = await staff(Role.RESEARCHER, AgencyKind.RESEARCH, [SPIKING]);
    const res = await alertsOf(researcher, SPIKING);
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.data?.spikeAlerts ?? null).toBeNull();
  });

  it('refuses a county that is not a FIPS code', async () => {
    const analyst = await staff(Role.ANALYST, AgencyKind.PUBLIC_HEALTH, [SPIKING]);
    const res = await alertsOf(analyst, 'abc');
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('spikeAlert subscription', () => {
  it('tells an analyst of the county when an alert is raised', async () => {
    const analyst = await staff(Role.ANALYST, AgencyKind.PUBLIC_HEALTH, [LIVE]);
    const outsider = await staff(Role.ANALYST, AgencyKind.PUBLIC_HEALTH, [uniqueCounty()]);
    const mine = connectLive(hub, analyst.token);
    const other = connectLive(hub, outsider.token);
    clients.push(mine, other);
    subscribe(mine, `subscription { spikeAlert { county countSuppressed threshold active } }`);
    subscribe(other, `subscription { spikeAlert { county } }`);
    await listening(hub, 2);

    await hub.gql(REPORT_MUTATION, { input: reportInput(LIVE) }, police.token);
    await waitFor(() => mine.received.length === 1);
    expect(mine.received[0].data!.spikeAlert).toEqual({
      county: LIVE,
      countSuppressed: true,
      threshold: 1,
      active: true,
    });
    expect(other.received).toEqual([]);
  });

  it('refuses a researcher at subscribe time', async () => {
    const researcher = await staff(Role.RESEARCHER, AgencyKind.RESEARCH, [LIVE]);
    const client = connectLive(hub, researcher.token);
    clients.push(client);
    subscribe(client, `subscription { spikeAlert { county } }`);
    await waitFor(() => client.received.length === 1);
    expect(client.received[0].errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);
  });
});

describe('baseline threshold', () => {
  it('is the minimum count for a county without history', async () => {
    const readings = await readCounty(hub.em(), hub.config.spike, uniqueCounty());
    expect(readings.find((r) => r.windowHours === 24)).toMatchObject({
      count: 0,
      threshold: 3,
      source: 'BASELINE',
      scope: 'COUNTY',
      substance: null,
    });
  });

  it('counts a day 3.5 days ago in the 7-day window, not in the 24-hour one', async () => {
    const county = uniqueCounty();
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const now = new Date();
    const occurredAt = new Date(now.getTime() - 3.5 * 86_400_000).toISOString();
    const inputs = Array.from({ length: 7 }, () =>
      reportInput(county, { occurredAt, naloxone: [], suspectedSubstances: ['HEROIN'] }),
    );
    const res = await hub.gql(BATCH_MUTATION, { inputs }, police.token);
    expect(res.errors).toBeUndefined();

    const readings = await readCounty(hub.em(), hub.config.spike, county, now);
    const all = readings.filter((r) => r.substance === null);
    expect(all.find((r) => r.windowHours === 24)).toMatchObject({ count: 0 });
    expect(all.find((r) => r.windowHours === 168)).toMatchObject({ count: 7, threshold: 3 });
    expect(readings.find((r) => r.substance === 'HEROIN' && r.windowHours === 168)).toMatchObject({
      count: 7,
    });
  });
});
