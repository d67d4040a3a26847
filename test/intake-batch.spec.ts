import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseStatus, CloseReason } from '../src/modules/case/case-codes';
import { Case } from '../src/modules/case/case.entity';
import { OverdoseIncident } from '../src/modules/incident/incident.entity';
import { NaloxoneAdministration } from '../src/modules/incident/naloxone-administration.entity';
import { OutcomeType } from '../src/modules/outcome/outcome-codes';
import { Outcome } from '../src/modules/outcome/outcome.entity';
import { ReportedIdentity } from '../src/modules/incident/reported-identity.entity';
import { makeAgency, makeAgreement, makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import {
  BATCH_MUTATION,
  caseOfIncident,
  REPORT_MUTATION,
  reportInput,
  type ReportBody,
} from './support/reports';
import { listenForStatements } from './support/statements';

interface BatchAnswer {
  reportIncidents: {
    createdCount: number;
    alreadyReportedCount: number;
    rejectedCount: number;
    items: Array<{ index: number; status: string; incident: { id: string } | null }>;
  };
}

/**
 * Batch intake writes the reports of people new to the hub in one transaction and one flush
 * (multi-row inserts, routed in memory), and everything else one by one. These tests hold it to
 * the same answers and rows as the same reports sent one at a time.
 */
describe('batch intake', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  /** A county served by `outreachCount` harm-reduction agencies, each with an agreement. */
  async function world(outreachCount = 1): Promise<{ county: string; paramedic: Actor }> {
    const county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    for (let i = 0; i < outreachCount; i++) {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: [county],
      });
      await makeAgreement(hub, ems, outreach);
    }
    return { county, paramedic: await makeUser(hub, Role.EMS_PROVIDER, { agency: ems }) };
  }

  async function sendBatch(actor: Actor, inputs: ReportBody[]) {
    const response = await hub.gql<BatchAnswer>(BATCH_MUTATION, { inputs }, actor.token);
    expect(response.errors).toBeUndefined();
    return response.data!.reportIncidents;
  }

  const caseOf = (incidentId: string) => caseOfIncident(hub, incidentId);

  /** How the cases of these reports are spread over agencies: case counts, largest first. */
  async function spread(incidentIds: string[]): Promise<number[]> {
    const cases = await hub
      .em()
      .find(Case, { indexIncident: { $in: incidentIds } }, { refresh: true });
    const counts = new Map<string, number>();
    for (const c of cases) {
      const agency = c.routedAgency?.id ?? 'none';
      counts.set(agency, (counts.get(agency) ?? 0) + 1);
    }
    return [...counts.values()].sort((a, b) => b - a);
  }

  it('writes a batch of new people with the same number of statements for 10 and for 100 reports', async () => {
    const counts: number[] = [];
    for (const size of [10, 100]) {
      const { county, paramedic } = await world();
      const inputs = Array.from({ length: size }, () => reportInput(county));
      const listener = listenForStatements(hub);
      try {
        const result = await sendBatch(paramedic, inputs);
        expect(result.createdCount).toBe(size);
      } finally {
        listener.stop();
      }
      // The request's own statements: transaction control and the background work are left out
      // (the spike check runs on the job queue after commit, once per county however many
      // reports).
      // Only this batch's county: the job queue may meanwhile check the counties of earlier
      // batches and tests (a slow machine runs them late), and those are not this request's.
      const ownCounty = (b: unknown) => typeof b === 'string' && b.startsWith(`{${county}`);
      const spikeChecks = listener.calls.filter(
        (call) => call.sql.includes('/* spike-check */') && call.bindings.some(ownCounty),
      );
      // One check, one re-check for reports that arrived meanwhile: a handful, not one per report.
      expect(spikeChecks.length).toBeLessThanOrEqual(4);
      counts.push(
        listener.statements.filter(
          (sql) =>
            !/^(BEGIN|COMMIT|ROLLBACK)|spike_alert|spike_setting|hub_job|alert_delivery|spike-check/i.test(
              sql,
            ),
        ).length,
      );
      const ids = inputs.map((i) => i.externalId);
      expect(await hub.em().count(OverdoseIncident, { externalId: { $in: ids } })).toBe(size);
      expect(
        await hub.em().count(NaloxoneAdministration, { incident: { externalId: { $in: ids } } }),
      ).toBe(size);
      expect(
        await hub.em().count(ReportedIdentity, { incident: { externalId: { $in: ids } } }),
      ).toBe(size);
      expect(
        await hub.em().count(Case, {
          indexIncident: { externalId: { $in: ids } },
          status: CaseStatus.REFERRED,
        }),
      ).toBe(size);
    }
    expect(counts[1]).toBe(counts[0]);
    // Authentication, coverage, known reports, known people, routing, one insert per table, the
    // re-read and the audit row.
    expect(counts[0]).toBeLessThanOrEqual(15);
  });

  it('spreads a batch over the covering agencies by caseload, exactly as reports sent one by one', async () => {
    const batch = await world(3);
    const { items } = await sendBatch(
      batch.paramedic,
      Array.from({ length: 7 }, () => reportInput(batch.county)),
    );
    const single = await world(3);
    const singles: string[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
        REPORT_MUTATION,
        { input: reportInput(single.county) },
        single.paramedic.token,
      );
      expect(response.errors).toBeUndefined();
      singles.push(response.data!.reportIncident.incident.id);
    }
    expect(await spread(items.map((i) => i.incident!.id))).toEqual([3, 2, 2]);
    expect(await spread(singles)).toEqual([3, 2, 2]);
  });

  it('prefers an agency with an agreement within a batch, whatever its caseload', async () => {
    const county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const withAgreement = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    await makeAgreement(hub, ems, withAgreement);
    const paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    const result = await sendBatch(
      paramedic,
      Array.from({ length: 4 }, () => reportInput(county)),
    );
    for (const item of result.items) {
      expect((await caseOf(item.incident!.id)).routedAgency?.id).toBe(withAgreement.id);
    }
  });

  it('links a second report of the same new person in one batch to the first, as a repeat', async () => {
    const { county, paramedic } = await world();
    // Hours apart: a repeat overdose, not a co-report of the same one.
    const first = reportInput(county, {
      occurredAt: new Date(Date.now() - 10 * 3_600_000).toISOString(),
    });
    const again = reportInput(county, {
      survivor: first.survivor,
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const other = reportInput(county);
    const result = await sendBatch(paramedic, [first, again, other]);
    expect(result.items.map((i) => i.status)).toEqual(['CREATED', 'CREATED', 'CREATED']);
    const [firstCase, repeatCase, otherCase] = await Promise.all(
      result.items.map((i) => caseOf(i.incident!.id)),
    );
    expect(repeatCase.person?.id).toBe(firstCase.person?.id);
    expect(repeatCase.priorCases.getItems().map((c) => c.id)).toEqual([firstCase.id]);
    expect(otherCase.priorCases.count()).toBe(0);
    const outcomes = await hub.em().find(Outcome, { case: firstCase.id });
    expect(outcomes.map((o) => [o.type, o.sourceIncident?.id])).toEqual([
      [OutcomeType.REPEAT_OVERDOSE, result.items[1].incident!.id],
    ]);
  });

  it('closes the open case of a known person whose death arrives in a batch, and a new person’s fatal report at triage', async () => {
    const { county, paramedic } = await world();
    const earlier = reportInput(county, {
      occurredAt: new Date(Date.now() - 10 * 3_600_000).toISOString(),
    });
    const [known] = (await sendBatch(paramedic, [earlier])).items;
    const death = reportInput(county, { survivor: earlier.survivor, fatal: true });
    const stranger = reportInput(county, { fatal: true });
    const result = await sendBatch(paramedic, [stranger, death]);
    expect(result.createdCount).toBe(2);

    const earlierCase = await caseOf(known.incident!.id);
    expect(earlierCase.status).toBe(CaseStatus.CLOSED);
    expect(earlierCase.closeReason).toBe(CloseReason.DECEASED);
    for (const item of result.items) {
      const kase = await caseOf(item.incident!.id);
      expect([kase.status, kase.closeReason, kase.referrals.count()]).toEqual([
        CaseStatus.CLOSED,
        CloseReason.DECEASED,
        0,
      ]);
    }
  });

  it('answers a re-sent batch, with a report repeated inside it and a new one added, without writing twice', async () => {
    const { county, paramedic } = await world();
    const inputs = [reportInput(county), reportInput(county)];
    await sendBatch(paramedic, inputs);
    const added = reportInput(county);
    const result = await sendBatch(paramedic, [inputs[0], added, inputs[1], inputs[0]]);
    expect(result.items.map((i) => i.status)).toEqual([
      'ALREADY_REPORTED',
      'CREATED',
      'ALREADY_REPORTED',
      'ALREADY_REPORTED',
    ]);
    expect(result.items[3].incident!.id).toBe(result.items[0].incident!.id);
    const externalIds = [...inputs, added].map((i) => i.externalId);
    expect(
      await hub.em().count(Case, { indexIncident: { externalId: { $in: externalIds } } }),
    ).toBe(3);
  });

  it('writes exactly one incident when the same batch is posted five times at once', async () => {
    const { county, paramedic } = await world(2);
    const inputs = Array.from({ length: 20 }, () => reportInput(county));
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        hub.gql<BatchAnswer>(BATCH_MUTATION, { inputs }, paramedic.token),
      ),
    );
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.reportIncidents.rejectedCount).toBe(0);
    }
    const created = answers.map((a) => a.data!.reportIncidents.createdCount);
    expect(created.reduce((a, b) => a + b, 0)).toBe(20);
    const ids = (
      await hub
        .em()
        .find(OverdoseIncident, { externalId: { $in: inputs.map((i) => i.externalId) } })
    ).map((i) => i.id);
    expect(ids).toHaveLength(20);
    expect(await spread(ids)).toEqual([10, 10]);
  });
});
