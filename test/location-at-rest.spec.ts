import { cellToLatLng, getResolution, latLngToCell } from 'h3-js';
import { Role } from '../src/common/role';
import { isEncrypted } from '../src/crypto/field-cipher';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseStatus } from '../src/modules/case/case-codes';
import { STATISTICS_H3_RESOLUTION } from '../src/modules/incident/incident-data';
import { purgeIdentities } from '../src/modules/retention/retention.service';
import { makeAgency, makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { makeWorkedCase } from './support/outreach-factory';
import { REPORT_MUTATION, reportInput } from './support/reports';

const DAY = 86_400_000;
const MINUTE = 60_000;

const READ_INCIDENT = `query ($id: ID!) {
  incident(id: $id) { id county street city state zip latitude longitude }
}`;
const LOG = `mutation ($caseId: ID!, $version: Int!, $input: OutreachAttemptInput!) {
  logOutreachAttempt(caseId: $caseId, version: $version, input: $input) {
    id outreachAttempts { id notes }
  }
}`;
const READ_CASE = `query ($id: ID!) { case(id: $id) { id outreachAttempts { id notes } } }`;
const CASES = `query { cases(first: 50) { edges { node { id outreachAttempts { id notes } } } } }`;

interface IncidentView {
  id: string;
  street: string | null;
  city: string | null;
  zip: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** Issue 14 point 7: the place of an overdose and visit notes at rest. */
describe('incident location and visit notes at rest', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const raw = async (sql: string, id: string) =>
    (await hub.em().execute<Array<Record<string, unknown>>>(sql, [id]))[0];

  const reporter = async (): Promise<{ ems: Actor; county: string }> => {
    const county = uniqueCounty();
    const agency = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
    return { ems: await makeUser(hub, Role.EMS_PROVIDER, { agency }), county };
  };

  const report = async (ems: Actor, county: string, overrides: Record<string, unknown> = {}) => {
    const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
      REPORT_MUTATION,
      { input: reportInput(county, overrides) },
      ems.token,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.reportIncident.incident.id;
  };

  it('stores street, city, ZIP and coordinates encrypted, and a coarse H3 cell in the clear', async () => {
    const { ems, county } = await reporter();
    const id = await report(ems, county, {
      address: { street: '77 Hidden Hollow Rd', city: 'Marshall', state: 'NC', zip: '28753' },
      latitude: 35.7971,
      longitude: -82.6843,
    });
    const row = await raw(
      'select street, city, state, zip, latitude, longitude, h3_cell from overdose_incident where id = ?',
      id,
    );
    for (const column of ['street', 'city', 'zip', 'latitude', 'longitude']) {
      expect(isEncrypted(row[column] as string)).toBe(true);
    }
    const stored = JSON.stringify(row);
    for (const value of ['Hidden Hollow', 'Marshall', '28753', '35.79', '82.68']) {
      expect(stored).not.toContain(value);
    }
    // The state is not identifying on its own and stays plain (as in the person vault).
    expect(row.state).toBe('NC');
    expect(row.h3_cell).toBe(latLngToCell(35.7971, -82.6843, STATISTICS_H3_RESOLUTION));
    expect(getResolution(row.h3_cell as string)).toBe(7);
  });

  it('gives the reporter its incident back decrypted, by id and in its list', async () => {
    const { ems, county } = await reporter();
    const id = await report(ems, county, {
      address: { street: '5 Laurel Ln', city: 'Weaverville', state: 'NC', zip: '28787' },
      latitude: 35.697,
      longitude: -82.5607,
    });
    const one = await hub.gql<{ incident: IncidentView }>(READ_INCIDENT, { id }, ems.token);
    expect(one.errors).toBeUndefined();
    expect(one.data!.incident).toMatchObject({
      street: '5 Laurel Ln',
      city: 'Weaverville',
      zip: '28787',
      latitude: 35.697,
      longitude: -82.5607,
    });
    const list = await hub.gql<{ myAgencyIncidents: { edges: Array<{ node: IncidentView }> } }>(
      `query { myAgencyIncidents(first: 5) { edges { node { id street city zip latitude longitude } } } }`,
      {},
      ems.token,
    );
    expect(list.errors).toBeUndefined();
    expect(list.data!.myAgencyIncidents.edges.find((e) => e.node.id === id)?.node).toMatchObject({
      street: '5 Laurel Ln',
      latitude: 35.697,
      longitude: -82.5607,
    });
  });

  it('gives another agency nothing of the place', async () => {
    const { ems, county } = await reporter();
    const id = await report(ems, county);
    const other = await reporter();
    const response = await hub.gql<{ incident: IncidentView | null }>(
      READ_INCIDENT,
      { id },
      other.ems.token,
    );
    expect(response.data?.incident ?? null).toBeNull();
    expect(JSON.stringify(response)).not.toContain('12 Elm St');
  });

  it('stores visit notes encrypted and gives them to the outreach team decrypted', async () => {
    const routed = await makeWorkedCase(hub, CaseStatus.ASSIGNED);
    const notes = 'Sister Dana lives at the back unit; knock twice.';
    const logged = await hub.gql<{
      logOutreachAttempt: { outreachAttempts: Array<{ id: string; notes: string }> };
    }>(
      LOG,
      {
        caseId: routed.kase.id,
        version: routed.kase.version,
        input: {
          method: 'VISIT',
          attemptedAt: new Date(Date.now() - 10 * MINUTE).toISOString(),
          outcome: 'CONTACT_SURVIVOR_ENGAGED',
          teamPresent: ['PEER_SUPPORT_SPECIALIST'],
          officerPresence: 'NONE',
          notes,
        },
      },
      routed.worker.token,
    );
    expect(logged.errors).toBeUndefined();
    const [attempt] = logged.data!.logOutreachAttempt.outreachAttempts;
    expect(attempt.notes).toBe(notes);
    const row = await raw('select notes from outreach_attempt where id = ?', attempt.id);
    expect(isEncrypted(row.notes as string)).toBe(true);
    expect(row.notes).not.toContain('Dana');

    const one = await hub.gql<{ case: { outreachAttempts: Array<{ notes: string }> } }>(
      READ_CASE,
      { id: routed.kase.id },
      routed.worker.token,
    );
    expect(one.errors).toBeUndefined();
    expect(one.data!.case.outreachAttempts[0].notes).toBe(notes);
    const list = await hub.gql<{
      cases: { edges: Array<{ node: { id: string; outreachAttempts: Array<{ notes: string }> } }> };
    }>(CASES, {}, routed.worker.token);
    expect(list.errors).toBeUndefined();
    expect(
      list.data!.cases.edges.find((e) => e.node.id === routed.kase.id)!.node.outreachAttempts[0]
        .notes,
    ).toBe(notes);
  });

  it('purges the place and visit notes with the identity, keeping county and H3 cell', async () => {
    const routed = await makeWorkedCase(hub, CaseStatus.ASSIGNED);
    await hub
      .em()
      .execute(
        `update overdose_incident set latitude = ?, longitude = ?, h3_cell = ? where id = ?`,
        ['35.6', '-82.55', latLngToCell(35.6, -82.55, 7), routed.incident.id],
      );
    await hub.em().execute(
      `insert into outreach_attempt (id, created_at, updated_at, case_id, worker_id, method,
              attempted_at, outcome, team_present, officer_presence, notes)
       values (gen_random_uuid(), now(), now(), ?, ?, 'VISIT', now(), 'CONTACT_SURVIVOR_ENGAGED',
               '{}', 'NONE', 'legacy plaintext note')`,
      [routed.kase.id, routed.worker.user.id],
    );
    await hub.em().execute(
      `update overdose_case set status = 'CLOSED', close_reason = 'UNABLE_TO_CONTACT',
              closed_at = ?::timestamptz where id = ?`,
      [new Date(Date.now() - 400 * DAY).toISOString(), routed.kase.id],
    );
    const summary = await purgeIdentities(hub.em(), { retentionDays: 365, batchSize: 500 });
    expect(summary.incidentLocations).toBeGreaterThanOrEqual(1);
    expect(summary.visitNotes).toBeGreaterThanOrEqual(1);
    const incident = await raw(
      'select county, street, city, zip, latitude, longitude, h3_cell from overdose_incident where id = ?',
      routed.incident.id,
    );
    expect(incident).toEqual({
      county: routed.kase.county,
      street: null,
      city: null,
      zip: null,
      latitude: null,
      longitude: null,
      h3_cell: latLngToCell(35.6, -82.55, 7),
    });
    const [lat, lng] = cellToLatLng(incident.h3_cell as string);
    expect(Math.abs(lat - 35.6)).toBeLessThan(0.05);
    expect(Math.abs(lng + 82.55)).toBeLessThan(0.05);
    const attempts = await hub
      .em()
      .execute<Array<{ notes: string | null }>>(
        'select notes from outreach_attempt where case_id = ?',
        [routed.kase.id],
      );
    expect(attempts).toEqual([{ notes: null }]);
    // A second run finds nothing left to purge for this person.
    const again = await purgeIdentities(hub.em(), { retentionDays: 365, batchSize: 500 });
    const stillThere = await raw(
      'select count(*)::int as n from overdose_incident where id = ? and street is not null',
      routed.incident.id,
    );
    expect(stillThere.n).toBe(0);
    expect(again.dryRun).toBe(false);
  });
});
