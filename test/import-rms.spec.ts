import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { Case } from '../src/modules/case/case.entity';
import { OverdoseIncident } from '../src/modules/incident/incident.entity';
import { importViewer } from '../src/modules/import/import-credential';
import { importRms } from '../src/modules/import/rms-import.service';
import { Person } from '../src/modules/person/person.entity';
import { ReportedIdentity } from '../src/modules/incident/reported-identity.entity';
import { makeAgency, makeAgreement, makeUser, uniqueCounty } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { fixtureCopy, MemoryReport, rowsContaining, tempFolder } from './support/import-fixtures';

describe('police RMS CSV import', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  async function world() {
    const county = uniqueCounty();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    const officer = await makeUser(hub, Role.POLICE_OFFICER, { agency: police });
    const viewer = await importViewer(hub.em(), hub.config, officer.token);
    return { county, police, outreach, context: { em: hub.em(), config: hub.config, viewer } };
  }

  const incidentsOf = (agency: Agency) =>
    hub
      .em()
      .find(
        OverdoseIncident,
        { reportingAgency: agency.id },
        { populate: ['naloxoneAdministrations'], orderBy: { externalId: 'asc' } },
      );

  it('imports the good rows, reports each bad row by line and column, and counts a repeated case as unchanged', async () => {
    const { county, police, context } = await world();
    const file = await fixtureCopy('rms', 'mixed.csv', county);
    const report = new MemoryReport();
    const result = await importRms(context, [file], report, { utcOffset: '-05:00' });

    expect(result.totals).toEqual({
      read: 6,
      imported: 2,
      unchanged: 1,
      skipped: 0,
      skippedByReason: {},
      failed: 3,
      filesRefused: 0,
    });
    expect((await incidentsOf(police)).map((i) => i.externalId)).toEqual([
      'RMS-2026-501',
      'RMS-2026-502',
    ]);
    expect(report.rows.map((r) => [r.record, r.externalId, r.field, r.level])).toEqual([
      ['header', '', 'narrative', 'warning'],
      ['line 4', 'RMS-2026-503', 'county_fips', 'error'],
      ['line 5', 'RMS-2026-504', 'substances', 'error'],
      ['line 5', 'RMS-2026-504', 'naloxone_route', 'error'],
      ['line 6', '', '', 'error'],
    ]);
    expect(report.rows[3].reason).toBe('is not one of IN, IM, IV, OTHER');
    expect(report.rows[4].reason).toBe('has 4 columns where the header has 24');
    const text = JSON.stringify(report.rows);
    for (const value of ['Whitfield', 'Dana', 'ABC', 'GLITTER', 'ORAL']) {
      expect(text).not.toContain(value);
    }
  });

  it('maps the documented columns and routes the case like an API report', async () => {
    const { county, police, outreach, context } = await world();
    await makeAgreement(hub, police, outreach, { counties: [county] });
    const file = await fixtureCopy('rms', 'mixed.csv', county);
    await importRms(context, [file], new MemoryReport(), { utcOffset: '-05:00' });
    const [first, second] = await incidentsOf(police);

    expect(first).toMatchObject({
      street: '300 River Rd, Apt 2',
      city: 'Asheville',
      state: 'NC',
      fatal: false,
      officerWarmHandoff: true,
      suspectedSubstances: ['FENTANYL', 'XYLAZINE'],
    });
    expect(
      first.naloxoneAdministrations
        .getItems()
        .map((n) => [n.administeredBy, n.route, Number(n.doseMg), n.response]),
    ).toEqual([
      ['POLICE', 'IN', 4, 'IMPROVED'],
      ['POLICE', 'IN', 4, 'IMPROVED'],
    ]);
    // The values are the reporter's, on its report; the person row keeps the demographics.
    const person = await hub.em().findOneOrFail(Person, { id: first.person!.id });
    expect(person.sex).toBe('FEMALE');
    const entered = await hub.em().findOneOrFail(ReportedIdentity, { incident: first.id });
    expect(entered).toMatchObject({
      firstName: 'Casey',
      lastName: expect.stringMatching(/^Morgan[a-fx]{8}$/),
      sex: 'FEMALE',
    });
    expect(second).toMatchObject({ fatal: true, suspectedSubstances: ['HEROIN'] });
    expect(second.occurredAt.getUTCHours()).toBe((8 + 5) % 24);

    const kase = await hub
      .em()
      .findOneOrFail(Case, { indexIncident: first.id }, { populate: ['referrals'] });
    expect([kase.status, kase.routedAgency?.id]).toEqual(['REFERRED', outreach.id]);
    // Fatal overdoses are counted, not routed for outreach.
    const fatalCase = await hub.em().findOneOrFail(Case, { indexIncident: second.id });
    expect(fatalCase.status).toBe('CLOSED');
  });

  it('changes nothing when the same file is imported again', async () => {
    const { county, police, context } = await world();
    const file = await fixtureCopy('rms', 'mixed.csv', county);
    await importRms(context, [file], new MemoryReport(), { utcOffset: '-05:00' });
    const before = await incidentsOf(police);
    const again = await importRms(context, [file], new MemoryReport(), { utcOffset: '-05:00' });
    expect(again.totals).toMatchObject({ imported: 0, unchanged: 3, failed: 3 });
    expect((await incidentsOf(police)).map((i) => [i.id, i.version])).toEqual(
      before.map((i) => [i.id, i.version]),
    );
  });

  it('refuses a time without an offset unless one is given', async () => {
    const { county, context } = await world();
    const report = new MemoryReport();
    await importRms(context, [await fixtureCopy('rms', 'mixed.csv', county)], report);
    expect(report.rows.find((r) => r.externalId === 'RMS-2026-502')).toMatchObject({
      field: 'incident_datetime',
      reason: 'has no UTC offset (add one, e.g. -04:00, or pass --utc-offset)',
    });
  });

  it('never reads narrative columns into the hub', async () => {
    const { county, context } = await world();
    await importRms(context, [await fixtureCopy('rms', 'mixed.csv', county)], new MemoryReport(), {
      utcOffset: '-05:00',
    });
    expect(await rowsContaining(hub, 'RMS-2026-501')).toBeGreaterThan(0);
    expect(await rowsContaining(hub, 'NARRATIVE-MARKER-rms-41c2')).toBe(0);
  });

  it('refuses malformed CSV and a file without the required columns whole', async () => {
    const { county, police, context } = await world();
    const folder = await tempFolder();
    await fixtureCopy('rms', 'malformed.csv', county, folder);
    await fixtureCopy('rms', 'missing-columns.csv', county, folder);
    const result = await importRms(context, [folder], new MemoryReport());

    expect(result.files.map((f) => f.fileError)).toEqual([
      'is not readable CSV (a quoted field is never closed near line 4); nothing from it was imported',
      'lacks the required column(s) county_fips',
    ]);
    expect(result.totals).toMatchObject({ read: 0, imported: 0, filesRefused: 2 });
    expect(await incidentsOf(police)).toEqual([]);
  });

  it('imports only as a police officer', async () => {
    const paramedic = await makeUser(hub, Role.EMS_PROVIDER);
    const viewer = await importViewer(hub.em(), hub.config, paramedic.token);
    await expect(
      importRms({ em: hub.em(), config: hub.config, viewer }, [], new MemoryReport()),
    ).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });
});
