import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { Case } from '../src/modules/case/case.entity';
import { OverdoseIncident } from '../src/modules/incident/incident.entity';
import { importNemsisCommand } from '../src/cli/import';
import { ErrorReportFile } from '../src/modules/import/error-report';
import { importViewer } from '../src/modules/import/import-credential';
import { importNemsis } from '../src/modules/import/nemsis-import.service';
import { Person } from '../src/modules/person/person.entity';
import { ReportedIdentity } from '../src/modules/incident/reported-identity.entity';
import { makeAgency, makeAgreement, makeApiKey, makeUser, uniqueCounty } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { fixtureCopy, MemoryReport, rowsContaining, tempFolder } from './support/import-fixtures';
import { REPORT_MUTATION, reportInput } from './support/reports';

const NARRATIVE_MARKER = 'NARRATIVE-MARKER-7f3a9c';

describe('NEMSIS v3.5 import', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  /** An EMS agency with a paramedic, and a harm-reduction agency, both serving a fresh county. */
  async function world() {
    const county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    const paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    const viewer = await importViewer(hub.em(), hub.config, paramedic.token);
    const context = { em: hub.em(), config: hub.config, viewer };
    return { county, ems, outreach, paramedic, context };
  }

  const incidentsOf = (agency: Agency) =>
    hub
      .em()
      .find(
        OverdoseIncident,
        { reportingAgency: agency.id },
        { populate: ['naloxoneAdministrations'], orderBy: { externalId: 'asc' } },
      );

  it('imports a mix of good and bad PCRs with a correct summary and a per-record CSV report', async () => {
    const { county, ems, context } = await world();
    const file = await fixtureCopy('nemsis', 'mixed.xml', county);
    const reportPath = join(await tempFolder(), 'errors.csv');
    const report = await ErrorReportFile.open(reportPath);
    const result = await importNemsis(context, [file], report);
    await report.close();

    expect(result.totals).toEqual({
      read: 7,
      imported: 3,
      unchanged: 0,
      skipped: 1,
      skippedByReason: { NOT_AN_OVERDOSE: 1 },
      failed: 3,
      filesRefused: 0,
    });
    expect((await incidentsOf(ems)).map((i) => i.externalId)).toEqual([
      'PCR-2026-1001',
      'PCR-2026-1002',
      'PCR-2026-1003',
    ]);
    const text = await readFile(reportPath, 'utf8');
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.record, r.externalId, r.field, r.level])).toEqual([
      ['#5', 'PCR-2026-1005', 'eMedications.MedicationGroup[1]/eMedications.04', 'error'],
      ['#6', 'PCR-2026-1006', 'eScene.21', 'error'],
      ['#7', 'PCR-2026-1007', 'eMedications.MedicationGroup[1]/eMedications.10', 'error'],
    ]);
    expect(rows[0].reason).toBe('is not a NEMSIS v3.5 code for this element');
    // eScene.21 is sent as a not-value: the record names why it cannot be taken.
    expect(rows[1]).toMatchObject({
      hubField: '',
      reason:
        'is recorded as a not-value: the hub needs the county of the scene to route the follow-up',
    });
    expect(rows.every((r) => r.file === file)).toBe(true);
    // Field names and reasons only: no name, street or code value from the file.
    for (const value of ['Lindqvist', 'Sam', '9 Pine Rd', '9927999', 'Rivera']) {
      expect(text).not.toContain(value);
    }
  });

  it('maps naloxone, disposition, scene and identity as domain.md §8 describes', async () => {
    const { county, ems, context } = await world();
    await importNemsis(
      context,
      [await fixtureCopy('nemsis', 'mixed.xml', county)],
      new MemoryReport(),
    );
    const [first, second, third] = await incidentsOf(ems);

    expect(first).toMatchObject({
      county,
      street: '12 Elm St',
      city: null, // eScene.17 is a GNIS code, not a name
      state: 'NC',
      zip: '28801',
      latitude: 35.5951,
      longitude: -82.5515,
      fatal: false,
      emsDisposition: 'REFUSED_TRANSPORT',
      suspectedSubstances: ['FENTANYL', 'OTHER_OPIOID'],
    });
    // Oxygen (RxNorm 7806) is not naloxone and is left out.
    expect(
      first.naloxoneAdministrations
        .getItems()
        .map((n) => [n.administeredBy, n.route, Number(n.doseMg), n.response]),
    ).toEqual([
      ['BYSTANDER', 'IN', 4, 'UNCHANGED'],
      ['EMS', 'IM', 0.4, 'IMPROVED'],
    ]);
    expect(second).toMatchObject({
      emsDisposition: 'TRANSPORTED',
      suspectedSubstances: ['HEROIN'],
    });
    expect(second.naloxoneAdministrations.getItems().map((n) => n.administeredBy)).toEqual([
      'POLICE',
    ]);
    expect(third.emsDisposition).toBe('RELEASED_TO_LAW_ENFORCEMENT');
    expect(
      third.naloxoneAdministrations.getItems().map((n) => [n.route, Number(n.doseMg)]),
    ).toEqual([['IV', 0.4]]);

    // The values are the reporter's, on its report; the person row keeps the demographics.
    const person = await hub.em().findOneOrFail(Person, { id: first.person!.id });
    expect(person.sex).toBe('FEMALE');
    const entered = await hub.em().findOneOrFail(ReportedIdentity, { incident: first.id });
    expect(entered).toMatchObject({
      firstName: 'Alex',
      lastName: expect.stringMatching(/^Rivera[a-fx]{8}$/),
      dateOfBirth: '1990-04-12',
      phone: '828-555-0142',
      street: '4 Oak Ave',
      state: 'NC',
      zip: '28803',
      sex: 'FEMALE',
    });
    expect(third.person).toBeNull();
  });

  it('changes nothing when the same file is imported again', async () => {
    const { county, ems, context } = await world();
    const file = await fixtureCopy('nemsis', 'mixed.xml', county);
    await importNemsis(context, [file], new MemoryReport());
    const before = await incidentsOf(ems);
    const cases = await hub.em().count(Case, { indexIncident: before.map((i) => i.id) });

    const reportPath = join(await tempFolder(), 'errors.json');
    const report = await ErrorReportFile.open(reportPath);
    const again = await importNemsis(context, [file], report);
    await report.close();

    expect(again.totals).toMatchObject({
      read: 7,
      imported: 0,
      unchanged: 3,
      skipped: 1,
      failed: 3,
    });
    const after = await incidentsOf(ems);
    expect(after.map((i) => [i.id, i.version])).toEqual(before.map((i) => [i.id, i.version]));
    expect(after.flatMap((i) => i.naloxoneAdministrations.getItems().map((n) => n.id))).toEqual(
      before.flatMap((i) => i.naloxoneAdministrations.getItems().map((n) => n.id)),
    );
    expect(await hub.em().count(Case, { indexIncident: after.map((i) => i.id) })).toBe(cases);
    const rows = JSON.parse(await readFile(reportPath, 'utf8')) as Array<{ record: string }>;
    expect(rows.map((r) => r.record)).toEqual(['#5', '#6', '#7']);
  });

  it('never stores a narrative: no table holds eNarrative text', async () => {
    const { county, context } = await world();
    await importNemsis(
      context,
      [await fixtureCopy('nemsis', 'mixed.xml', county)],
      new MemoryReport(),
    );
    const hits = (needle: string) => rowsContaining(hub, needle);
    // The search itself works: a value that was imported is found.
    expect(await hits('PCR-2026-1001')).toBeGreaterThan(0);
    expect(await hits(NARRATIVE_MARKER)).toBe(0);
    expect(await hits('usual source')).toBe(0);
  });

  it('refuses a file in another NEMSIS version whole, naming the version', async () => {
    const { county, ems, context } = await world();
    const report = new MemoryReport();
    const result = await importNemsis(
      context,
      [await fixtureCopy('nemsis', 'version-3.4.xml', county)],
      report,
    );
    expect(result.files[0].fileError).toBe(
      'is NEMSIS 3.4.0; this importer reads NEMSIS v3.5 only (export the file as v3.5)',
    );
    expect(result.totals).toMatchObject({ read: 0, imported: 0, filesRefused: 1 });
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0].reason).toMatch(/^file refused: it is NEMSIS 3\.4\.0/);
    expect(await incidentsOf(ems)).toEqual([]);
  });

  it('refuses malformed XML whole, even the complete PCR before the break, and goes on with the next file', async () => {
    const { county, ems, context } = await world();
    const folder = await tempFolder();
    await fixtureCopy('nemsis', 'malformed.xml', county, folder);
    await fixtureCopy('nemsis', 'mixed.xml', county, folder);
    const report = new MemoryReport();
    const result = await importNemsis(context, [folder], report);

    expect(result.files.map((f) => [f.file.split('/').pop(), f.read, f.imported])).toEqual([
      ['malformed.xml', 0, 0],
      ['mixed.xml', 7, 3],
    ]);
    expect(result.files[0].fileError).toMatch(
      /^is not well-formed XML \(line \d+, column \d+: .+\); nothing from it was imported$/,
    );
    expect(result.files[0].fileError).not.toContain('Jordan');
    // PCR-2026-1001 comes from mixed.xml; the malformed copy of it added nothing.
    expect((await incidentsOf(ems)).map((i) => i.externalId)).toHaveLength(3);
  });

  it('routes imported incidents exactly like reports sent to the API', async () => {
    const { county, ems, outreach, paramedic, context } = await world();
    await makeAgreement(hub, ems, outreach, { counties: [county] });
    await importNemsis(
      context,
      [await fixtureCopy('nemsis', 'mixed.xml', county)],
      new MemoryReport(),
    );
    const api = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
      REPORT_MUTATION,
      { input: reportInput(county) },
      paramedic.token,
    );
    expect(api.errors).toBeUndefined();

    const route = async (incident: OverdoseIncident | string) => {
      const id = typeof incident === 'string' ? incident : incident.id;
      const kase = await hub
        .em()
        .findOneOrFail(Case, { indexIncident: id }, { populate: ['referrals', 'indexIncident'] });
      const occurredAt = kase.indexIncident!.$.occurredAt.getTime();
      return {
        status: kase.status,
        routedAgency: kase.routedAgency?.id,
        opensAfterHours: (kase.followUpOpensAt.getTime() - occurredAt) / 3_600_000,
        dueAfterHours: (kase.followUpDueAt.getTime() - occurredAt) / 3_600_000,
        referrals: kase.referrals.getItems().map((r) => [r.toAgency?.id, r.status]),
      };
    };
    const expected = await route(api.data!.reportIncident.incident.id);
    expect(expected).toEqual({
      status: 'REFERRED',
      routedAgency: outreach.id,
      opensAfterHours: 24,
      dueAfterHours: 72,
      referrals: [[outreach.id, 'REQUESTED']],
    });
    for (const incident of await incidentsOf(ems)) {
      if (incident.id === api.data!.reportIncident.incident.id) continue;
      expect(await route(incident)).toEqual(expected);
    }
  });

  it('reports as the API key it was given, and only as an EMS provider', async () => {
    const { county, ems, context } = await world();
    const { apiKey, key } = await makeApiKey(hub, ems, Role.EMS_PROVIDER);
    const viewer = await importViewer(hub.em(), hub.config, key);
    await importNemsis(
      { ...context, viewer },
      [await fixtureCopy('nemsis', 'mixed.xml', county)],
      new MemoryReport(),
    );
    expect(new Set((await incidentsOf(ems)).map((i) => i.reportedById))).toEqual(
      new Set([apiKey.id]),
    );

    const revoked = await makeApiKey(hub, ems, Role.EMS_PROVIDER, { revoked: true });
    await expect(importViewer(hub.em(), hub.config, revoked.key)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const police = await makeUser(hub, Role.POLICE_OFFICER);
    const officer = await importViewer(hub.em(), hub.config, police.token);
    await expect(
      importNemsis({ ...context, viewer: officer }, [], new MemoryReport()),
    ).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it('runs as a CLI command: refuses a credential of another agency, then prints the summary and writes the report', async () => {
    const { county, paramedic } = await world();
    const other = await makeAgency(hub, AgencyKind.EMS);
    const session = { config: hub.config, em: hub.em(), devJwtSecret: false, secretsPath: '' };
    const file = await fixtureCopy('nemsis', 'mixed.xml', county);
    const reportPath = join(await tempFolder(), 'report.csv');
    const options = { paths: [file], token: paramedic.token, report: reportPath, progress: false };
    const out: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(
        importNemsisCommand(session, { ...options, agency: other.name }),
      ).rejects.toThrow(`--agency: the credential belongs to another agency than "${other.name}"`);
      await expect(
        importNemsisCommand(session, { ...options, token: 'not-a-token' }),
      ).rejects.toThrow('--token: not a valid API key or user token');
      await importNemsisCommand(session, options);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = undefined;
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const printed = out.join('');
    expect(printed).toMatch(/TOTAL\s+7\s+3\s+0\s+1\s+3/);
    expect(printed).toContain(`3 problem(s) by file, record and field: ${reportPath}`);
    expect((await readFile(reportPath, 'utf8')).split('\n')[0]).toBe(
      'file,record,externalId,field,hubField,level,reason',
    );
  });
});
