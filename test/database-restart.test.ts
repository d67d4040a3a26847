import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { makeAgency, makeApiKey, uniqueCounty } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { note } from './support/note';
import { request } from './support/http';
import {
  privatePostgresPlan,
  startPrivatePostgres,
  type PrivatePostgres,
} from './support/private-postgres';
import { BATCH_MUTATION, reportInput, type ReportBody } from './support/reports';

const BATCH_SIZE = 5;
const LANES = 4;
/** Batches that must succeed before the restart, and again after it, for the stream to end. */
const SUCCESSES_PER_PHASE = 6;
const DOWNTIME_MS = 1_500;
/** A hub that has not recovered this long after PostgreSQL is back has not recovered. */
const RECOVERY_LIMIT_MS = 15_000;

interface Sent {
  batch: number;
  startedAt: number;
  endedAt: number;
  status: number;
  text: string;
  requestIdHeader: string | null;
  body?: {
    data?: { reportIncidents: { items: Array<{ externalId: string; status: string }> } | null };
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

const succeeded = (s: Sent) => s.status === 200 && !s.body?.errors && !!s.body?.data;

const plan = privatePostgresPlan();
const missing = 'missing' in plan ? plan.missing : undefined;
if (missing) {
  note(`database-restart.test.ts skipped: ${missing}`);
}

/**
 * PostgreSQL stops and starts under a stream of batch reports from an ePCR system. Runs on a
 * private cluster (initdb into a temporary folder), never on the shared server.
 */
(missing ? describe.skip : describe)('when PostgreSQL restarts during a stream of reports', () => {
  let pg: PrivatePostgres;
  let hub: TestHub;
  let key: string;
  let agencyId: string;
  let county: string;
  const batches: ReportBody[][] = [];
  const sent: Sent[] = [];
  let stopCalledAt = 0;
  let stoppedAt = 0;
  let startedAt = 0;
  let inFlightAtStop = 0;
  const consoleLines: unknown[][] = [];
  /** From PostgreSQL accepting connections again to the hub's /readyz answering 200. */
  let readyAfterMs = -1;

  const send = async (batch: number): Promise<Sent> => {
    const startedAt = Date.now();
    const response = await request(hub, '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: BATCH_MUTATION, variables: { inputs: batches[batch] } }),
      signal: AbortSignal.timeout(60_000),
    });
    return {
      batch,
      startedAt,
      endedAt: Date.now(),
      status: response.status,
      text: response.text,
      requestIdHeader: response.headers.get('x-request-id'),
      body: response.json as Sent['body'],
    };
  };

  beforeAll(async () => {
    if ('missing' in plan) return;
    pg = await startPrivatePostgres(plan);
    hub = await startTestHub({ DATABASE_URL: pg.url });
    county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    agencyId = ems.id;
    key = (await makeApiKey(hub, ems, Role.EMS_PROVIDER)).key;

    // Whatever the hub or its drivers print outside the structured log shows up here.
    const spies = (['log', 'warn', 'error'] as const).map((method) =>
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push([method, ...args]);
      }),
    );
    // Lanes send new batches back to back; the main flow stops and starts PostgreSQL.
    let inFlight = 0;
    let phase: 'before' | 'down' | 'after' | 'done' = 'before';
    const successesAfter = () =>
      sent.filter((s) => s.startedAt >= startedAt && startedAt > 0 && succeeded(s)).length;
    const lane = async () => {
      while (phase !== 'done') {
        const batch = batches.length;
        batches.push(Array.from({ length: BATCH_SIZE }, () => reportInput(county)));
        inFlight++;
        try {
          sent.push(await send(batch));
        } finally {
          inFlight--;
        }
        if (phase === 'after' && successesAfter() >= SUCCESSES_PER_PHASE) phase = 'done';
        // Paces the stream while the database is down, when every answer comes back at once.
        await new Promise((resolve) => setTimeout(resolve, phase === 'down' ? 100 : 10));
      }
    };
    const lanes = Array.from({ length: LANES }, () => lane());
    while (sent.filter(succeeded).length < SUCCESSES_PER_PHASE) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    stopCalledAt = Date.now();
    inFlightAtStop = inFlight;
    phase = 'down';
    await pg.stop();
    stoppedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, DOWNTIME_MS));
    await pg.start();
    startedAt = Date.now();
    phase = 'after';
    while ((await request(hub, '/readyz')).status !== 200) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    readyAfterMs = Date.now() - startedAt;
    const deadline = setTimeout(() => (phase = 'done'), RECOVERY_LIMIT_MS + 30_000);
    await Promise.all(lanes);
    clearTimeout(deadline);
    for (const spy of spies) spy.mockRestore();
  }, 180_000);

  afterAll(async () => {
    await hub?.stop();
    await pg?.destroy();
  });

  it('answers each request in flight or sent while it is down with a clean coded error', () => {
    const failed = sent.filter((s) => !succeeded(s));
    const inFlightAtStopFailed = sent.filter(
      (s) => s.startedAt < stopCalledAt && s.endedAt >= stopCalledAt && !succeeded(s),
    ).length;
    note(
      `database restart: ${sent.length} batch requests of ${BATCH_SIZE} reports on ${LANES} lanes; ` +
        `${inFlightAtStop} in flight when PostgreSQL was told to stop, ${inFlightAtStopFailed} of ` +
        `them failed; stop took ${stoppedAt - stopCalledAt} ms, down ${startedAt - stoppedAt} ms; ` +
        `${failed.length} requests failed in all (HTTP ${[...new Set(failed.map((s) => s.status))].join(', ')}; ` +
        `codes ${[...new Set(failed.flatMap((s) => s.body?.errors?.map((e) => e.extensions?.code) ?? []))].join(', ')})`,
    );
    expect(failed.length).toBeGreaterThan(0);
    for (const response of failed) {
      // 500 when authenticating the API key failed, 200 with a null field when the resolver did.
      expect([500, 200]).toContain(response.status);
      expect(response.body?.errors).toHaveLength(1);
      const [error] = response.body!.errors!;
      expect(error.message).toBe('Internal error. Quote the request id when reporting it.');
      expect(error.extensions).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        requestId: response.requestIdHeader,
      });
      expect(response.text).not.toMatch(
        /overdose_incident|insert into|select |"stack"|\bat .+:\d+:\d+|node_modules|ECONNREFUSED|terminat|connection/i,
      );
    }
  });

  it('writes nothing to the console: connection loss is logged through the hub logger', () => {
    expect(consoleLines).toEqual([]);
  });

  it('recovers without a restart of the hub', async () => {
    const firstSuccess = sent
      .filter((s) => s.startedAt >= startedAt && succeeded(s))
      .sort((a, b) => a.endedAt - b.endedAt)[0];
    expect(firstSuccess).toBeDefined();
    const recoveryMs = firstSuccess.endedAt - startedAt;
    note(
      `database restart: /readyz 200 again ${readyAfterMs} ms and the first batch sent after ` +
        `the restart stored ${recoveryMs} ms after PostgreSQL was back`,
    );
    expect(recoveryMs).toBeLessThan(RECOVERY_LIMIT_MS);
    // No dead pooled connection is handed out once PostgreSQL is back.
    expect(sent.filter((s) => s.startedAt >= startedAt && !succeeded(s))).toEqual([]);
    expect((await request(hub, '/readyz')).status).toBe(200);
  });

  it('keeps exactly one incident per externalId when every batch is sent again', async () => {
    const again: Sent[] = [];
    let next = 0;
    const resend = async () => {
      while (next < batches.length) {
        const batch = next++;
        again[batch] = await send(batch);
      }
    };
    await Promise.all(Array.from({ length: LANES }, resend));
    for (const response of again) expect(response.body?.errors).toBeUndefined();
    const statuses = again.flatMap((s) =>
      s.body!.data!.reportIncidents!.items.map((i) => i.status),
    );
    expect(new Set(statuses)).toEqual(new Set(['CREATED', 'ALREADY_REPORTED']));
    // What was stored before the restart is answered as already reported, not stored twice.
    for (const response of sent.filter(succeeded)) {
      const answer = again[response.batch].body!.data!.reportIncidents!.items;
      expect(answer.map((i) => i.status)).toEqual(Array(BATCH_SIZE).fill('ALREADY_REPORTED'));
    }
    const partial = again.filter(
      (s) => new Set(s.body!.data!.reportIncidents!.items.map((i) => i.status)).size > 1,
    ).length;
    note(
      `database restart: re-sent ${batches.length} batches, ${statuses.filter((s) => s === 'CREATED').length} ` +
        `reports stored only now; ${partial} batches had been stored in part`,
    );

    const rows = await hub
      .em()
      .getConnection()
      .execute<Array<{ external_id: string; incidents: number; cases: number }>>(
        `select i.external_id, count(distinct i.id)::int as incidents, count(c.id)::int as cases
           from overdose_incident i left join overdose_case c on c.index_incident_id = i.id
          where i.reporting_agency_id = ? group by i.external_id`,
        [agencyId],
      );
    const expected = batches.flat().map((r) => r.externalId);
    expect(rows.map((r) => r.external_id).sort()).toEqual([...expected].sort());
    expect(rows.filter((r) => r.incidents !== 1 || r.cases !== 1)).toEqual([]);
  });
});
