import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import {
  CaseStatus,
  CloseReason,
  HoldReason,
  ReferralStatus,
} from '../src/modules/case/case-codes';
import { Case } from '../src/modules/case/case.entity';
import { Referral } from '../src/modules/case/referral.entity';
import { makeAgency, makeAgreement, makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { REPORT_MUTATION, reportInput, type ReportBody } from './support/reports';

const HOUR = 3_600_000;

const QUEUE = `query ($buckets: [FollowUpBucket!]) {
  followUpQueue(buckets: $buckets) { totalCount edges { node { id status followUpBucket } } }
}`;
const AMEND = `mutation($id: ID!, $version: Int!, $input: ReportIncidentInput!) {
  amendIncident(id: $id, version: $version, input: $input) { id version county fatal } }`;

/** The two workflow gaps of issue 13 point 1: held cases come back by themselves; amendments re-triage. */
describe('case workflow: holds that end and amended reports', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  async function setting() {
    const county = uniqueCounty();
    const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    await makeAgreement(hub, ems, outreach, { counties: [county] });
    const paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
    return { county, outreach, ems, paramedic, admin };
  }

  async function report(reporter: Actor, input: ReportBody) {
    const response = await hub.gql<{
      reportIncident: { incident: { id: string; version: number } };
    }>(REPORT_MUTATION, { input }, reporter.token);
    expect(response.errors).toBeUndefined();
    const incident = response.data!.reportIncident.incident;
    const kase = await hub.em().findOneOrFail(Case, { indexIncident: incident.id });
    return { ...incident, kase };
  }

  async function hold(kase: Case, resumeOn: Date): Promise<void> {
    const em = hub.em();
    const held = await em.findOneOrFail(Case, kase.id);
    held.status = CaseStatus.ON_HOLD;
    held.holdReason = HoldReason.ASKED_FOR_LATER_CONTACT;
    held.resumeOn = resumeOn;
    await em.flush();
  }

  async function queue(admin: Actor) {
    const response = await hub.gql<{
      followUpQueue: { edges: Array<{ node: { id: string; followUpBucket: string | null } }> };
    }>(QUEUE, {}, admin.token);
    expect(response.errors).toBeUndefined();
    return new Map(
      response.data!.followUpQueue.edges.map(({ node }) => [node.id, node.followUpBucket]),
    );
  }

  it('a case on hold comes back DUE in the follow-up queue on its resume date, by itself', async () => {
    const { county, paramedic, admin } = await setting();
    const due = await report(paramedic, reportInput(county));
    const later = await report(paramedic, reportInput(county));
    await hold(due.kase, new Date(Date.now() - HOUR));
    await hold(later.kase, new Date(Date.now() + 30 * 24 * HOUR));
    const queued = await queue(admin);
    expect(queued.get(due.kase.id)).toBe('DUE');
    expect(queued.has(later.kase.id)).toBe(false);
  });

  it('an amendment to another county routes the untaken case again for that county', async () => {
    const first = await setting();
    const second = await setting();
    await makeAgreement(hub, first.ems, second.outreach, { counties: [second.county] });
    const input = reportInput(first.county);
    const { id, version, kase } = await report(first.paramedic, input);
    expect(kase.routedAgency?.id).toBe(first.outreach.id);
    const response = await hub.gql(
      AMEND,
      { id, version, input: { ...input, county: second.county } },
      first.paramedic.token,
    );
    expect(response.errors).toBeUndefined();
    const moved = await hub
      .em()
      .findOneOrFail(Case, kase.id, { populate: ['referrals'], refresh: true });
    expect([moved.status, moved.county, moved.routedAgency?.id]).toEqual([
      CaseStatus.REFERRED,
      second.county,
      second.outreach.id,
    ]);
    expect(
      moved.referrals
        .getItems()
        .map((r) => [r.toAgency?.id, r.status])
        .sort(),
    ).toEqual(
      [
        [first.outreach.id, ReferralStatus.CANCELLED],
        [second.outreach.id, ReferralStatus.REQUESTED],
      ].sort(),
    );
  });

  it('an amendment to fatal closes the case DECEASED through the one close; back to not fatal re-triages it', async () => {
    const { county, paramedic, outreach } = await setting();
    const input = reportInput(county);
    const { id, version, kase } = await report(paramedic, input);
    const fatal = await hub.gql<{ amendIncident: { version: number } }>(
      AMEND,
      { id, version, input: { ...input, fatal: true, naloxone: [] } },
      paramedic.token,
    );
    expect(fatal.errors).toBeUndefined();
    let now = await hub.em().findOneOrFail(Case, kase.id, { refresh: true });
    expect([now.status, now.closeReason]).toEqual([CaseStatus.CLOSED, CloseReason.DECEASED]);
    expect(
      await hub.em().count(Referral, { case: kase.id, status: ReferralStatus.REQUESTED }),
    ).toBe(0);

    // Closed by the (wrong) fatal flag at intake and never routed: correcting it re-triages.
    const wrong = await report(paramedic, reportInput(county, { fatal: true, naloxone: [] }));
    expect(wrong.kase.status).toBe(CaseStatus.CLOSED);
    const corrected = await hub.gql(
      AMEND,
      {
        id: wrong.id,
        version: wrong.version,
        input: { ...reportInput(county), externalId: await incidentExternalId(wrong.id) },
      },
      paramedic.token,
    );
    expect(corrected.errors).toBeUndefined();
    now = await hub.em().findOneOrFail(Case, wrong.kase.id, { refresh: true });
    expect([now.status, now.closeReason ?? null, now.routedAgency?.id]).toEqual([
      CaseStatus.REFERRED,
      null,
      outreach.id,
    ]);
  });

  async function incidentExternalId(id: string): Promise<string> {
    const [row] = await hub
      .em()
      .getConnection()
      .execute<Array<{ external_id: string }>>(
        'select external_id from overdose_incident where id = ?',
        [id],
      );
    return row.external_id;
  }
});
