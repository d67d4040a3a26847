import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseEvent } from '../src/modules/case/case-event.entity';
import { Case } from '../src/modules/case/case.entity';
import { OutreachAttempt } from '../src/modules/outreach/outreach-attempt.entity';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';
import { REPORT_MUTATION, reportInput } from './support/reports';

const C = '{ value suppressed internal }';
const FEEDBACK = `query($year: Int!) { myReferralFeedback(year: $year) {
  year total { reported ${C} reached ${C} engaged ${C} }
  months { month reported ${C} reached ${C} engaged ${C} } } }`;

type Cell = { value: number | null; suppressed: boolean; internal: boolean };
type Row = { month: string | null; reported: Cell; reached: Cell; engaged: Cell };
type Feedback = { myReferralFeedback: { year: number; total: Row; months: Row[] } };

describe('referral feedback for reporting agencies', () => {
  let hub: TestHub;
  let officer: Actor;
  let worker: Actor;
  // Last year's April (busy) and May (quiet): whole months in the past whatever today is.
  const year = new Date().getUTCFullYear() - 1;
  const monthStart = (offset: number) => new Date(Date.UTC(year, 4 - offset, 2, 12));

  beforeAll(async () => {
    hub = await startTestHub({ MAX_INCIDENT_AGE_DAYS: '800' });
    const county = uniqueCounty();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    const harmReduction = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    officer = await makeUser(hub, Role.POLICE_OFFICER, { agency: police });
    worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: harmReduction });

    const report = async (occurredAt: Date) => {
      const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
        REPORT_MUTATION,
        { input: reportInput(county, { occurredAt: occurredAt.toISOString(), naloxone: [] }) },
        officer.token,
      );
      return hub
        .em()
        .findOneOrFail(Case, { indexIncident: response.data!.reportIncident.incident.id });
    };
    const em = hub.em();
    const busy = monthStart(1);
    for (let i = 0; i < 14; i++) {
      const kase = await report(new Date(busy.getTime() + i * 3_600_000));
      // 13 reached: perturbed by at most 2, never down to the small-cell limit of 10 (with 12 the
      // table's -2, one draw in twenty, suppressed it and failed the test at random).
      if (i < 13) {
        em.create(OutreachAttempt, {
          case: kase.id,
          worker: worker.user.id,
          method: 'PHONE' as never,
          attemptedAt: new Date(),
          outcome: 'CONTACT_SURVIVOR_ENGAGED' as never,
        });
      }
      if (i < 11)
        em.create(CaseEvent, {
          case: kase.id,
          fromStatus: 'OUTREACH' as never,
          toStatus: 'ENGAGED' as never,
        });
    }
    for (let i = 0; i < 3; i++) await report(new Date(monthStart(0).getTime() + i * 3_600_000));
    await em.flush();
  });
  afterAll(() => hub.stop());

  it('gives the agency its own report counts exact; what became of them shared (suppressed, perturbed)', async () => {
    const response = await hub.gql<Feedback>(FEEDBACK, { year }, officer.token);
    expect(response.errors).toBeUndefined();
    const feedback = response.data!.myReferralFeedback;
    const busy = feedback.months.find((m) => m.month === monthStart(1).toISOString().slice(0, 7))!;
    const quiet = feedback.months.find((m) => m.month === monthStart(0).toISOString().slice(0, 7))!;
    // Its own reports: exact, even the quiet month's 3.
    expect(quiet.reported).toEqual({ value: 3, suppressed: false, internal: true });
    expect(busy.reported).toEqual({ value: 14, suppressed: false, internal: true });
    expect(feedback.total.reported).toEqual({ value: 17, suppressed: false, internal: true });
    // Reached and engaged happened at another agency: shared numbers.
    expect(busy.reached.internal).toBe(false);
    expect(Math.abs(busy.reached.value! - 13)).toBeLessThanOrEqual(2);
    expect(quiet.reached).toEqual({ value: 0, suppressed: false, internal: false });
    for (const row of [...feedback.months, feedback.total]) {
      for (const cell of [row.reached, row.engaged]) {
        expect(cell.value === null || cell.value === 0 || cell.value > 10).toBe(true);
      }
    }
    const [audit] = await hub
      .em()
      .getConnection()
      .execute<Array<{ n: string }>>(
        `select count(*) as n from audit_event where actor_user_id = ? and action = 'Query.myReferralFeedback'`,
        [officer.user.id],
      );
    expect(Number(audit.n)).toBeGreaterThanOrEqual(1);
  });

  it('counts nothing of another agency’s reports', async () => {
    const otherPolice = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT);
    const stranger = await makeUser(hub, Role.POLICE_OFFICER, { agency: otherPolice });
    const response = await hub.gql<Feedback>(FEEDBACK, { year }, stranger.token);
    expect(response.data!.myReferralFeedback.total.reported).toEqual({
      value: 0,
      suppressed: false,
      internal: true,
    });
  });

  it('refuses a year in the future', async () => {
    const response = await hub.gql(FEEDBACK, { year: year + 2 }, officer.token);
    expect(response.errors?.[0].extensions?.fields).toEqual([
      expect.objectContaining({ field: 'year' }),
    ]);
  });

  it.each([Role.OUTREACH_WORKER, Role.ANALYST, Role.HUB_ADMIN])('is not for %s', async (role) => {
    const caller = role === Role.OUTREACH_WORKER ? worker : await makeUser(hub, role);
    const response = await hub.gql(
      `query($year: Int!) { me { role } myReferralFeedback(year: $year) { year } }`,
      { year },
      caller.token,
    );
    expect(response.data).toEqual({ me: { role }, myReferralFeedback: null });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });
});
