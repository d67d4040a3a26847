import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';
import { seedCases } from './support/stats-factory';

type Row = {
  group: Record<string, string | null>;
  incidents: { value: number | null; suppressed: boolean };
};
const GROUP = '{ substanceCategory raceEthnicity naloxoneGivenBy caseSource officerPresence }';
const QUERY = `query($groupBy: [StatsDimension!]!, $filter: StatsFilter) {
  overdoseStats(groupBy: $groupBy, filter: $filter) {
    rows { group ${GROUP} incidents { value suppressed } } total { incidents { value suppressed } } } }`;

describe('dimensions: substance, race/ethnicity, who gave naloxone, case source, officer presence', () => {
  let hub: TestHub;
  let admin: Actor;
  let analyst: Actor;
  let county: string;

  beforeAll(async () => {
    hub = await startTestHub();
    county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const connection = hub.em().getConnection();
    const at = new Date('2026-05-05T15:00:00Z');
    const fentanyl = await seedCases(hub, {
      agencyId: ems.id,
      county,
      occurredAt: at,
      count: 12,
      doses: 1,
    });
    const mixed = await seedCases(hub, { agencyId: ems.id, county, occurredAt: at, count: 3 });
    const set = (sql: string, ids: string[]) => connection.execute(sql, [`{${ids.join(',')}}`]);
    await set(
      `update overdose_incident set suspected_substances = '{FENTANYL}' where id = any(?::uuid[])`,
      fentanyl,
    );
    await set(
      `update overdose_incident set suspected_substances = '{HEROIN,COCAINE}' where id = any(?::uuid[])`,
      mixed,
    );
    await set(
      `update person set race_ethnicity = '{BLACK_OR_AFRICAN_AMERICAN}' where id in (select person_id from overdose_incident where id = any(?::uuid[]))`,
      fentanyl,
    );
    await set(
      `update person set race_ethnicity = '{WHITE,HISPANIC_OR_LATINO}' where id in (select person_id from overdose_incident where id = any(?::uuid[]))`,
      mixed,
    );
    // Two of the mixed ones got naloxone from a bystander and from the police.
    await set(
      `insert into naloxone_administration (id, created_at, updated_at, incident_id, route, administered_by)
       select gen_random_uuid(), now(), now(), id, 'IN', b::administered_by
         from overdose_incident, unnest('{BYSTANDER,POLICE}'::text[]) b where id = any(?::uuid[])`,
      mixed.slice(0, 2),
    );
    admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: ems });
    const health = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH, { serviceCounties: [county] });
    analyst = await makeUser(hub, Role.ANALYST, { agency: health });
  });
  afterAll(() => hub.stop());

  const rows = async (actor: Actor, groupBy: string[]) => {
    const response = await hub.gql<{ overdoseStats: { rows: Row[]; total: Row } }>(
      QUERY,
      { groupBy, filter: { counties: [county] } },
      actor.token,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.overdoseStats;
  };
  const counts = (table: { rows: Row[] }, field: string) =>
    Object.fromEntries(table.rows.map((r) => [r.group[field], r.incidents.value]));

  it('counts an overdose once in every substance category it involves', async () => {
    const table = await rows(admin, ['SUBSTANCE_CATEGORY']);
    expect(counts(table, 'substanceCategory')).toEqual({ FENTANYL: 12, OPIOID: 3, STIMULANT: 3 });
    // The total counts each overdose once.
    expect(table.total.incidents.value).toBe(15);
  });

  it('groups race/ethnicity with Hispanic or Latino of any race first', async () => {
    expect(counts(await rows(admin, ['RACE_ETHNICITY']), 'raceEthnicity')).toEqual({
      BLACK_OR_AFRICAN_AMERICAN: 12,
      HISPANIC_OR_LATINO: 3,
    });
  });

  it('groups by who gave naloxone (NONE without a dose) and by the source of the case', async () => {
    expect(counts(await rows(admin, ['NALOXONE_GIVEN_BY']), 'naloxoneGivenBy')).toEqual({
      EMS: 12,
      BYSTANDER: 2,
      POLICE: 2,
      NONE: 1,
    });
    expect(counts(await rows(admin, ['CASE_SOURCE']), 'caseSource')).toEqual({
      EMERGENCY_RESPONSE: 15,
    });
  });

  it('applies the disclosure rule to every dimension for shared readers', async () => {
    const table = await rows(analyst, ['SUBSTANCE_CATEGORY', 'RACE_ETHNICITY']);
    for (const row of table.rows) {
      if (row.group.substanceCategory !== 'FENTANYL') {
        expect(row.incidents).toEqual({ value: null, suppressed: true });
      }
    }
    const byWho = await rows(analyst, ['NALOXONE_GIVEN_BY']);
    expect(
      byWho.rows.find((r) => r.group.naloxoneGivenBy === 'BYSTANDER')!.incidents.suppressed,
    ).toBe(true);
  });

  it('groups case outcomes by officer presence, and refuses it on overdoses, naming groupBy', async () => {
    const response = await hub.gql<{
      outcomeStats: { rows: Array<{ group: Record<string, string> }> };
    }>(
      `query($f: StatsFilter) { outcomeStats(groupBy: [OFFICER_PRESENCE], filter: $f) { rows { group { officerPresence } } } }`,
      { f: { counties: [county] } },
      admin.token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.outcomeStats.rows.map((r) => r.group.officerPresence)).toEqual([
      'NO_ATTEMPT',
    ]);
    const refused = await hub.gql(QUERY, { groupBy: ['OFFICER_PRESENCE'] }, admin.token);
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(refused.errors)).toContain('groupBy');
    const unknown = await hub.gql(QUERY, { groupBy: ['SHOE_SIZE'] }, admin.token);
    expect(errorCodes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(unknown.errors)).toContain('groupBy');
  });
});
