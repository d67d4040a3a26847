import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Case } from '../src/modules/case/case.entity';
import { makeAgency, makeUser, uniqueCounty } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { reportInput } from './support/reports';

const BATCH = `mutation Batch($inputs: [ReportIncidentInput!]!, $backfill: Boolean) {
  reportIncidents(inputs: $inputs, backfill: $backfill) {
    createdCount rejectedCount
    items { status errors { field message } incident { id historical } }
  }
}`;

interface BatchResult {
  reportIncidents: {
    createdCount: number;
    rejectedCount: number;
    items: Array<{
      status: string;
      errors: Array<{ field: string; message: string }>;
      incident: { id: string; historical: boolean } | null;
    }>;
  };
}

describe('reportIncidents(backfill: true)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  const oldReport = (county: string) =>
    reportInput(county, { occurredAt: daysAgo(700), naloxone: [] });

  it('refuses a report older than MAX_INCIDENT_AGE_DAYS in an ordinary batch, pointing to backfill', async () => {
    const county = uniqueCounty();
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const ems = await makeUser(hub, Role.EMS_PROVIDER);
    const res = await hub.gql<BatchResult>(BATCH, { inputs: [oldReport(county)] }, ems.token);
    expect(res.data?.reportIncidents.items[0]).toMatchObject({
      status: 'REJECTED',
      errors: [
        {
          field: 'inputs.0.occurredAt',
          message: 'is more than 365 days ago (send older reports as a backfill)',
        },
      ],
    });
  });

  it('takes old reports as history and routes the recent ones of the same batch as usual', async () => {
    const county = uniqueCounty();
    const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    const ems = await makeUser(hub, Role.EMS_PROVIDER);
    const res = await hub.gql<BatchResult>(
      BATCH,
      { inputs: [oldReport(county), reportInput(county)], backfill: true },
      ems.token,
    );
    expect(res.errors).toBeUndefined();
    const [old, recent] = res.data!.reportIncidents.items;
    expect([old.status, old.incident?.historical]).toEqual(['CREATED', true]);
    expect([recent.status, recent.incident?.historical]).toEqual(['CREATED', false]);

    const oldCase = await hub.em().findOneOrFail(Case, { indexIncident: old.incident!.id });
    expect(oldCase).toMatchObject({ status: 'CLOSED', closeReason: 'NOT_ELIGIBLE' });
    expect(oldCase.routedAgency).toBeFalsy();
    const recentCase = await hub.em().findOneOrFail(Case, { indexIncident: recent.incident!.id });
    expect(recentCase.status).toBe('REFERRED');
    expect(recentCase.routedAgency?.id).toBe(outreach.id);
  });

  it('lets the reporter correct a report taken as history, and keeps the limit for the others', async () => {
    const county = uniqueCounty();
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const ems = await makeUser(hub, Role.EMS_PROVIDER);
    const old = oldReport(county);
    const recent = reportInput(county);
    const sent = await hub.gql<BatchResult>(
      BATCH,
      { inputs: [old, recent], backfill: true },
      ems.token,
    );
    const [oldId, recentId] = sent.data!.reportIncidents.items.map((i) => i.incident!.id);
    const AMEND = `mutation($id: ID!, $input: ReportIncidentInput!) {
      amendIncident(id: $id, version: 1, input: $input) { id fatal historical }
    }`;
    const corrected = await hub.gql(
      AMEND,
      { id: oldId, input: { ...old, fatal: true } },
      ems.token,
    );
    expect(corrected.errors).toBeUndefined();
    expect(corrected.data).toEqual({ amendIncident: { id: oldId, fatal: true, historical: true } });

    const backdated = await hub.gql(
      AMEND,
      { id: recentId, input: { ...recent, occurredAt: old.occurredAt } },
      ems.token,
    );
    expect(backdated.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [
        {
          field: 'input.occurredAt',
          message: 'is more than 365 days ago (send older reports as a backfill)',
        },
      ],
    });
  });

  it('still refuses a report in the future, backfill or not', async () => {
    const county = uniqueCounty();
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const ems = await makeUser(hub, Role.EMS_PROVIDER);
    const future = reportInput(county, { occurredAt: daysAgo(-2), naloxone: [] });
    const res = await hub.gql<BatchResult>(BATCH, { inputs: [future], backfill: true }, ems.token);
    expect(res.data?.reportIncidents.items[0].errors).toEqual([
      { field: 'inputs.0.occurredAt', message: 'is in the future' },
    ]);
  });
});
