import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Case } from '../src/modules/case/case.entity';
import { Referral } from '../src/modules/case/referral.entity';
import { CaseEvent } from '../src/modules/case/case-event.entity';
import { OverdoseIncident } from '../src/modules/incident/incident.entity';
import { NaloxoneAdministration } from '../src/modules/incident/naloxone-administration.entity';
import { Outcome } from '../src/modules/outcome/outcome.entity';
import { Person } from '../src/modules/person/person.entity';
import { ReportedIdentity } from '../src/modules/incident/reported-identity.entity';
import { makeAgency, makeApiKey, makeUser, uniqueCounty } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';
import {
  BATCH_MUTATION,
  caseOfIncident,
  randomBirthDate,
  REPORT_MUTATION,
  reportInput,
} from './support/reports';

interface ReportAnswer {
  reportIncident: { status: string; incident: { id: string; externalId: string; version: number } };
}

describe('incident intake', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  /** An EMS agency and a harm-reduction agency that both serve a county of their own. */
  async function world() {
    const county = uniqueCounty();
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const harmReduction = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    const paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
    return { county, ems, harmReduction, paramedic };
  }

  const caseOf = (incidentId: string) => caseOfIncident(hub, incidentId);

  it('stores a report, keeps identity off the incident, and routes a case with a 24–72 h window', async () => {
    const { county, harmReduction, paramedic } = await world();
    const input = reportInput(county);
    const response = await hub.gql<ReportAnswer>(REPORT_MUTATION, { input }, paramedic.token);
    expect(response.errors).toBeUndefined();
    expect(response.data?.reportIncident.status).toBe('CREATED');

    const id = response.data!.reportIncident.incident.id;
    const em = hub.em();
    const incident = await em.findOneOrFail(OverdoseIncident, id, { populate: ['person'] });
    expect(incident.person).toBeDefined();
    expect(await em.count(NaloxoneAdministration, { incident: id })).toBe(1);
    const kase = await caseOf(id);
    const occurredAt = new Date(input.occurredAt).getTime();
    expect(kase.status).toBe('REFERRED');
    expect(kase.routedAgency?.id).toBe(harmReduction.id);
    expect(kase.followUpOpensAt.getTime()).toBe(occurredAt + 24 * 3_600_000);
    expect(kase.followUpDueAt.getTime()).toBe(occurredAt + 72 * 3_600_000);
    expect(kase.referrals.getItems().map((r) => [r.toAgency?.id, r.status])).toEqual([
      [harmReduction.id, 'REQUESTED'],
    ]);
    const events = await em.find(
      CaseEvent,
      { case: kase.id },
      { orderBy: { createdAt: 'asc', toStatus: 'asc' } },
    );
    expect(events.map((e) => e.toStatus).sort()).toEqual(['REFERRED', 'REPORTED', 'TRIAGE']);
  });

  it('answers a re-sent report with the stored incident and writes nothing', async () => {
    const { county, paramedic } = await world();
    const input = reportInput(county);
    const first = await hub.gql<ReportAnswer>(REPORT_MUTATION, { input }, paramedic.token);
    const again = await hub.gql<ReportAnswer>(REPORT_MUTATION, { input }, paramedic.token);
    expect(again.data?.reportIncident).toEqual({
      status: 'ALREADY_REPORTED',
      incident: first.data?.reportIncident.incident,
    });
    expect(
      await hub.em().count(Case, { indexIncident: first.data!.reportIncident.incident.id }),
    ).toBe(1);
  });

  it('keeps exactly one incident when the same report arrives several times at once', async () => {
    const { county, ems, paramedic } = await world();
    const input = reportInput(county);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        hub.gql<ReportAnswer>(REPORT_MUTATION, { input }, paramedic.token),
      ),
    );
    const statuses = answers.map((a) => a.data?.reportIncident.status).sort();
    expect(statuses).toEqual([
      'ALREADY_REPORTED',
      'ALREADY_REPORTED',
      'ALREADY_REPORTED',
      'ALREADY_REPORTED',
      'CREATED',
    ]);
    expect(new Set(answers.map((a) => a.data?.reportIncident.incident.id)).size).toBe(1);
    expect(
      await hub
        .em()
        .count(OverdoseIncident, { reportingAgency: ems.id, externalId: input.externalId }),
    ).toBe(1);
  });

  it('lets the same external id be used by two different agencies', async () => {
    const { county, paramedic } = await world();
    const otherEms = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const otherParamedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: otherEms });
    const input = reportInput(county);
    const a = await hub.gql<ReportAnswer>(REPORT_MUTATION, { input }, paramedic.token);
    const b = await hub.gql<ReportAnswer>(REPORT_MUTATION, { input }, otherParamedic.token);
    expect([a.data?.reportIncident.status, b.data?.reportIncident.status]).toEqual([
      'CREATED',
      'CREATED',
    ]);
    expect(a.data?.reportIncident.incident.id).not.toBe(b.data?.reportIncident.incident.id);
  });

  it('answers each batch item on its own: good ones stored, bad ones named by index and field', async () => {
    const { county, ems } = await world();
    const { key } = await makeApiKey(hub, ems, Role.EMS_PROVIDER);
    const good = reportInput(county);
    const bad = reportInput(county, { county: '123' });
    const worse = reportInput(county, {
      naloxone: [{ doseMg: -1, route: 'IN', administeredBy: 'EMS' }],
      occurredAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const response = await hub.gql<{
      reportIncidents: {
        createdCount: number;
        rejectedCount: number;
        items: Array<{ index: number; status: string; errors: Array<{ field: string }> }>;
      };
    }>(BATCH_MUTATION, { inputs: [good, bad, worse] }, key);
    expect(response.errors).toBeUndefined();
    const result = response.data!.reportIncidents;
    expect(result.createdCount).toBe(1);
    expect(result.rejectedCount).toBe(2);
    expect(result.items.map((i) => i.status)).toEqual(['CREATED', 'REJECTED', 'REJECTED']);
    expect(result.items[1].errors.map((e) => e.field)).toEqual(['inputs.1.county']);
    expect(result.items[2].errors.map((e) => e.field).sort()).toEqual([
      'inputs.2.naloxone.0.doseMg',
      'inputs.2.occurredAt',
    ]);
    expect(
      await hub
        .em()
        .count(OverdoseIncident, { externalId: { $in: [bad.externalId, worse.externalId] } }),
    ).toBe(0);
  });

  it('answers a re-posted batch with ALREADY_REPORTED for every item', async () => {
    const { county, ems } = await world();
    const { key } = await makeApiKey(hub, ems, Role.EMS_PROVIDER);
    const inputs = [reportInput(county), reportInput(county)];
    await hub.gql(BATCH_MUTATION, { inputs }, key);
    const before = await hub.em().count(Case, { county });
    const again = await hub.gql<{ reportIncidents: { alreadyReportedCount: number } }>(
      BATCH_MUTATION,
      { inputs },
      key,
    );
    expect(again.data?.reportIncidents.alreadyReportedCount).toBe(2);
    expect(await hub.em().count(Case, { county })).toBe(before);
  });

  it('refuses a batch of more than 500 reports as a whole', async () => {
    const { county, paramedic } = await world();
    const inputs = Array.from({ length: 501 }, () => reportInput(county));
    const response = await hub.gql(BATCH_MUTATION, { inputs }, paramedic.token);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0].message).toContain('inputs');
    expect(await hub.em().count(OverdoseIncident, { county })).toBe(0);
  });

  it.each([
    [
      'occurredAt in the future',
      { occurredAt: new Date(Date.now() + 3_600_000).toISOString() },
      'input.occurredAt',
    ],
    ['occurredAt too old', { occurredAt: '2020-01-01T00:00:00Z' }, 'input.occurredAt'],
    ['county not five digits', { county: '3702' }, 'input.county'],
    ['county outside every service area', { county: '00001' }, 'input.county'],
    [
      'dose of zero',
      { naloxone: [{ doseMg: 0, route: 'IN', administeredBy: 'EMS' }] },
      'input.naloxone.0.doseMg',
    ],
    [
      'dose above the maximum',
      { naloxone: [{ doseMg: 80, route: 'IN', administeredBy: 'EMS' }] },
      'input.naloxone.0.doseMg',
    ],
    [
      'date of birth in the future',
      { survivor: { firstName: 'A', lastName: 'B', dateOfBirth: '2999-01-01' } },
      'input.survivor.dateOfBirth',
    ],
    [
      'impossible date of birth',
      { survivor: { firstName: 'A', lastName: 'B', dateOfBirth: '1990-02-31' } },
      'input.survivor.dateOfBirth',
    ],
    ['latitude without longitude', { latitude: 35, longitude: null }, 'input.longitude'],
  ])(
    'refuses %s with BAD_USER_INPUT naming the field and writes nothing',
    async (_name, override, field) => {
      const { county, paramedic } = await world();
      const input = reportInput(county, override);
      const response = await hub.gql(REPORT_MUTATION, { input }, paramedic.token);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      const fields = (response.errors?.[0].extensions?.fields as Array<{ field: string }>).map(
        (f) => f.field,
      );
      expect(fields).toContain(field);
      expect(await hub.em().count(OverdoseIncident, { externalId: input.externalId })).toBe(0);
    },
  );

  it('refuses an unknown enum value for the whole request', async () => {
    const { county, paramedic } = await world();
    const input = reportInput(county, {
      naloxone: [{ doseMg: 2, route: 'ORAL', administeredBy: 'EMS' }],
    });
    const response = await hub.gql(REPORT_MUTATION, { input }, paramedic.token);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(await hub.em().count(OverdoseIncident, { externalId: input.externalId })).toBe(0);
  });

  it('never echoes the survivor’s identity in an error', async () => {
    const { county, paramedic } = await world();
    const input = reportInput(county, {
      county: 'x',
      survivor: {
        firstName: 'Zebulon',
        lastName: 'Quixworth',
        dateOfBirth: '2999-12-31',
        phone: '828-555-0199',
      },
    });
    const response = await hub.gql(REPORT_MUTATION, { input }, paramedic.token);
    const body = JSON.stringify(response);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    for (const secret of ['Zebulon', 'Quixworth', '2999-12-31', '555-0199'])
      expect(body).not.toContain(secret);
  });

  it('takes the reporting agency from the caller, never from the input', async () => {
    const { county, ems, paramedic } = await world();
    const other = await makeAgency(hub, AgencyKind.EMS);
    const input = { ...reportInput(county), reportingAgencyId: other.id };
    const response = await hub.gql(REPORT_MUTATION, { input }, paramedic.token);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    const accepted = await hub.gql<ReportAnswer>(
      REPORT_MUTATION,
      { input: reportInput(county) },
      paramedic.token,
    );
    const stored = await hub
      .em()
      .findOneOrFail(OverdoseIncident, accepted.data!.reportIncident.incident.id);
    expect(stored.reportingAgency.id).toBe(ems.id);
  });

  it('refuses an EMS disposition from police', async () => {
    const { county } = await world();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    const officer = await makeUser(hub, Role.POLICE_OFFICER, { agency: police });
    const input = reportInput(county, { emsDisposition: 'REFUSED_TRANSPORT' });
    const response = await hub.gql(REPORT_MUTATION, { input }, officer.token);
    expect(response.errors?.[0].extensions?.fields).toEqual([
      { field: 'input.emsDisposition', message: 'can only be reported by EMS' },
    ]);
  });

  // Outreach workers report community reversals only (more-doors.spec.ts).
  it.each([Role.ANALYST, Role.HUB_ADMIN])('does not let %s report', async (role) => {
    const { county } = await world();
    const caller = await makeUser(hub, role);
    const response = await hub.gql(REPORT_MUTATION, { input: reportInput(county) }, caller.token);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.data).toEqual({ reportIncident: null });
  });
});

describe('identity vault and triage', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  async function reporters(county: string) {
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    return {
      paramedic: await makeUser(hub, Role.EMS_PROVIDER, { agency: ems }),
      officer: await makeUser(hub, Role.POLICE_OFFICER, { agency: police }),
    };
  }

  const report = async (token: string, input: Record<string, unknown>) => {
    const response = await hub.gql<ReportAnswer>(REPORT_MUTATION, { input }, token);
    expect(response.errors).toBeUndefined();
    return hub.em().findOneOrFail(
      Case,
      { indexIncident: response.data!.reportIncident.incident.id },
      {
        populate: ['priorCases', 'person'],
      },
    );
  };

  it('links a repeat overdose reported by another agency to the same person and the earlier case', async () => {
    const county = uniqueCounty();
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const { paramedic, officer } = await reporters(county);
    const dateOfBirth = randomBirthDate();
    const survivor = { firstName: 'José', lastName: "O'Neil-Smith", dateOfBirth };
    // Ten hours apart: a repeat overdose, not a co-report of the same one.
    const first = await report(
      paramedic.token,
      reportInput(county, {
        survivor,
        occurredAt: new Date(Date.now() - 10 * 3_600_000).toISOString(),
      }),
    );
    const second = await report(
      officer.token,
      reportInput(county, {
        survivor: { firstName: ' jose ', lastName: 'ONEIL SMITH', dateOfBirth },
      }),
    );
    expect(second.person?.id).toBe(first.person?.id);
    expect(second.priorCases.getItems().map((c) => c.id)).toEqual([first.id]);
    const outcomes = await hub.em().find(Outcome, { case: first.id });
    expect(outcomes.map((o) => [o.type, o.automatic])).toEqual([['REPEAT_OVERDOSE', true]]);
    // The earlier case is not reopened or changed in status.
    expect((await hub.em().findOneOrFail(Case, first.id)).status).toBe(first.status);
  });

  it('keeps the identity as each reporter entered it, apart from the merged person', async () => {
    const county = uniqueCounty();
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const { paramedic } = await reporters(county);
    const dateOfBirth = randomBirthDate();
    const kase = await report(
      paramedic.token,
      reportInput(county, {
        survivor: {
          firstName: 'Sam',
          lastName: 'Lee',
          dateOfBirth,
          phone: '828-555-0100',
        },
      }),
    );
    const identity = await hub
      .em()
      .findOneOrFail(ReportedIdentity, { incident: kase.indexIncident!.id });
    expect([identity.firstName, identity.lastName, identity.dateOfBirth]).toEqual([
      'Sam',
      'Lee',
      dateOfBirth,
    ]);
    // The phone is the reporter's value, on its report; the person row only links.
    expect(identity.phone).toBe('828-555-0100');
    const person = await hub.em().findOneOrFail(Person, kase.person!.id);
    expect(person.personKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not merge people when the date of birth is missing', async () => {
    const county = uniqueCounty();
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const { paramedic } = await reporters(county);
    const survivor = { firstName: 'Pat', lastName: 'Doe' };
    const a = await report(paramedic.token, reportInput(county, { survivor }));
    const b = await report(paramedic.token, reportInput(county, { survivor }));
    expect(a.person?.id).not.toBe(b.person?.id);
    expect(b.priorCases.count()).toBe(0);
  });

  it('closes a fatal report DECEASED, records the death on earlier cases and closes them', async () => {
    const county = uniqueCounty();
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const { paramedic, officer } = await reporters(county);
    const survivor = { firstName: 'Robin', lastName: 'Hart', dateOfBirth: randomBirthDate() };
    const earlier = await report(
      paramedic.token,
      reportInput(county, {
        survivor,
        occurredAt: new Date(Date.now() - 10 * 3_600_000).toISOString(),
      }),
    );
    const fatal = await report(
      officer.token,
      reportInput(county, { survivor, fatal: true, naloxone: [] }),
    );
    expect([fatal.status, fatal.closeReason]).toEqual(['CLOSED', 'DECEASED']);
    const em = hub.em();
    expect((await em.find(Outcome, { case: earlier.id })).map((o) => o.type)).toEqual([
      'FATAL_OVERDOSE',
    ]);
    const closed = await em.findOneOrFail(Case, earlier.id, { populate: ['referrals'] });
    expect([closed.status, closed.closeReason]).toEqual(['CLOSED', 'DECEASED']);
    // Nobody is asked any more to take the follow-up of a person who died.
    expect(closed.referrals.getItems().map((r) => r.status)).toEqual(['CANCELLED']);
  });

  it('opens a case on file (routed, no referral request) when the person asked not to be contacted', async () => {
    const county = uniqueCounty();
    const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    const { paramedic } = await reporters(county);
    const survivor = { firstName: 'Kim', lastName: 'Vance', dateOfBirth: randomBirthDate() };
    const first = await report(
      paramedic.token,
      reportInput(county, {
        survivor,
        occurredAt: new Date(Date.now() - 10 * 3_600_000).toISOString(),
      }),
    );
    const em = hub.em();
    const person = await em.findOneOrFail(Person, first.person!.id);
    person.doNotContact = true;
    person.doNotContactSince = new Date();
    await em.flush();
    const second = await report(paramedic.token, reportInput(county, { survivor }));
    expect([
      second.status,
      second.closeReason ?? null,
      second.routedAgency?.id,
      await hub.em().count(Referral, { case: second.id }),
    ]).toEqual(['DO_NOT_CONTACT_ON_FILE', null, outreach.id, 0]);
  });

  it('keeps a case in TRIAGE with the reason when no harm-reduction agency covers the county', async () => {
    const county = uniqueCounty();
    const { paramedic } = await reporters(county);
    const kase = await report(paramedic.token, reportInput(county));
    expect([kase.status, kase.triageReason, kase.routedAgency ?? null]).toEqual([
      'TRIAGE',
      'NO_COVERING_AGENCY',
      null,
    ]);
  });

  it('computes the window in elapsed hours across a daylight-saving change', async () => {
    const county = uniqueCounty();
    await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
    const { paramedic } = await reporters(county);
    // The hub's clock is real, so pick the next US spring-forward that is in the past relative
    // to the configured maximum age: 8 March 2026, 02:00 EST → 03:00 EDT. Noon EST on 7 March.
    const occurredAt = new Date('2026-03-07T17:00:00Z');
    const hub2 = await startTestHub({ MAX_INCIDENT_AGE_DAYS: '3650' });
    try {
      const ems = await makeAgency(hub2, AgencyKind.EMS, { serviceCounties: [county] });
      await makeAgency(hub2, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
      const medic = await makeUser(hub2, Role.EMS_PROVIDER, { agency: ems });
      const response = await hub2.gql<ReportAnswer>(
        REPORT_MUTATION,
        { input: reportInput(county, { occurredAt: occurredAt.toISOString(), naloxone: [] }) },
        medic.token,
      );
      const kase = await hub2
        .em()
        .findOneOrFail(Case, { indexIncident: response.data!.reportIncident.incident.id });
      // 72 elapsed hours later the wall clock in New York reads 13:00, not 12:00.
      expect(kase.followUpDueAt.toISOString()).toBe('2026-03-10T17:00:00.000Z');
      const local = kase.followUpDueAt.toLocaleString('en-US', {
        timeZone: 'America/New_York',
        hour: 'numeric',
        hour12: false,
      });
      expect(local).toBe('13');
      expect(kase.followUpOpensAt.toISOString()).toBe('2026-03-08T17:00:00.000Z');
    } finally {
      await hub2.stop();
    }
    void paramedic;
  });
});
