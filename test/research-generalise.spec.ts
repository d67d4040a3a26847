import { AgeBand } from '../src/modules/person/age-band';
import { Sex } from '../src/modules/person/person-codes';
import { uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { alike, makeOverdoses, makeResearcher, researchGql } from './support/research';

const QUERY = `query($filter: ResearchExtractFilter!) {
  researchExtract(filter: $filter) {
    rowCount suppressedRowCount generalisedRowCount
    generalised { level period area ageBands rows }
    rows { personKey period area generalisationLevel month county ageBand sex
           officerPresence hoursToFirstAttempt hoursToFirstContact attempts substanceCategories
           emsDisposition caseSource }
  } }`;

interface Row {
  period: string;
  area: string;
  generalisationLevel: number;
  month: string | null;
  county: string | null;
  ageBand: string;
  officerPresence: string;
  hoursToFirstAttempt: string;
  attempts: number;
  substanceCategories: string;
  caseSource: string;
}
interface Extract {
  rowCount: number;
  suppressedRowCount: number;
  generalisedRowCount: number;
  generalised: Array<{
    level: number;
    period: string;
    area: string;
    ageBands: string;
    rows: number;
  }>;
  rows: Row[];
}

describe('research extract: generalise before dropping', () => {
  let hub: TestHub;
  let researcher: Actor;
  const year = new Date().getUTCFullYear() - 1;
  const day = (month: number, d: number) => new Date(Date.UTC(year, month - 1, d, 12));

  const extract = async (counties: string[], fromMonth = `${year}-01`, toMonth = `${year}-12`) => {
    const response = await researchGql<{ researchExtract: Extract }>(
      hub,
      QUERY,
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

  it('publishes a small county’s months as a quarter instead of dropping them, and says so', async () => {
    const county = uniqueCounty();
    const spec = { ageBand: AgeBand.AGE_25_34, sex: Sex.MALE };
    // 6 people in January and 6 in February: under k = 11 each month, 12 in the quarter.
    await makeOverdoses(hub, county, [...alike(6, day(1, 3), spec), ...alike(6, day(2, 3), spec)]);
    const result = await extract([county]);
    expect(result.rowCount).toBe(12);
    expect(result.suppressedRowCount).toBe(0);
    expect(result.generalisedRowCount).toBe(12);
    expect(result.generalised).toEqual([
      { level: 1, period: 'QUARTER', area: 'COUNTY', ageBands: 'BAND', rows: 12 },
    ]);
    for (const row of result.rows) {
      expect(row).toMatchObject({
        period: `${year}-Q1`,
        area: county,
        county,
        month: null,
        generalisationLevel: 1,
        ageBand: 'AGE_25_34',
        officerPresence: 'NO_ATTEMPT',
        hoursToFirstAttempt: 'NONE',
        attempts: 0,
        substanceCategories: 'UNKNOWN',
      });
    }
  });

  it('widens age bands, then the year, then the region, before it drops anyone', async () => {
    const [small, smaller] = [uniqueCounty(), uniqueCounty()];
    // One region for both counties (county → region → state).
    await hub
      .em()
      .getConnection()
      .execute(
        `insert into county_region (county, region) values (?, 'Test Region'), (?, 'Test Region')`,
        [small, smaller],
      );
    await makeOverdoses(hub, small, [
      ...alike(3, day(3, 1), { ageBand: AgeBand.AGE_25_34, sex: Sex.FEMALE }),
      ...alike(3, day(7, 1), { ageBand: AgeBand.AGE_35_44, sex: Sex.FEMALE }),
    ]);
    await makeOverdoses(
      hub,
      smaller,
      alike(5, day(10, 1), { ageBand: AgeBand.AGE_25_34, sex: Sex.FEMALE }),
    );
    const result = await extract([small, smaller]);
    // 11 women aged 25–44 in the region in the year: published at the region step.
    expect(result.suppressedRowCount).toBe(0);
    expect(result.rowCount).toBe(11);
    expect(result.generalised).toEqual([
      { level: 4, period: 'YEAR', area: 'REGION', ageBands: 'WIDE', rows: 11 },
    ]);
    expect(new Set(result.rows.map((r) => `${r.period} ${r.area} ${r.ageBand}`))).toEqual(
      new Set([`${year} Test Region AGE_25_44`]),
    );
    expect(result.rows.every((r) => r.county === null && r.month === null)).toBe(true);
  });

  it('drops only what no step can publish, and never mixes a published finer group into a coarser one', async () => {
    const county = uniqueCounty();
    const spec = { ageBand: AgeBand.AGE_45_54, sex: Sex.MALE };
    // 11 in April (published as they are) and 4 in May: the 4 stay under k at every step,
    // because the April 11 are not counted again in the coarser groups.
    await makeOverdoses(hub, county, [...alike(11, day(4, 1), spec), ...alike(4, day(5, 1), spec)]);
    const result = await extract([county]);
    expect(result.rowCount).toBe(11);
    expect(result.suppressedRowCount).toBe(4);
    expect(result.generalisedRowCount).toBe(0);
    expect(result.rows.every((r) => r.period === `${year}-04`)).toBe(true);
  });
});
