import { Role } from '../src/common/role';
import { mergeCoReportsCommand } from '../src/cli/merge-coreports';
import type { CliSession } from '../src/cli/session';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Case } from '../src/modules/case/case.entity';
import { OverdoseIncident } from '../src/modules/incident/incident.entity';
import { ROLLUP_FROM_RAW_SQL } from '../src/modules/stats/stats-rollup';
import { Outcome } from '../src/modules/outcome/outcome.entity';
import { OutcomeType } from '../src/modules/outcome/outcome-codes';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';
import { REPORT_MUTATION, randomBirthDate, reportInput } from './support/reports';

const HOUR = 3_600_000;
const MINUTE = 60_000;

interface World {
  county: string;
  officer: Actor;
  paramedic: Actor;
  worker: Actor;
  admin: Actor;
  policeAnalyst: Actor;
  emsAnalyst: Actor;
  programAnalyst: Actor;
}

const CASE_QUERY = `query($id: ID!) { case(id: $id) {
  id status closeReason repeatOverdose version
  event { id version sourceReportCount mergedIntoId naloxoneAdministrations { doseMg } }
  outcomes { type }
  timeline { reason } } }`;

const ADMIN_CASE_QUERY = `query($id: ID!) { case(id: $id) {
  id status closeReason version event { id version sourceReportCount mergedIntoId }
  referrals { status } timeline { reason } } }`;

const MERGE = `mutation($eventId: ID!, $version: Int!, $intoEventId: ID!, $intoVersion: Int!) {
  mergeOverdoseEvents(eventId: $eventId, version: $version, intoEventId: $intoEventId, intoVersion: $intoVersion) {
    id status event { id sourceReportCount version } } }`;

const UNDO = `mutation($eventId: ID!, $version: Int!) {
  undoOverdoseEventMerge(eventId: $eventId, version: $version) {
    id status closeReason event { id sourceReportCount mergedIntoId version } } }`;

const OWN_COUNT = `query { overdoseStats(groupBy: [], filter: { scope: OWN_AGENCY }) {
  total { incidents { value } } } }`;

interface CaseView {
  id: string;
  status: string;
  closeReason: string | null;
  repeatOverdose: boolean;
  version: number;
  event: {
    id: string;
    version: number;
    sourceReportCount: number;
    mergedIntoId: string | null;
    naloxoneAdministrations?: Array<{ doseMg: number }>;
  };
  outcomes: Array<{ type: string }>;
  referrals: Array<{ status: string }>;
  timeline: Array<{ reason: string | null }>;
}

describe('one overdose, one event', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  async function world(): Promise<World> {
    const county = uniqueCounty();
    const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT, { serviceCounties: [county] });
    const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    const program = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
      serviceCounties: [county],
    });
    return {
      county,
      officer: await makeUser(hub, Role.POLICE_OFFICER, { agency: police }),
      paramedic: await makeUser(hub, Role.EMS_PROVIDER, { agency: ems }),
      worker: await makeUser(hub, Role.OUTREACH_WORKER, { agency: program }),
      admin: await makeUser(hub, Role.AGENCY_ADMIN, { agency: program }),
      policeAnalyst: await makeUser(hub, Role.ANALYST, { agency: police }),
      emsAnalyst: await makeUser(hub, Role.ANALYST, { agency: ems }),
      programAnalyst: await makeUser(hub, Role.ANALYST, { agency: program }),
    };
  }

  async function report(actor: Actor, body: Record<string, unknown>): Promise<string> {
    const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
      REPORT_MUTATION,
      { input: body },
      actor.token,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.reportIncident.incident.id;
  }

  /** The one case of the event a report belongs to (the event's index report's case). */
  async function caseOfReport(incidentId: string): Promise<Case> {
    const em = hub.em();
    const incident = await em.findOneOrFail(OverdoseIncident, incidentId);
    return em.findOneOrFail(Case, { indexIncident: incident.event.id }, { refresh: true });
  }

  async function readCase(actor: Actor, id: string, query = CASE_QUERY): Promise<CaseView> {
    const response = await hub.gql<{ case: CaseView }>(query, { id }, actor.token);
    expect(response.errors).toBeUndefined();
    return response.data!.case;
  }

  async function ownCount(actor: Actor): Promise<number> {
    const response = await hub.gql<{
      overdoseStats: { total: { incidents: { value: number } } };
    }>(OWN_COUNT, {}, actor.token);
    expect(response.errors).toBeUndefined();
    return response.data!.overdoseStats.total.incidents.value;
  }

  /**
   * The numbers the triggers keep (fact table, dashboard rollup) against the same numbers worked
   * out from scratch, for one county: any difference is a trigger that missed a change.
   */
  async function numbersDrift(county: string): Promise<unknown[]> {
    const connection = hub.em().getConnection();
    const fact = await connection.execute(
      `(select * from stats_fact where county = ? except select * from stats_fact_source where county = ?)
       union all
       (select * from stats_fact_source where county = ? except select * from stats_fact where county = ?)`,
      [county, county, county, county],
    );
    const rollup = await connection.execute(
      `(select month, agency_id, incidents, fatal, naloxone_doses, contacted, incidents_key, fatal_key,
               naloxone_doses_key, contacted_key from stats_rollup where county = ?
          and (incidents, fatal, naloxone_doses, contacted) <> (0, 0, 0, 0)
        except select month, agency_id, incidents, fatal, naloxone_doses, contacted, incidents_key,
               fatal_key, naloxone_doses_key, contacted_key from (${ROLLUP_FROM_RAW_SQL}) r where county = ?)
       union all
       (select month, agency_id, incidents, fatal, naloxone_doses, contacted, incidents_key, fatal_key,
               naloxone_doses_key, contacted_key from (${ROLLUP_FROM_RAW_SQL}) r where county = ?
          and (incidents, fatal, naloxone_doses, contacted) <> (0, 0, 0, 0)
        except select month, agency_id, incidents, fatal, naloxone_doses, contacted, incidents_key,
               fatal_key, naloxone_doses_key, contacted_key from stats_rollup where county = ?)`,
      [county, county, county, county],
    );
    return [...fact, ...rollup];
  }

  const at = (time: number) => new Date(time).toISOString();
  const casesInCounty = (county: string) => hub.em().count(Case, { county });

  it('takes police at T and EMS at T + 6 min for one person as one event with one case, counted once', async () => {
    const w = await world();
    const t = Date.now() - 10 * HOUR;
    const dateOfBirth = randomBirthDate();
    const policeReport = reportInput(w.county, {
      occurredAt: at(t),
      survivor: { firstName: 'Dana', lastName: 'Whitfield', dateOfBirth },
      naloxone: [{ route: 'IN', administeredBy: 'POLICE', doseMg: 4 }],
    });
    const emsReport = reportInput(w.county, {
      occurredAt: at(t + 6 * MINUTE),
      // EMS spells the name its own way: the same person key all the same.
      survivor: { firstName: ' DANA ', lastName: 'whitfield', dateOfBirth },
      naloxone: [{ route: 'IV', administeredBy: 'EMS', doseMg: 2 }],
    });
    const policeId = await report(w.officer, policeReport);
    const emsId = await report(w.paramedic, emsReport);

    expect(await casesInCounty(w.county)).toBe(1);
    const kase = await caseOfReport(emsId);
    expect(kase.indexIncident!.id).toBe(policeId);
    const view = await readCase(w.worker, kase.id);
    expect(view.repeatOverdose).toBe(false);
    expect(view.outcomes.map((o) => o.type)).not.toContain(OutcomeType.REPEAT_OVERDOSE);
    expect(view.event.sourceReportCount).toBe(2);
    // Naloxone of both sources is on the event.
    expect(view.event.naloxoneAdministrations!.map((d) => d.doseMg).sort()).toEqual([2, 4]);
    expect(await hub.em().count(Outcome, { case: kase.id })).toBe(0);

    // Counted once for each reporter (its own reports) and for the routed agency.
    expect(await ownCount(w.policeAnalyst)).toBe(1);
    expect(await ownCount(w.emsAnalyst)).toBe(1);
    expect(await ownCount(w.programAnalyst)).toBe(1);

    // Each reporter reads back its own report, as it entered it, and not the other's.
    const own = `query($id: ID!) { incident(id: $id) { externalId reportedIdentity { firstName lastName } } }`;
    const police = await hub.gql<{
      incident: { externalId: string; reportedIdentity: { firstName: string } };
    }>(own, { id: policeId }, w.officer.token);
    expect(police.data!.incident).toEqual({
      externalId: policeReport.externalId,
      reportedIdentity: { firstName: 'Dana', lastName: 'Whitfield' },
    });
    const ems = await hub.gql<{
      incident: { externalId: string; reportedIdentity: { firstName: string } };
    }>(own, { id: emsId }, w.paramedic.token);
    expect(ems.data!.incident).toEqual({
      externalId: emsReport.externalId,
      reportedIdentity: { firstName: 'DANA', lastName: 'whitfield' },
    });
    expect(errorCodes(await hub.gql(own, { id: emsId }, w.officer.token))).toEqual(['NOT_FOUND']);

    // The same person 8 hours later: a second overdose, a repeat.
    const laterId = await report(
      w.paramedic,
      reportInput(w.county, {
        occurredAt: at(t + 8 * HOUR),
        survivor: { firstName: 'Dana', lastName: 'Whitfield', dateOfBirth },
      }),
    );
    expect(await casesInCounty(w.county)).toBe(2);
    const later = await readCase(w.worker, (await caseOfReport(laterId)).id);
    expect([later.repeatOverdose, later.event.sourceReportCount]).toEqual([true, 1]);
    const first = await readCase(w.worker, kase.id);
    expect(first.outcomes.map((o) => o.type)).toEqual([OutcomeType.REPEAT_OVERDOSE]);
    expect(await ownCount(w.emsAnalyst)).toBe(2);
    expect(await ownCount(w.policeAnalyst)).toBe(1);
    expect(await numbersDrift(w.county)).toEqual([]);
  });

  it('joins an unnamed report to an event in the same county within 250 m and 2 h, and no farther', async () => {
    const w = await world();
    const t = Date.now() - 6 * HOUR;
    const unnamed = (occurredAt: number, latitude: number) =>
      reportInput(w.county, {
        occurredAt: at(occurredAt),
        latitude,
        longitude: -82.55,
        survivor: null,
      });
    const policeId = await report(w.officer, unnamed(t, 35.59));
    // About 170 m north, 30 minutes later: the same overdose.
    const nearId = await report(w.paramedic, unnamed(t + 30 * MINUTE, 35.5915));
    expect((await caseOfReport(nearId)).indexIncident!.id).toBe(policeId);
    expect(await casesInCounty(w.county)).toBe(1);

    // About 1.1 km away at the same time: another overdose.
    const farId = await report(w.paramedic, unnamed(t + 10 * MINUTE, 35.6));
    // The same spot three hours later: another overdose.
    const lateId = await report(w.paramedic, unnamed(t + 3 * HOUR, 35.59));
    for (const id of [farId, lateId]) {
      expect((await caseOfReport(id)).indexIncident!.id).toBe(id);
    }
    expect(await casesInCounty(w.county)).toBe(3);
    expect(await ownCount(w.policeAnalyst)).toBe(1);
    expect(await ownCount(w.emsAnalyst)).toBe(3);
    expect(await numbersDrift(w.county)).toEqual([]);
  });

  it('matches co-reports against an amended report’s corrected place', async () => {
    const w = await world();
    const t = Date.now() - 6 * HOUR;
    const unnamed = (latitude: number, minutes: number) =>
      reportInput(w.county, {
        occurredAt: at(t + minutes * MINUTE),
        latitude,
        longitude: -82.55,
        survivor: null,
      });
    const first = unnamed(35.6, 0);
    const policeId = await report(w.officer, first);
    // The officer corrects the place: about 1.1 km south.
    const amended = await hub.gql(
      `mutation($id: ID!, $input: ReportIncidentInput!) {
        amendIncident(id: $id, version: 1, input: $input) { id } }`,
      { id: policeId, input: { ...first, latitude: 35.59 } },
      w.officer.token,
    );
    expect(amended.errors).toBeUndefined();
    const emsId = await report(w.paramedic, unnamed(35.5905, 20));
    expect((await caseOfReport(emsId)).indexIncident!.id).toBe(policeId);
    expect(await casesInCounty(w.county)).toBe(1);
    expect(await numbersDrift(w.county)).toEqual([]);
  });

  /** Two events the intake did not match: an unnamed police report 1 km off, a named EMS one. */
  async function twoEvents(w: World) {
    const t = Date.now() - 5 * HOUR;
    const policeId = await report(
      w.officer,
      reportInput(w.county, {
        occurredAt: at(t),
        latitude: 35.6,
        longitude: -82.55,
        survivor: null,
      }),
    );
    const emsId = await report(
      w.paramedic,
      reportInput(w.county, { occurredAt: at(t + 5 * MINUTE), latitude: 35.59, longitude: -82.55 }),
    );
    const policeCase = await readCase(w.admin, (await caseOfReport(policeId)).id, ADMIN_CASE_QUERY);
    const emsCase = await readCase(w.admin, (await caseOfReport(emsId)).id, ADMIN_CASE_QUERY);
    return { policeId, emsId, policeCase, emsCase };
  }

  const mergeArgs = (from: CaseView, into: CaseView) => ({
    eventId: from.event.id,
    version: from.event.version,
    intoEventId: into.event.id,
    intoVersion: into.event.version,
  });

  it('lets the routed agency’s admin merge two events into one and undo it, with counts and timelines following', async () => {
    const w = await world();
    const { policeCase, emsCase } = await twoEvents(w);
    expect(await ownCount(w.programAnalyst)).toBe(2);

    const merged = await hub.gql<{
      mergeOverdoseEvents: { id: string; event: { sourceReportCount: number } };
    }>(MERGE, mergeArgs(policeCase, emsCase), w.admin.token);
    expect(merged.errors).toBeUndefined();
    expect(merged.data!.mergeOverdoseEvents).toMatchObject({
      id: emsCase.id,
      event: { sourceReportCount: 2 },
    });
    const absorbed = await readCase(w.admin, policeCase.id, ADMIN_CASE_QUERY);
    expect([absorbed.status, absorbed.closeReason, absorbed.event.mergedIntoId]).toEqual([
      'CLOSED',
      'DUPLICATE',
      emsCase.event.id,
    ]);
    expect(absorbed.referrals.map((r) => r.status)).toEqual(['CANCELLED']);
    expect(absorbed.timeline.map((e) => e.reason)).toContain('EVENT_MERGED');
    const surviving = await readCase(w.admin, emsCase.id, ADMIN_CASE_QUERY);
    expect(surviving.timeline.map((e) => e.reason)).toContain('EVENT_MERGED_IN');
    expect(await ownCount(w.programAnalyst)).toBe(1);
    expect(await numbersDrift(w.county)).toEqual([]);
    // The police report now counts for the police as part of the one event.
    expect(await ownCount(w.policeAnalyst)).toBe(1);
    const [audit] = await hub
      .em()
      .getConnection()
      .execute<Array<{ n: string }>>(
        `select count(*) as n from audit_event where actor_user_id = ? and action = 'Mutation.mergeOverdoseEvents'`,
        [w.admin.user.id],
      );
    expect(Number(audit.n)).toBe(1);

    const undone = await hub.gql<{
      undoOverdoseEventMerge: {
        status: string;
        closeReason: string | null;
        event: CaseView['event'];
      };
    }>(UNDO, { eventId: absorbed.event.id, version: absorbed.event.version }, w.admin.token);
    expect(undone.errors).toBeUndefined();
    expect(undone.data!.undoOverdoseEventMerge).toMatchObject({
      status: 'REFERRED',
      closeReason: null,
      event: { sourceReportCount: 1, mergedIntoId: null },
    });
    const restored = await readCase(w.admin, policeCase.id, ADMIN_CASE_QUERY);
    expect(restored.referrals.map((r) => r.status)).toEqual(['REQUESTED']);
    expect(restored.timeline.map((e) => e.reason)).toContain('EVENT_MERGE_UNDONE');
    expect((await readCase(w.admin, emsCase.id, ADMIN_CASE_QUERY)).event.sourceReportCount).toBe(1);
    expect(await ownCount(w.programAnalyst)).toBe(2);
    expect(await numbersDrift(w.county)).toEqual([]);
  });

  it('takes back the repeat outcome of a co-report merged into its overdose, and restores it on undo', async () => {
    const w = await world();
    const survivor = { firstName: 'Lee', lastName: 'Marsh', dateOfBirth: randomBirthDate() };
    const t = Date.now() - 12 * HOUR;
    const firstId = await report(
      w.paramedic,
      reportInput(w.county, { occurredAt: at(t), survivor }),
    );
    // Four hours later, outside the window: taken as a repeat; the admin knows it was the same.
    const secondId = await report(
      w.officer,
      reportInput(w.county, { occurredAt: at(t + 4 * HOUR), survivor }),
    );
    const first = await readCase(w.admin, (await caseOfReport(firstId)).id, ADMIN_CASE_QUERY);
    const second = await readCase(w.admin, (await caseOfReport(secondId)).id, ADMIN_CASE_QUERY);
    const repeats = () =>
      hub.em().count(Outcome, { case: first.id, type: OutcomeType.REPEAT_OVERDOSE });
    expect(await repeats()).toBe(1);
    const merged = await hub.gql(MERGE, mergeArgs(second, first), w.admin.token);
    expect(merged.errors).toBeUndefined();
    expect(await repeats()).toBe(0);
    const absorbed = await readCase(w.admin, second.id, ADMIN_CASE_QUERY);
    await hub.gql(
      UNDO,
      { eventId: absorbed.event.id, version: absorbed.event.version },
      w.admin.token,
    );
    expect(await repeats()).toBe(1);
  });

  it('refuses to merge events of two different people, an event into itself, or to undo a merge never made', async () => {
    const w = await world();
    const t = Date.now() - 5 * HOUR;
    const aId = await report(w.paramedic, reportInput(w.county, { occurredAt: at(t) }));
    const bId = await report(w.officer, reportInput(w.county, { occurredAt: at(t + MINUTE) }));
    const a = await readCase(w.admin, (await caseOfReport(aId)).id, ADMIN_CASE_QUERY);
    const b = await readCase(w.admin, (await caseOfReport(bId)).id, ADMIN_CASE_QUERY);

    const twoPeople = await hub.gql(MERGE, mergeArgs(a, b), w.admin.token);
    expect(errorCodes(twoPeople)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(twoPeople.errors)).toContain('intoEventId');
    const itself = await hub.gql(MERGE, mergeArgs(a, a), w.admin.token);
    expect(errorCodes(itself)).toEqual(['BAD_USER_INPUT']);
    const never = await hub.gql(
      UNDO,
      { eventId: a.event.id, version: a.event.version },
      w.admin.token,
    );
    expect(errorCodes(never)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(never.errors)).toContain('eventId');
    // Nothing changed.
    for (const kase of [a, b]) {
      const after = await readCase(w.admin, kase.id, ADMIN_CASE_QUERY);
      expect([after.status, after.event.version, after.event.sourceReportCount]).toEqual([
        'REFERRED',
        kase.event.version,
        1,
      ]);
    }
  });

  it('answers CONFLICT to a merge based on an event a new report has joined since', async () => {
    const w = await world();
    const { policeCase, emsCase } = await twoEvents(w);
    // A co-report of the EMS event arrives after the admin read it.
    const stale = mergeArgs(policeCase, emsCase);
    const joined = await report(
      w.officer,
      reportInput(w.county, {
        occurredAt: at(Date.now() - 5 * HOUR + 20 * MINUTE),
        latitude: 35.59,
        longitude: -82.55,
        survivor: null,
      }),
    );
    // Unnamed, 20 minutes after, at the EMS report's place, from another agency: it joins.
    expect((await caseOfReport(joined)).id).toBe(emsCase.id);
    const response = await hub.gql(MERGE, stale, w.admin.token);
    expect(errorCodes(response)).toEqual(['CONFLICT']);
    const after = await readCase(w.admin, policeCase.id, ADMIN_CASE_QUERY);
    expect([after.status, after.event.mergedIntoId]).toEqual(['REFERRED', null]);
  });

  it('lets one of two racing merges win and answers CONFLICT to the other, nothing half-written', async () => {
    const w = await world();
    const { policeCase, emsCase } = await twoEvents(w);
    const responses = await Promise.all([
      hub.gql(MERGE, mergeArgs(policeCase, emsCase), w.admin.token),
      hub.gql(MERGE, mergeArgs(emsCase, policeCase), w.admin.token),
    ]);
    const codes = responses.map((r) => errorCodes(r)[0] ?? 'OK').sort();
    expect(codes).toEqual(['CONFLICT', 'OK']);
    const cases = await Promise.all(
      [policeCase, emsCase].map((c) => readCase(w.admin, c.id, ADMIN_CASE_QUERY)),
    );
    // Exactly one event absorbed the other; one case open, one closed as its duplicate.
    expect(cases.map((c) => c.status).sort()).toEqual(['CLOSED', 'REFERRED']);
    expect(cases.map((c) => c.event.sourceReportCount).sort()).toEqual([0, 2]);
    expect(
      await hub.em().count(Case, { county: w.county, closeReason: 'DUPLICATE' as never }),
    ).toBe(1);
    expect(await ownCount(w.programAnalyst)).toBe(1);
  });

  it('lets only the routed agency’s admin merge: a worker is FORBIDDEN, another agency’s admin finds no event', async () => {
    const w = await world();
    const { policeCase, emsCase } = await twoEvents(w);
    const args = mergeArgs(policeCase, emsCase);
    expect(errorCodes(await hub.gql(MERGE, args, w.worker.token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await hub.gql(MERGE, args, w.officer.token))).toEqual(['FORBIDDEN']);
    const stranger = await makeUser(hub, Role.AGENCY_ADMIN, {
      agency: await makeAgency(hub, AgencyKind.HARM_REDUCTION),
    });
    expect(errorCodes(await hub.gql(MERGE, args, stranger.token))).toEqual(['NOT_FOUND']);
    expect(
      errorCodes(
        await hub.gql(UNDO, { eventId: args.eventId, version: args.version }, stranger.token),
      ),
    ).toEqual(['NOT_FOUND']);
  });

  it('merges co-reports stored before events existed with `cli merge-coreports`, a dry run changing nothing', async () => {
    const w = await world();
    const survivor = { firstName: 'Ari', lastName: 'Stone', dateOfBirth: randomBirthDate() };
    const t = Date.now() - 20 * HOUR;
    const policeId = await report(
      w.officer,
      reportInput(w.county, { occurredAt: at(t), survivor }),
    );
    const emsId = await report(
      w.paramedic,
      reportInput(w.county, { occurredAt: at(t + 6 * MINUTE), survivor }),
    );
    // As the data was before this change: the EMS report has an event (and a case) of its own.
    await seedAsSeparateEvents(emsId);
    expect(await casesInCounty(w.county)).toBe(2);
    expect(await ownCount(w.programAnalyst)).toBe(2);

    const output: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      output.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    const session = (): CliSession => ({
      config: hub.config,
      em: hub.em(),
      devJwtSecret: false,
      secretsPath: '',
    });
    try {
      const dry = await mergeCoReportsCommand(session(), { dryRun: true });
      expect(dry.merged).toBe(0);
      expect(output.join('')).toContain(`${emsId}  ${policeId}  PERSON  6`);
      expect(output.join('')).not.toContain('Stone');
      expect(await ownCount(w.programAnalyst)).toBe(2);

      const applied = await mergeCoReportsCommand(session(), {});
      expect(applied.merged).toBeGreaterThanOrEqual(1);
    } finally {
      process.stdout.write = write;
    }
    const emsCase = await hub.em().findOneOrFail(Case, { indexIncident: emsId }, { refresh: true });
    expect([emsCase.status, emsCase.closeReason]).toEqual(['CLOSED', 'DUPLICATE']);
    expect((await caseOfReport(emsId)).indexIncident!.id).toBe(policeId);
    expect(await ownCount(w.programAnalyst)).toBe(1);
    expect(
      await hub.em().count(Outcome, { type: OutcomeType.REPEAT_OVERDOSE, sourceIncident: emsId }),
    ).toBe(0);
    expect(await numbersDrift(w.county)).toEqual([]);
  });

  /**
   * The state a co-report was in before events: its own event and case, linked as a repeat of
   * the first with a REPEAT_OVERDOSE outcome. Made by undoing what the intake did, in SQL.
   */
  async function seedAsSeparateEvents(incidentId: string): Promise<void> {
    const em = hub.em();
    const incident = await em.findOneOrFail(OverdoseIncident, incidentId);
    const first = await em.findOneOrFail(Case, { indexIncident: incident.event.id });
    const connection = em.getConnection();
    await connection.execute(
      `insert into overdose_event (id, created_at, updated_at, occurred_at, county, latitude, longitude, person_id, version)
       select id, created_at, created_at, occurred_at, county, latitude, longitude, person_id, 1
         from overdose_incident where id = ?`,
      [incidentId],
    );
    await connection.execute(`update overdose_event set version = version + 1 where id = ?`, [
      first.indexIncident!.id,
    ]);
    await connection.execute(`update overdose_incident set event_id = id where id = ?`, [
      incidentId,
    ]);
    // Its own case, opened the way the intake of the time did (REFERRED, linked, a repeat).
    await connection.execute(
      `insert into overdose_case (id, created_at, updated_at, person_id, index_incident_id, county, status,
                                  routed_agency_id, follow_up_opens_at, follow_up_due_at, version)
       select gen_random_uuid(), now(), now(), person_id, ?, county, 'REFERRED', routed_agency_id,
              follow_up_opens_at, follow_up_due_at, 1
         from overdose_case where id = ?`,
      [incidentId, first.id],
    );
    await connection.execute(
      `insert into referral (id, created_at, updated_at, case_id, to_agency_id, type, status)
       select gen_random_uuid(), now(), now(), c.id, c.routed_agency_id, 'FOLLOW_UP_OUTREACH', 'REQUESTED'
         from overdose_case c where c.index_incident_id = ?`,
      [incidentId],
    );
    await connection.execute(
      `insert into outcome (id, created_at, updated_at, case_id, type, occurred_at, source_incident_id, automatic)
       select gen_random_uuid(), now(), now(), ?, 'REPEAT_OVERDOSE', occurred_at, id, true
         from overdose_incident where id = ?`,
      [first.id, incidentId],
    );
  }
});
