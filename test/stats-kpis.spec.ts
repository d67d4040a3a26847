import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { makeAgency, makeUser, uniqueCounty } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { seedCases } from './support/stats-factory';

const RATE = '{ value suppressed unstable }';
const KPIS = `{ followUpStats(groupBy: []) { total {
  cases { value } routed { value } attempted { value }
  attemptedWithin72hOfRouted ${RATE}
  timeToFirstAttempt { within72h ${RATE} }
  contactedBefore24h { value } contactedBefore24hShare ${RATE} earlyContactCaution
  withContactInfo { value } completeness ${RATE}
  reportingLag { medianHours p90Hours } } } }`;

describe('follow-up KPIs that count everyone', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  it('divides timeliness by all routed cases, shows early contact as a caution, lag and completeness', async () => {
    const county = uniqueCounty();
    const program = await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: program });
    const seed = {
      agencyId: program.id,
      county,
      occurredAt: new Date('2026-06-01T12:00:00Z'),
      workerId: worker.user.id,
    };
    // 10 attempted at 48 h, 2 of them reached at 10 h already (too early), 10 never attempted.
    const onTime = await seedCases(hub, {
      ...seed,
      count: 10,
      contacted: 10,
      attemptAfterHours: 48,
    });
    const early = await seedCases(hub, { ...seed, count: 2, contacted: 2, attemptAfterHours: 10 });
    const never = await seedCases(hub, { ...seed, count: 8 });
    const connection = hub.em().getConnection();
    // Received 2 h after the overdose; a phone number on file for the on-time ones.
    await connection.execute(
      `update overdose_incident set created_at = occurred_at + interval '2 hours' where id = any(?::uuid[])`,
      [`{${[...onTime, ...early, ...never].join(',')}}`],
    );
    await connection.execute(
      // A phone on file, as a reporter enters it (on its report).
      `insert into reported_identity (id, created_at, updated_at, incident_id, phone, race_ethnicity)
       select gen_random_uuid(), now(), now(), id, 'sealed', '{}'
         from overdose_incident where id = any(?::uuid[])`,
      [`{${onTime.join(',')}}`],
    );
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: program });
    const response = await hub.gql<{ followUpStats: { total: Record<string, unknown> } }>(
      KPIS,
      {},
      admin.token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.followUpStats.total).toEqual({
      cases: { value: 20 },
      routed: { value: 20 },
      attempted: { value: 12 },
      // 12 of 20 routed cases, not 12 of the 12 attempted.
      attemptedWithin72hOfRouted: { value: 0.6, suppressed: false, unstable: true },
      timeToFirstAttempt: { within72h: { value: 1, suppressed: false, unstable: true } },
      contactedBefore24h: { value: 2 },
      contactedBefore24hShare: { value: 0.1667, suppressed: false, unstable: true },
      earlyContactCaution: true,
      withContactInfo: { value: 10 },
      completeness: { value: 0.5, suppressed: false, unstable: true },
      reportingLag: { medianHours: 2, p90Hours: 2 },
    });
  });
});
