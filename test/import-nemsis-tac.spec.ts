import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { Case } from '../src/modules/case/case.entity';
import { CaseEvent } from '../src/modules/case/case-event.entity';
import { OverdoseIncident } from '../src/modules/incident/incident.entity';
import { importViewer } from '../src/modules/import/import-credential';
import { createImportRun, runTrackedImport } from '../src/modules/import/import-run.service';
import { importNemsis } from '../src/modules/import/nemsis-import.service';
import { nemsisVersionOf } from '../src/modules/import/nemsis-reader';
import type { AuditRow } from './support/audit';
import { makeAgency, makeUser, uniqueCounty } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { fixtureCopy, MemoryReport, tempFolder } from './support/import-fixtures';
import { REPORT_MUTATION, reportInput } from './support/reports';

const TAC_CASES = [
  '2025-EMS-1-OpioidRelease_v351.xml',
  '2025-EMS-2-Overdose_v350.xml',
  '2025-EMS-3-Crash_v351.xml',
  '2023-EMS-3-FallTransport_v350.xml',
  '2025-EMS-4-STEMI_v351.xml',
  'naloxone-refused-pn_v351.xml',
  '2023-EMS-2-Overdose_v340.xml',
];

const SET_DEFINITION = `mutation Set($definition: CaseDefinitionName!, $agencyId: ID) {
  setCaseDefinition(definition: $definition, agencyId: $agencyId) { id caseDefinition }
}`;

describe('NEMSIS v3.5 as the TAC test cases write it', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  async function world() {
    const county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: ems });
    const viewer = await importViewer(hub.em(), hub.config, paramedic.token);
    const context = { em: hub.em(), config: hub.config, viewer };
    return { county, ems, paramedic, admin, context };
  }

  async function copies(county: string, names: string[], daysBack = 0): Promise<string> {
    const folder = await tempFolder();
    for (const name of names) await fixtureCopy('nemsis', name, county, folder, daysBack);
    return folder;
  }

  const incidentsOf = (agency: Agency) =>
    hub
      .em()
      .find(
        OverdoseIncident,
        { reportingAgency: agency.id },
        { populate: ['naloxoneAdministrations'], orderBy: { externalId: 'asc' } },
      );

  it('reads the version from the TAC, release and vendor forms of xsi:schemaLocation', () => {
    const ns = 'http://www.nemsis.org';
    const at = (path: string) => `${ns} https://nemsis.org/media/nemsis_v3/${path}`;
    expect(nemsisVersionOf(at('3.5.1.250403CP1/XSDs/NEMSIS_XSDs/EMSDataSet_v3.xsd'))).toBe('3.5.1');
    expect(nemsisVersionOf(at('3.5.0.211008CP3/XSDs/NEMSIS_XSDs/EMSDataSet_v3.xsd'))).toBe('3.5.0');
    expect(nemsisVersionOf(at('release-3.5.0/XSDs/NEMSIS_XSDs/EMSDataSet_v3.xsd'))).toBe('3.5.0');
    expect(nemsisVersionOf(`${ns} https://x.test/NEMSIS_v3.5.1/EMSDataSet_v3.xsd`)).toBe('3.5.1');
    expect(nemsisVersionOf(`${ns} https://x.test/nemsis/3_5_0/EMSDataSet_v3.xsd`)).toBe('3.5.0');
    expect(nemsisVersionOf(at('3.4.0.160713CP2/XSDs/NEMSIS_XSDs/EMSDataSet_v3.xsd'))).toBe('3.4.0');
    expect(nemsisVersionOf(`${ns} EMSDataSet_v3.xsd`)).toBeUndefined();
    expect(nemsisVersionOf(undefined)).toBeUndefined();
  });

  it('imports each TAC case as its test case says under the opioid definition, counting skips by reason', async () => {
    const { county, ems, context } = await world();
    const report = new MemoryReport();
    const result = await importNemsis(context, [await copies(county, TAC_CASES)], report);

    expect(result.caseDefinition).toEqual({ name: 'OPIOID_OVERDOSE', version: 1 });
    expect(result.totals).toEqual({
      read: 6,
      imported: 2,
      unchanged: 0,
      skipped: 4,
      skippedByReason: { NOT_AN_OVERDOSE: 3, OUTSIDE_CASE_DEFINITION: 1 },
      failed: 0,
      filesRefused: 1,
    });
    const byFile = Object.fromEntries(
      result.files.map((f) => [f.file.split('/').pop(), [f.imported, f.skipped, f.fileError]]),
    );
    expect(byFile['2025-EMS-3-Crash_v351.xml']).toEqual([0, 1, undefined]);
    expect(byFile['2023-EMS-3-FallTransport_v350.xml']).toEqual([0, 1, undefined]);
    expect(byFile['2025-EMS-4-STEMI_v351.xml']).toEqual([0, 1, undefined]);
    expect(byFile['2023-EMS-2-Overdose_v340.xml']).toEqual([
      0,
      0,
      'is NEMSIS 3.4.0; this importer reads NEMSIS v3.5 only (export the file as v3.5)',
    ]);
    // The TAC overdose case (F19, F10.92) is named with the reason it was left out.
    const skippedRow = report.rows.find((r) => r.level === 'skipped');
    expect(skippedRow).toMatchObject({
      externalId: '2025-EMS-2-Overdose',
      reason:
        "OUTSIDE_CASE_DEFINITION: an overdose under ALL_DRUG_OVERDOSE v1, not under OPIOID_OVERDOSE v1 (the agency's case definition)",
    });

    const [release, refused] = await incidentsOf(ems);
    expect(release).toMatchObject({
      externalId: '2025-EMS-1-OpioidRelease',
      caseDefinition: 'OPIOID_OVERDOSE',
      caseDefinitionVersion: 1,
      historical: false,
      emsDisposition: 'REFUSED_TRANSPORT',
      suspectedSubstances: ['FENTANYL', 'OTHER_OPIOID'],
    });
    expect(
      release.naloxoneAdministrations.getItems().map((n) => [n.administeredBy, n.route]),
    ).toEqual([
      ['POLICE', 'IN'],
      ['EMS', 'IM'],
    ]);
    expect(refused.externalId).toBe('PCR-PN-REFUSED-1');
  });

  it('never takes a refused naloxone (PN) as a dose, and never fails a record for a nil value', async () => {
    const { county, ems, context } = await world();
    const report = new MemoryReport();
    const result = await importNemsis(
      context,
      [await copies(county, ['naloxone-refused-pn_v351.xml'])],
      report,
    );
    expect(result.totals).toMatchObject({ read: 1, imported: 1, failed: 0 });
    expect(report.errors()).toEqual([]);
    expect(report.rows.map((r) => [r.field, r.level, r.reason])).toEqual([
      [
        'eMedications.MedicationGroup[2]/eMedications.03',
        'warning',
        'naloxone recorded as not given (pertinent negative Refused): not counted as an administration',
      ],
      [
        'eMedications.MedicationGroup[1]/eMedications.10',
        'warning',
        'is not recorded (NV): given before EMS care by someone not named, kept as BYSTANDER',
      ],
    ]);
    const [incident] = await incidentsOf(ems);
    // Only the roommate's dose: the refused group is no administration.
    expect(
      incident.naloxoneAdministrations
        .getItems()
        .map((n) => [n.administeredBy, n.route, Number(n.doseMg), n.response]),
    ).toEqual([['BYSTANDER', 'IN', 4, 'UNCHANGED']]);
    // eSituation.01 was nil: the time falls back to eTimes.01; eScene.17 nil: no city.
    expect(incident.city).toBeNull();
    expect(incident.occurredAt.getTime()).toBeLessThan(Date.now());
  });

  it('lets the agency admin choose the all-drug definition, which takes the TAC overdose case in and records it', async () => {
    const { county, ems, admin, paramedic, context } = await world();
    const set = await hub.gql(SET_DEFINITION, { definition: 'ALL_DRUG_OVERDOSE' }, admin.token);
    expect(set.errors).toBeUndefined();
    expect(set.data).toEqual({
      setCaseDefinition: { id: ems.id, caseDefinition: 'ALL_DRUG_OVERDOSE' },
    });

    const result = await importNemsis(
      context,
      [await copies(county, ['2025-EMS-2-Overdose_v350.xml', '2025-EMS-4-STEMI_v351.xml'])],
      new MemoryReport(),
    );
    expect(result.totals).toMatchObject({
      imported: 1,
      skipped: 1,
      skippedByReason: { NOT_AN_OVERDOSE: 1 },
    });
    const [overdose] = await incidentsOf(ems);
    expect(overdose).toMatchObject({
      externalId: '2025-EMS-2-Overdose',
      caseDefinition: 'ALL_DRUG_OVERDOSE',
      caseDefinitionVersion: 1,
    });
    expect([...overdose.suspectedSubstances].sort()).toEqual(['ALCOHOL', 'UNKNOWN']);

    const read = await hub.gql<{
      incident: { caseDefinition: string; caseDefinitionVersion: number; historical: boolean };
    }>(
      'query($id: ID!) { incident(id: $id) { caseDefinition caseDefinitionVersion historical } }',
      { id: overdose.id },
      paramedic.token,
    );
    expect(read.data?.incident).toEqual({
      caseDefinition: 'ALL_DRUG_OVERDOSE',
      caseDefinitionVersion: 1,
      historical: false,
    });
  });

  it('skips an opioid-only release under the stimulant definition, saying which definition it meets', async () => {
    const { county, admin, context } = await world();
    await hub.gql(SET_DEFINITION, { definition: 'STIMULANT_OVERDOSE' }, admin.token);
    const report = new MemoryReport();
    const result = await importNemsis(
      context,
      [await copies(county, ['2025-EMS-1-OpioidRelease_v351.xml'])],
      report,
    );
    expect(result.totals).toMatchObject({
      imported: 0,
      skippedByReason: { OUTSIDE_CASE_DEFINITION: 1 },
    });
    expect(report.rows[0].reason).toBe(
      "OUTSIDE_CASE_DEFINITION: an overdose under OPIOID_OVERDOSE v1, ALL_DRUG_OVERDOSE v1, not under STIMULANT_OVERDOSE v1 (the agency's case definition)",
    );
  });

  it('lets only administrators choose a definition, an agency admin for its own agency only', async () => {
    const { ems, paramedic, admin } = await world();
    const other = await makeAgency(hub, AgencyKind.EMS);
    const denied = await hub.gql(
      SET_DEFINITION,
      { definition: 'STIMULANT_OVERDOSE' },
      paramedic.token,
    );
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const elsewhere = await hub.gql(
      SET_DEFINITION,
      { definition: 'STIMULANT_OVERDOSE', agencyId: other.id },
      admin.token,
    );
    expect(elsewhere.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
    const byHub = await hub.gql(
      SET_DEFINITION,
      { definition: 'STIMULANT_OVERDOSE', agencyId: ems.id },
      hubAdmin.token,
    );
    expect(byHub.data).toEqual({
      setCaseDefinition: { id: ems.id, caseDefinition: 'STIMULANT_OVERDOSE' },
    });
  });

  it('refuses records older than the intake limit unless backfilled; a backfill takes them as history, linked and never routed', async () => {
    const { county, ems, paramedic, context } = await world();
    const old = await copies(county, ['2025-EMS-1-OpioidRelease_v351.xml'], 800);

    const refused = new MemoryReport();
    const plain = await importNemsis(context, [old], refused);
    expect(plain.totals).toMatchObject({ imported: 0, failed: 1 });
    expect(refused.errors()[0]).toMatchObject({
      hubField: 'occurredAt',
      reason: 'is more than 365 days ago (send older reports as a backfill)',
    });

    const result = await importNemsis({ ...context, backfill: true }, [old], new MemoryReport());
    expect(result.totals).toMatchObject({ imported: 1, failed: 0 });

    const [incident] = await incidentsOf(ems);
    expect(incident.historical).toBe(true);
    const kase = await hub.em().findOneOrFail(Case, { indexIncident: incident.id });
    expect(kase).toMatchObject({ status: 'CLOSED', closeReason: 'NOT_ELIGIBLE' });
    expect(kase.routedAgency).toBeFalsy();
    const events = await hub.em().find(CaseEvent, { case: kase.id });
    expect(events.map((e) => e.reason)).toContain('HISTORICAL');

    // The same person overdoses again today: the new case is routed and linked to the history.
    const surname = /<ePatient\.02>([^<]+)</.exec(
      await readFile(join(old, '2025-EMS-1-OpioidRelease_v351.xml'), 'utf8'),
    )![1];
    const today = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
      REPORT_MUTATION,
      {
        input: reportInput(county, {
          survivor: { firstName: 'Jordan', lastName: surname, dateOfBirth: '1997-03-14' },
        }),
      },
      paramedic.token,
    );
    const todayCase = await hub
      .em()
      .findOneOrFail(
        Case,
        { indexIncident: today.data!.reportIncident.incident.id },
        { populate: ['priorCases'] },
      );
    expect(todayCase.status).toBe('REFERRED');
    expect(todayCase.priorCases.getItems().map((c) => c.id)).toEqual([kase.id]);

    // Counted: the reporting agency's own list shows it, flagged as history.
    const list = await hub.gql<{
      myAgencyIncidents: { edges: Array<{ node: { externalId: string; historical: boolean } }> };
    }>(
      '{ myAgencyIncidents(first: 10) { edges { node { externalId historical } } } }',
      {},
      paramedic.token,
    );
    expect(list.data?.myAgencyIncidents.edges.map((e) => e.node)).toContainEqual({
      externalId: '2025-EMS-1-OpioidRelease',
      historical: true,
    });
  });

  it('leaves an audit row per record carrying identity and one for the run with its counts', async () => {
    const { county, context } = await world();
    const run = await createImportRun(hub.em(), context.viewer, 'NEMSIS', 'CLI', false);
    await runTrackedImport(context, run, {
      kind: 'NEMSIS',
      source: 'CLI',
      paths: [await copies(county, TAC_CASES)],
    });
    const rows = await hub
      .em()
      .execute<AuditRow[]>(
        'select * from audit_event where request_id = ? order by occurred_at, action',
        [run.id],
      );
    const records = rows.filter((r) => r.action === 'IMPORT_RECORD');
    expect(records).toHaveLength(2);
    for (const row of records) {
      expect(row).toMatchObject({
        actor_kind: 'USER',
        actor_user_id: context.viewer.userId,
        agency_id: context.viewer.agencyId,
        entity_type: 'OverdoseIncident',
        purpose: 'REPORTING',
        outcome: 'ALLOWED',
      });
      expect(row.person_ids).toHaveLength(1);
      expect(row.fields).toEqual(
        expect.arrayContaining(['survivor.firstName', 'survivor.lastName', 'survivor.dateOfBirth']),
      );
    }
    const runRow = rows.find((r) => r.action === 'IMPORT_RUN')!;
    expect(runRow).toMatchObject({ entity_ids: [run.id], entity_type: 'ImportRun' });
    expect(runRow.details).toMatchObject({
      kind: 'NEMSIS',
      source: 'CLI',
      status: 'COMPLETED',
      read: 6,
      imported: 2,
      skipped: 4,
      filesRefused: 1,
      skippedByReason: { NOT_AN_OVERDOSE: 3, OUTSIDE_CASE_DEFINITION: 1 },
    });
    // Names and counts only: no value from the files.
    expect(JSON.stringify(rows)).not.toMatch(/Okafor|Jordan|1997-03-14|Haywood/);
  });
});
