import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPopulationsCommand } from '../src/cli/populations';
import type { CliSession } from '../src/cli/session';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { decodeCensusFile, parseCensusPopulation } from '../src/modules/stats/population-import';
import { makeAgency, makeUser } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { seedCases } from './support/stats-factory';

const FIXTURE = join(__dirname, 'fixtures', 'census', 'co-est2024-alldata-sample.csv');

describe('county populations and rates per 100,000', () => {
  let hub: TestHub;
  const session = (): CliSession => ({
    config: hub.config,
    em: hub.em(),
    devJwtSecret: false,
    secretsPath: '',
  });
  const populations = () =>
    hub
      .em()
      .getConnection()
      .execute<Array<{ county: string; year: number; population: number; county_name: string }>>(
        `select county, year, population, county_name from county_population
          where county in ('37021', '37087', '37115') order by county, year`,
      );

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  it('imports the Census county estimates file as published: counties only, every year', async () => {
    await importPopulationsCommand(session(), { path: FIXTURE });
    const rows = await populations();
    expect(rows).toHaveLength(15);
    expect(rows.find((r) => r.county === '37115' && r.year === 2024)).toMatchObject({
      population: 22100,
      county_name: 'Madison County',
    });
    // The state row (SUMLEV 040, COUNTY 000) is not a county.
    expect(rows.some((r) => r.county === '37000')).toBe(false);
  });

  it('gives county groupings a rate per 100,000, flagged unstable under 20 events', async () => {
    await importPopulationsCommand(session(), { path: FIXTURE });
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: ['37115', '37021'] });
    await seedCases(hub, {
      agencyId: ems.id,
      county: '37115',
      occurredAt: new Date('2024-05-02T16:00:00Z'),
      count: 11,
    });
    await seedCases(hub, {
      agencyId: ems.id,
      county: '37021',
      occurredAt: new Date('2024-05-02T16:00:00Z'),
      count: 30,
    });
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: ems });
    const response = await hub.gql<{
      overdoseStats: {
        rows: Array<{
          group: { county: string; countyName: string };
          incidents: { value: number };
          ratePer100k: { value: number | null; unstable: boolean; suppressed: boolean };
        }>;
      };
    }>(
      `{ overdoseStats(groupBy: [COUNTY], filter: { fromDate: "2024-01-01", toDate: "2025-01-01" }) {
          rows { group { county countyName } incidents { value } ratePer100k { value unstable suppressed } } } }`,
      {},
      admin.token,
    );
    expect(response.errors).toBeUndefined();
    const byCounty = new Map(response.data!.overdoseStats.rows.map((r) => [r.group.county, r]));
    expect(byCounty.get('37115')).toEqual({
      group: { county: '37115', countyName: 'Madison County' },
      incidents: { value: 11 },
      // 11 / 22,100 × 100,000 = 49.8; 11 events: unstable.
      ratePer100k: { value: 49.8, unstable: true, suppressed: false },
    });
    expect(byCounty.get('37021')!.ratePer100k).toEqual({
      value: Math.round((30 / 276800) * 100_000 * 10) / 10,
      unstable: false,
      suppressed: false,
    });
  });

  it('refuses a file in another layout, naming the column, and imports nothing', async () => {
    const before = await populations();
    const bad = readFileSync(FIXTURE, 'utf8')
      .replace('CTYNAME', 'COUNTY_NAME')
      .replace(/22100/g, '1');
    expect(() => parseCensusPopulation(bad)).toThrow(/CTYNAME/);
    const noEstimates =
      'SUMLEV,STATE,COUNTY,STNAME,CTYNAME,CENSUS2020POP\n050,37,115,North Carolina,Madison County,21193\n';
    expect(() => parseCensusPopulation(noEstimates)).toThrow(/POPESTIMATE<year>/);
    const badValue = readFileSync(FIXTURE, 'utf8').replace('22100', 'n/a');
    expect(() => parseCensusPopulation(badValue)).toThrow(
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: 'BAD_USER_INPUT',
          fields: [expect.objectContaining({ field: 'POPESTIMATE2024 (line 5)' })],
        }),
      }),
    );
    expect(await populations()).toEqual(before);
  });

  it('reads the published Latin-1 encoding', () => {
    const latin1 = Buffer.from(
      'SUMLEV,STATE,COUNTY,STNAME,CTYNAME,POPESTIMATE2024\n050,35,013,New Mexico,Do\xf1a Ana County,225210\n',
      'latin1',
    );
    expect(parseCensusPopulation(decodeCensusFile(latin1))[0].countyName).toBe('Doña Ana County');
  });
});
