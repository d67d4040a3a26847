import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Case } from '../src/modules/case/case.entity';
import { OverdoseIncident } from '../src/modules/incident/incident.entity';
import type { AuditRow } from './support/audit';
import { makeAgency, makeApiKey, makeUser, uniqueCounty } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { request, type RawResponse } from './support/http';
import { fixtureCopy } from './support/import-fixtures';

interface RunView {
  runId: string;
  kind: string;
  status: string;
  backfill: boolean;
  progress: { done: number; total: number | null };
  summary: {
    totals: Record<string, unknown>;
    files: Array<{ file: string; fileError?: string }>;
    caseDefinition?: unknown;
  };
  report: Array<Record<string, string>>;
  reportRows: number;
}

describe('POST /ingest/nemsis and /ingest/rms', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  async function world() {
    const county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    const { key, apiKey } = await makeApiKey(hub, ems, Role.EMS_PROVIDER);
    return { county, ems, outreach, key, apiKey };
  }

  const fixture = async (name: string, county: string, kind: 'nemsis' | 'rms' = 'nemsis') =>
    readFile(await fixtureCopy(kind, name, county));

  const post = (
    path: string,
    key: string | undefined,
    body: Buffer | string,
    headers: Record<string, string> = { 'content-type': 'application/xml' },
  ): Promise<RawResponse> =>
    request(hub, path, {
      method: 'POST',
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body,
    });

  const incidentCount = (agencyId: string) =>
    hub.em().count(OverdoseIncident, { reportingAgency: agencyId });

  it('takes a NEMSIS file posted with an EMS API key: the per-record report, the run, and the routed case', async () => {
    const { county, ems, outreach, key, apiKey } = await world();
    const body = await fixture('2025-EMS-1-OpioidRelease_v351.xml', county);
    const res = await post('/ingest/nemsis?name=nightly-2026-11-22.xml', key, body);
    expect(res.status).toBe(200);
    const run = res.json as unknown as RunView;
    expect(run).toMatchObject({ kind: 'NEMSIS', status: 'COMPLETED', backfill: false });
    expect(run.summary.totals).toMatchObject({ read: 1, imported: 1, failed: 0 });
    expect(run.summary.files[0].file).toBe('nightly-2026-11-22.xml');
    expect(res.headers.get('location')).toBe(`/ingest/runs/${run.runId}`);

    const shown = await request(hub, `/ingest/runs/${run.runId}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({
      runId: run.runId,
      status: 'COMPLETED',
      progress: { done: 1, total: 1 },
      summary: { totals: { imported: 1 } },
    });

    const [incident] = await hub.em().find(OverdoseIncident, { reportingAgency: ems.id });
    expect(incident).toMatchObject({
      externalId: '2025-EMS-1-OpioidRelease',
      reportedById: apiKey.id,
      caseDefinition: 'OPIOID_OVERDOSE',
    });
    const kase = await hub.em().findOneOrFail(Case, { indexIncident: incident.id });
    expect(kase.status).toBe('REFERRED');
    expect(kase.routedAgency?.id).toBe(outreach.id);

    // The run and the identity it wrote are audited as the API key.
    const audit = await hub
      .em()
      .execute<AuditRow[]>('select * from audit_event where request_id = ? order by action', [
        run.runId,
      ]);
    expect(audit.map((a) => [a.action, a.actor_kind, a.actor_api_key_id])).toEqual([
      ['IMPORT_RECORD', 'API_KEY', apiKey.id],
      ['IMPORT_RUN', 'API_KEY', apiKey.id],
    ]);
  });

  it('accepts gzip, and changes nothing when the same export is posted again', async () => {
    const { county, ems, key } = await world();
    const body = gzipSync(await fixture('naloxone-refused-pn_v351.xml', county));
    const first = await post('/ingest/nemsis', key, body, {
      'content-type': 'application/xml',
      'content-encoding': 'gzip',
    });
    expect(first.status).toBe(200);
    expect((first.json as unknown as RunView).summary.totals).toMatchObject({ imported: 1 });
    const again = await post('/ingest/nemsis', key, body, { 'content-type': 'application/gzip' });
    expect(again.status).toBe(200);
    expect((again.json as unknown as RunView).summary.totals).toMatchObject({
      imported: 0,
      unchanged: 1,
    });
    expect(await incidentCount(ems.id)).toBe(1);
  });

  it('takes an RMS export with a police API key', async () => {
    const county = uniqueCounty();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const { key } = await makeApiKey(hub, police, Role.POLICE_OFFICER);
    const res = await post('/ingest/rms', key, await fixture('mixed.csv', county, 'rms'), {
      'content-type': 'text/csv',
    });
    expect(res.status).toBe(200);
    const run = res.json as unknown as RunView;
    expect(run.kind).toBe('RMS');
    expect(Number(run.summary.totals.imported)).toBeGreaterThan(0);
    expect(run.reportRows).toBe(run.report.length);
  });

  it('refuses a file that is not NEMSIS XML whole: 422 with the reason, nothing imported', async () => {
    const { ems, key } = await world();
    const res = await post('/ingest/nemsis', key, 'case_number,incident_datetime\nX,2026-01-01\n');
    expect(res.status).toBe(422);
    const run = res.json as unknown as RunView;
    expect(run.status).toBe('REFUSED');
    expect(run.summary.files[0].fileError).toMatch(/^is not well-formed XML/);
    expect(run.report[0].reason).toMatch(/^file refused: it is not well-formed XML/);
    expect(await incidentCount(ems.id)).toBe(0);
  });

  it('refuses a file that is not RMS CSV whole', async () => {
    const county = uniqueCounty();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    const { key } = await makeApiKey(hub, police, Role.POLICE_OFFICER);
    const res = await post(
      '/ingest/rms',
      key,
      await fixture('2025-EMS-1-OpioidRelease_v351.xml', county),
      { 'content-type': 'text/csv' },
    );
    expect(res.status).toBe(422);
    expect((res.json as unknown as RunView).summary.files[0].fileError).toMatch(
      /^is not readable CSV \(a quote appears inside an unquoted field near line 1\); nothing from it was imported$/,
    );
    expect(await incidentCount(police.id)).toBe(0);
  });

  it('refuses a 3.4 file whole', async () => {
    const { county, ems, key } = await world();
    const res = await post(
      '/ingest/nemsis',
      key,
      await fixture('2023-EMS-2-Overdose_v340.xml', county),
    );
    expect(res.status).toBe(422);
    expect((res.json as unknown as RunView).summary.files[0].fileError).toBe(
      'is NEMSIS 3.4.0; this importer reads NEMSIS v3.5 only (export the file as v3.5)',
    );
    expect(await incidentCount(ems.id)).toBe(0);
  });

  it('answers clearly for a missing key, a key of the wrong role, a wrong media type and bad options', async () => {
    const { county, ems, key } = await world();
    const body = await fixture('2025-EMS-1-OpioidRelease_v351.xml', county);

    const anonymous = await post('/ingest/nemsis', undefined, body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json?.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    const police = await makeUser(hub, Role.POLICE_OFFICER);
    const wrongRole = await post('/ingest/nemsis', police.token, body);
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.json?.errors?.[0]).toMatchObject({
      message: 'NEMSIS files are imported as an EMS agency: use an EMS_PROVIDER API key or user',
      extensions: { code: 'FORBIDDEN' },
    });
    const rmsWithEmsKey = await post('/ingest/rms', key, 'a,b\n', { 'content-type': 'text/csv' });
    expect(rmsWithEmsKey.status).toBe(403);

    const json = await post('/ingest/nemsis', key, '{}', { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    expect(json.json?.errors?.[0].message).toMatch(/^Content-Type: send the NEMSIS v3.5 XML file/);

    const badFlag = await post('/ingest/nemsis?backfill=yes', key, body);
    expect(badFlag.status).toBe(400);
    expect(badFlag.json?.errors?.[0]).toMatchObject({
      message: 'backfill: must be true or false',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(await incidentCount(ems.id)).toBe(0);
  });

  it('answers another agency’s run like a missing one, and audits who asked for which id', async () => {
    const { county, key } = await world();
    const res = await post(
      '/ingest/nemsis',
      key,
      await fixture('2025-EMS-3-Crash_v351.xml', county),
    );
    const { runId } = res.json as unknown as RunView;
    const stranger = await world();
    const probe = await request(hub, `/ingest/runs/${runId}`, {
      headers: { authorization: `Bearer ${stranger.key}`, 'x-request-id': `probe-${runId}` },
    });
    expect(probe.status).toBe(404);
    expect(probe.json?.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const audit = await hub
      .em()
      .execute<AuditRow[]>('select * from audit_event where request_id = ?', [`probe-${runId}`]);
    expect(audit).toMatchObject([
      {
        action: 'GET /ingest/runs',
        actor_api_key_id: stranger.apiKey.id,
        entity_ids: [runId],
        outcome: 'DENIED',
        error_code: 'NOT_FOUND',
      },
    ]);
  });

  it('with wait=false answers 202 at once and the run shows the report when done', async () => {
    const { county, key } = await world();
    const res = await post(
      '/ingest/nemsis?wait=false&backfill=true',
      key,
      await fixture('2025-EMS-1-OpioidRelease_v351.xml', county),
    );
    expect(res.status).toBe(202);
    const { runId, status, backfill } = res.json as unknown as RunView;
    expect([status, backfill]).toEqual(['RUNNING', true]);
    let shown: RunView;
    do {
      shown = (
        await request(hub, `/ingest/runs/${runId}`, { headers: { authorization: `Bearer ${key}` } })
      ).json as unknown as RunView;
      if (shown.status === 'RUNNING') await new Promise((r) => setTimeout(r, 100));
    } while (shown.status === 'RUNNING');
    expect(shown.status).toBe('COMPLETED');
    expect(shown.summary.totals).toMatchObject({ imported: 1 });
  });
});

describe('ingest body limit', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ INGEST_BODY_LIMIT: '4kb' });
  });
  afterAll(() => hub.stop());

  it('refuses a body over INGEST_BODY_LIMIT, counted after gzip is undone, and imports nothing', async () => {
    const county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const { key } = await makeApiKey(hub, ems, Role.EMS_PROVIDER);
    const body = await readFile(
      await fixtureCopy('nemsis', '2025-EMS-1-OpioidRelease_v351.xml', county),
    );
    expect(body.length).toBeGreaterThan(4096);

    const plain = await request(hub, '/ingest/nemsis', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/xml' },
      body,
    });
    expect(plain.status).toBe(413);
    expect(plain.json?.errors?.[0]).toMatchObject({
      extensions: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(plain.json?.errors?.[0].message).toMatch(/INGEST_BODY_LIMIT/);

    const zipped = gzipSync(body);
    expect(zipped.length).toBeLessThan(4096);
    const gz = await request(hub, '/ingest/nemsis', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/gzip' },
      body: zipped,
    });
    expect(gz.status).toBe(413);
    expect(await hub.em().count(OverdoseIncident, { reportingAgency: ems.id })).toBe(0);
  });
});
