import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseStatus } from '../src/modules/case/case-codes';
import { Case } from '../src/modules/case/case.entity';
import { makeAgency, makeAgreement, makeUser, uniqueCounty, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import {
  connectLive,
  disposeAll,
  listening,
  subscribe,
  waitFor,
  type LiveClient,
} from './support/live';
import { randomBirthDate, REPORT_MUTATION, reportInput } from './support/reports';

/**
 * Identity follows its sources (issue 13, "Why" 2 and Done-when (b)). EMS reports survivor X
 * with name, date of birth, phone and home address; the case goes to harm-reduction agency H1,
 * whose worker records safe-contact times and a new phone. Later a police department in another
 * county reports the same name and date of birth; the case goes to H2, which has an agreement
 * with that police department only. H2 must see nothing EMS or H1 entered, on any path, and
 * everything its partner police entered; a consent of the person naming H2, recorded by H1,
 * lets H1's values (and only H1's) reach H2.
 */

const PERSON = 'id firstName lastName dateOfBirth phone street city zip safeContactTimes';
const CASE_PERSON = `query ($id: ID!) { case(id: $id) { id identitySealed person { ${PERSON} } } }`;
const CASE_LIST = `query { cases(first: 50) { edges { node { id person { ${PERSON} } } } } }`;
const FRAGMENT = `
  fragment Who on Person { ${PERSON} }
  fragment Seen on Case { id person { ...Who } }
  query ($id: ID!) { case(id: $id) { ...Seen } }`;
const CASE_ROUTED = `subscription { caseRouted { id person { ${PERSON} } } }`;
const PREFERENCES = `mutation ($caseId: ID!, $version: Int!, $input: ContactPreferencesInput!) {
  updateContactPreferences(caseId: $caseId, version: $version, input: $input) { version }
}`;
const CONTACT = `mutation ($caseId: ID!, $version: Int!, $input: PersonContactInput!) {
  updatePersonContact(caseId: $caseId, version: $version, input: $input) { version }
}`;
const RECORD_CONSENT = `mutation ($caseId: ID!, $version: Int!, $input: RecordConsentInput!) {
  recordConsent(caseId: $caseId, version: $version, input: $input) { id }
}`;
const REVOKE_CONSENT = `mutation ($consentId: ID!, $reason: String!) {
  revokeConsent(consentId: $consentId, reason: $reason) { id }
}`;

interface PersonSeen {
  id: string;
  firstName: string | null;
  lastName: string | null;
  dateOfBirth: string | null;
  phone: string | null;
  street: string | null;
  city: string | null;
  zip: string | null;
  safeContactTimes: string | null;
}

let hub: TestHub;
const clients: LiveClient[] = [];

beforeAll(async () => {
  hub = await startTestHub({ FOLLOW_UP_TICK_SECONDS: '0', SPIKE_CHECK_SECONDS: '0' });
});
afterEach(async () => {
  await disposeAll(hub, clients);
  clients.length = 0;
});
afterAll(async () => {
  await hub.stop();
});

/** An outreach agency serving `county`, with a worker. */
async function outreach(county: string) {
  const agency = await makeAgency(hub, AgencyKind.HARM_REDUCTION, { serviceCounties: [county] });
  return { agency, worker: await makeUser(hub, Role.OUTREACH_WORKER, { agency }) };
}

async function report(reporter: Actor, input: Record<string, unknown>): Promise<Case> {
  const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
    REPORT_MUTATION,
    { input },
    reporter.token,
  );
  expect(response.errors).toBeUndefined();
  return hub
    .em()
    .findOneOrFail(
      Case,
      { indexIncident: response.data!.reportIncident.incident.id },
      { refresh: true },
    );
}

/** Hands a routed case to the worker, as accepting and assigning it would. */
async function assign(kase: Case, worker: Actor): Promise<void> {
  await hub
    .em()
    .execute(`update overdose_case set status = ?, assigned_worker_id = ? where id = ?`, [
      CaseStatus.ASSIGNED,
      worker.user.id,
      kase.id,
    ]);
  await hub.em().execute(`update referral set status = 'ACCEPTED' where case_id = ?`, [kase.id]);
}

const versionOf = async (caseId: string) =>
  (await hub.em().findOneOrFail(Case, caseId, { refresh: true })).version;

async function personOnCase(caseId: string, actor: Actor): Promise<PersonSeen | null> {
  const response = await hub.gql<{ case: { person: PersonSeen | null } | null }>(
    CASE_PERSON,
    { id: caseId },
    actor.token,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.case!.person;
}

/**
 * The scenario up to the police report: EMS's report of X routed to H1, whose worker records
 * safe-contact times and a new phone; the police's entry of X, ready to send.
 */
async function scenario() {
  const countyEms = uniqueCounty();
  const countyPolice = uniqueCounty();
  const ems = await makeUser(hub, Role.EMS_PROVIDER);
  const police = await makeUser(hub, Role.POLICE_OFFICER);
  const h1 = await outreach(countyEms);
  const h2 = await outreach(countyPolice);
  await makeAgreement(hub, ems.agency, h1.agency, { counties: [countyEms] });
  await makeAgreement(hub, police.agency, h2.agency, { counties: [countyPolice] });

  // A day before the police report: a separate overdose, not a co-report of the same one.
  const emsEntry = reportInput(countyEms, {
    occurredAt: new Date(Date.now() - 30 * 3_600_000).toISOString(),
  });
  const survivor = {
    ...(emsEntry.survivor as Record<string, unknown>),
    dateOfBirth: randomBirthDate(),
  } as { firstName: string; lastName: string; dateOfBirth: string };
  const first = await report(ems, {
    ...emsEntry,
    survivor: {
      ...survivor,
      phone: '828-555-0101',
      address: { street: '4 Oak Ave', city: 'Weaverville', state: 'NC', zip: '28787' },
    },
  });
  expect(first.routedAgency?.id).toBe(h1.agency.id);
  await assign(first, h1.worker);
  const prefs = await hub.gql(
    PREFERENCES,
    {
      caseId: first.id,
      version: await versionOf(first.id),
      input: { safeContactTimes: 'weekdays after 5pm' },
    },
    h1.worker.token,
  );
  expect(prefs.errors).toBeUndefined();
  const contact = await hub.gql(
    CONTACT,
    { caseId: first.id, version: await versionOf(first.id), input: { phone: '828-555-0111' } },
    h1.worker.token,
  );
  expect(contact.errors).toBeUndefined();

  // The police enter the same person (the key matches) in their own spelling, another phone
  // and no address.
  const policeSurvivor = {
    firstName: ` ${survivor.firstName.toUpperCase()} `,
    lastName: survivor.lastName.toUpperCase(),
    dateOfBirth: survivor.dateOfBirth,
    phone: '336-555-0122',
  };
  return { ems, police, h1, h2, first, survivor, countyPolice, policeSurvivor };
}

const reportByPolice = async (world: Awaited<ReturnType<typeof scenario>>) => {
  const second = await report(
    world.police,
    reportInput(world.countyPolice, { survivor: world.policeSurvivor }),
  );
  expect(second.person?.id).toBe(world.first.person?.id);
  expect(second.routedAgency?.id).toBe(world.h2.agency.id);
  return second;
};

/** What H2 may see: the police's values only. */
const policeValues = (world: Awaited<ReturnType<typeof scenario>>) => ({
  firstName: world.policeSurvivor.firstName.trim(),
  lastName: world.policeSurvivor.lastName,
  dateOfBirth: world.policeSurvivor.dateOfBirth,
  phone: '336-555-0122',
  street: null,
  city: null,
  zip: null,
  safeContactTimes: null,
});

/** No value EMS or H1 entered appears anywhere in a response. */
function expectNothingOf(world: Awaited<ReturnType<typeof scenario>>, response: unknown): void {
  const text = JSON.stringify(response);
  for (const value of [
    world.survivor.firstName,
    world.survivor.lastName,
    '828-555-0101',
    '828-555-0111',
    '4 Oak Ave',
    'Weaverville',
    '28787',
    'weekdays after 5pm',
  ]) {
    expect([value, text.includes(value)]).toEqual([value, false]);
  }
}

describe('identity follows its sources', () => {
  it('gives H2 its partner police’s values and nothing EMS or H1 entered: case, list, fragment, subscription', async () => {
    const world = await scenario();
    const live = connectLive(hub, world.h2.worker.token);
    clients.push(live);
    subscribe(live, CASE_ROUTED);
    await listening(hub, 1);

    const second = await reportByPolice(world);
    await assign(second, world.h2.worker);
    const expected = { id: second.person!.id, ...policeValues(world) };

    const single = await hub.gql(CASE_PERSON, { id: second.id }, world.h2.worker.token);
    expect(single.errors).toBeUndefined();
    expect(single.data).toEqual({
      case: { id: second.id, identitySealed: false, person: expected },
    });
    expectNothingOf(world, single);

    const list = await hub.gql<{ cases: { edges: Array<{ node: { id: string } }> } }>(
      CASE_LIST,
      {},
      world.h2.worker.token,
    );
    expect(list.errors).toBeUndefined();
    expect(list.data!.cases.edges).toEqual([{ node: { id: second.id, person: expected } }]);
    expectNothingOf(world, list);

    const fragment = await hub.gql(FRAGMENT, { id: second.id }, world.h2.worker.token);
    expect(fragment.errors).toBeUndefined();
    expect(fragment.data).toEqual({ case: { id: second.id, person: expected } });
    expectNothingOf(world, fragment);

    await waitFor(() => live.received.length === 1);
    const pushed = live.received[0];
    expect(pushed.errors).toBeUndefined();
    expect(pushed.data).toEqual({ caseRouted: { id: second.id, person: expected } });
    expectNothingOf(world, pushed);
  });

  it('keeps serving H1 its own and EMS’s values, never the police’s', async () => {
    const world = await scenario();
    await reportByPolice(world);
    const seen = await personOnCase(world.first.id, world.h1.worker);
    expect(seen).toEqual({
      id: world.first.person!.id,
      firstName: world.survivor.firstName,
      lastName: world.survivor.lastName,
      dateOfBirth: world.survivor.dateOfBirth,
      // H1's own correction stands over EMS's phone; EMS's address is H1's through the agreement.
      phone: '828-555-0111',
      street: '4 Oak Ave',
      city: 'Weaverville',
      zip: '28787',
      safeContactTimes: 'weekdays after 5pm',
    });
    expect(JSON.stringify(seen)).not.toContain('336-555-0122');
  });

  it('lets H1’s values reach H2 under a consent naming H2 that H1 recorded, and only then', async () => {
    const world = await scenario();
    const second = await reportByPolice(world);
    await assign(second, world.h2.worker);
    const other = await outreach(uniqueCounty());

    const withVersion = async (grantedTo: string) => {
      const response = await hub.gql<{ recordConsent: { id: string } | null }>(
        RECORD_CONSENT,
        {
          caseId: world.first.id,
          version: await versionOf(world.first.id),
          input: {
            scope: 'CONTACT_FOR_FOLLOW_UP',
            purpose: 'Follow-up by the agency where the person now lives',
            method: 'VERBAL',
            grantedAt: new Date(Date.now() - 60_000).toISOString(),
            grantedToAgencyId: grantedTo,
          },
        },
        world.h1.worker.token,
      );
      expect(response.errors).toBeUndefined();
      return response.data!.recordConsent!.id;
    };
    // Denied: a consent naming another agency opens nothing to H2.
    await withVersion(other.agency.id);
    expect(await personOnCase(second.id, world.h2.worker)).toMatchObject(policeValues(world));

    // Denied: a consent naming H2 that H2 recorded itself opens nothing of H1's.
    const own = await hub.gql(
      RECORD_CONSENT,
      {
        caseId: second.id,
        version: await versionOf(second.id),
        input: {
          scope: 'CONTACT_FOR_FOLLOW_UP',
          purpose: 'Follow-up visits',
          method: 'VERBAL',
          grantedAt: new Date(Date.now() - 60_000).toISOString(),
        },
      },
      world.h2.worker.token,
    );
    expect(own.errors).toBeUndefined();
    expect(await personOnCase(second.id, world.h2.worker)).toMatchObject(policeValues(world));

    // Allowed: H1 records the person's consent naming H2. H1's own values (its phone, the
    // safe-contact times) reach H2; EMS's values still do not (no agreement from EMS to H2).
    const consentId = await withVersion(world.h2.agency.id);
    const shared = await personOnCase(second.id, world.h2.worker);
    expect(shared).toEqual({
      ...policeValues(world),
      id: second.person!.id,
      // H1's record is newer than the police report, so its phone comes first.
      phone: '828-555-0111',
      safeContactTimes: 'weekdays after 5pm',
    });
    expect(JSON.stringify(shared)).not.toContain(world.survivor.firstName);
    expect(JSON.stringify(shared)).not.toContain('828-555-0101');

    // Revoked: gone again at once.
    const revoked = await hub.gql(
      REVOKE_CONSENT,
      { consentId, reason: 'The person changed their mind' },
      world.h1.worker.token,
    );
    expect(revoked.errors).toBeUndefined();
    expect(await personOnCase(second.id, world.h2.worker)).toMatchObject(policeValues(world));
  });
});
