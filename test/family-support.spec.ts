import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Agency } from '../src/modules/agency/agency.entity';
import { Case } from '../src/modules/case/case.entity';
import { makeAgency, makeAgreement, makeUser, uniqueCounty, type Actor } from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { REPORT_MUTATION, reportInput } from './support/reports';

/**
 * Done-when (c), family-support part: a fatal report closes its case DECEASED, and an agency
 * that opted in to supporting families after a death gets a family-support case for a fatal
 * overdose in its area, with no more of the decedent's identity than its agreements allow.
 */

const SET = `mutation ($offers: Boolean!, $agencyId: ID) {
  setFamilySupport(offers: $offers, agencyId: $agencyId) { id offersFamilySupport }
}`;
const LIST = `query { familySupportCases { id county occurredAt identitySealed
  person { firstName lastName dateOfBirth phone } } }`;
const CASE = `query ($id: ID!) { case(id: $id) { id status closeReason } }`;

interface FamilySupportSeen {
  id: string;
  county: string;
  occurredAt: string;
  identitySealed: boolean;
  person: { firstName: string; lastName: string; dateOfBirth: string; phone: string } | null;
}

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.stop());

const setFamilySupport = (actor: Actor, offers: boolean, agencyId?: string) =>
  hub.gql<{ setFamilySupport: { id: string; offersFamilySupport: boolean } | null }>(
    SET,
    { offers, agencyId },
    actor.token,
  );

const familySupportCases = async (actor: Actor) => {
  const response = await hub.gql<{ familySupportCases: FamilySupportSeen[] }>(
    LIST,
    {},
    actor.token,
  );
  return response;
};

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

/** An agency of `kind` serving `county`, with an outreach worker (where the kind holds one). */
async function agencyIn(county: string, kind = AgencyKind.HARM_REDUCTION) {
  const agency = await makeAgency(hub, kind, { serviceCounties: [county] });
  const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency });
  const worker =
    kind === AgencyKind.LAW_ENFORCEMENT
      ? undefined
      : await makeUser(hub, Role.OUTREACH_WORKER, { agency });
  return { agency, admin, worker: worker! };
}

const forbiddenPaths = (response: GraphQLResponse<unknown>) =>
  (response.errors ?? [])
    .filter((e) => e.extensions?.code === 'FORBIDDEN')
    .map((e) => (e.path ?? []).join('.'));

describe('opting in to family support', () => {
  it('lets the agency’s own admin and the hub admin opt in and out', async () => {
    const { agency, admin } = await agencyIn(uniqueCounty());
    const own = await setFamilySupport(admin, true);
    expect(own.errors).toBeUndefined();
    expect(own.data!.setFamilySupport).toEqual({ id: agency.id, offersFamilySupport: true });

    const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
    const off = await setFamilySupport(hubAdmin, false, agency.id);
    expect(off.errors).toBeUndefined();
    expect(off.data!.setFamilySupport!.offersFamilySupport).toBe(false);
  });

  it('answers another agency’s admin exactly like a missing agency, changing nothing', async () => {
    const { agency } = await agencyIn(uniqueCounty());
    const stranger = await agencyIn(uniqueCounty());
    const response = await setFamilySupport(stranger.admin, true, agency.id);
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    const stored = await hub.em().findOneOrFail(Agency, agency.id);
    expect(stored.offersFamilySupport).toBe(false);
  });

  it.each([Role.OUTREACH_WORKER, Role.POLICE_OFFICER, Role.ANALYST])(
    'is FORBIDDEN to %s',
    async (role) => {
      const caller = await makeUser(hub, role);
      const response = await setFamilySupport(caller, true);
      expect(response.data).toEqual({ setFamilySupport: null });
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    },
  );

  it('refuses a police department, naming the field', async () => {
    const police = await agencyIn(uniqueCounty(), AgencyKind.LAW_ENFORCEMENT);
    const response = await setFamilySupport(police.admin, true);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(
      (response.errors![0].extensions!.fields as Array<{ field: string }>).map((f) => f.field),
    ).toEqual(['offers']);
  });
});

describe('a fatal overdose', () => {
  it('closes DECEASED and gives each opted-in agency of the area a family-support case, identity only under an agreement', async () => {
    const county = uniqueCounty();
    const ems = await makeUser(hub, Role.EMS_PROVIDER);
    const partner = await agencyIn(county); // opted in, agreement with EMS
    const stranger = await agencyIn(county); // opted in, no agreement
    const notOptedIn = await agencyIn(county); // agreement, but not opted in
    const elsewhere = await agencyIn(uniqueCounty()); // opted in, another county
    for (const a of [partner, stranger, elsewhere]) {
      expect((await setFamilySupport(a.admin, true)).errors).toBeUndefined();
    }
    await makeAgreement(hub, ems.agency, partner.agency, { counties: [county] });
    await makeAgreement(hub, ems.agency, notOptedIn.agency, { counties: [county] });

    const input = reportInput(county, { fatal: true });
    const survivor = input.survivor as { firstName: string; lastName: string; dateOfBirth: string };
    const kase = await report(ems, input);

    const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
    const closed = await hub.gql(CASE, { id: kase.id }, hubAdmin.token);
    expect(closed.data).toEqual({
      case: { id: kase.id, status: 'CLOSED', closeReason: 'DECEASED' },
    });

    // Allowed: the partner reads what its agreement lets flow — the name and date of birth the
    // reporter entered (and the phone, as for any case under the agreement).
    const seen = await familySupportCases(partner.worker);
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.familySupportCases).toEqual([
      {
        id: expect.any(String),
        county,
        occurredAt: new Date(input.occurredAt).toISOString(),
        identitySealed: false,
        person: {
          firstName: survivor.firstName,
          lastName: survivor.lastName,
          dateOfBirth: survivor.dateOfBirth,
          phone: '828-555-0142',
        },
      },
    ]);

    // Denied: without an agreement the case comes, sealed, and the person is refused.
    const sealed = await familySupportCases(stranger.worker);
    expect(sealed.data!.familySupportCases).toEqual([
      expect.objectContaining({ county, identitySealed: true, person: null }),
    ]);
    expect(forbiddenPaths(sealed)).toEqual(['familySupportCases.0.person']);
    expect(JSON.stringify(sealed)).not.toContain(survivor.lastName);

    // The agency admin sees the case, never the person.
    const admin = await familySupportCases(partner.admin);
    expect(admin.data!.familySupportCases).toEqual([
      expect.objectContaining({ county, person: null }),
    ]);
    expect(forbiddenPaths(admin)).toEqual(['familySupportCases.0.person']);

    // Not opted in, or another county: nothing.
    for (const none of [notOptedIn, elsewhere]) {
      const response = await familySupportCases(none.worker);
      expect(response.errors).toBeUndefined();
      expect(response.data!.familySupportCases).toEqual([]);
    }
  });

  it('opens no family-support case for a survivor', async () => {
    const county = uniqueCounty();
    const ems = await makeUser(hub, Role.EMS_PROVIDER);
    const partner = await agencyIn(county);
    await setFamilySupport(partner.admin, true);
    await makeAgreement(hub, ems.agency, partner.agency, { counties: [county] });
    const kase = await report(ems, reportInput(county));
    expect(kase.status).toBe('REFERRED');
    const response = await familySupportCases(partner.worker);
    expect(response.data!.familySupportCases).toEqual([]);
  });

  it('opens one family-support case when a co-report says the survivor died, and no second for a second fatal co-report', async () => {
    const county = uniqueCounty();
    const ems = await makeUser(hub, Role.EMS_PROVIDER);
    const examiner = await makeUser(hub, Role.EMS_PROVIDER);
    const partner = await agencyIn(county);
    await setFamilySupport(partner.admin, true);
    const first = reportInput(county);
    const kase = await report(ems, first);
    expect(kase.status).toBe('REFERRED');
    // An hour later the same person is reported dead: one overdose, one event, one death.
    const later = new Date(new Date(first.occurredAt).getTime() + 3_600_000).toISOString();
    for (const reporter of [ems, examiner]) {
      const response = await hub.gql(
        REPORT_MUTATION,
        {
          input: reportInput(county, {
            survivor: first.survivor,
            occurredAt: later,
            fatal: true,
            naloxone: [],
          }),
        },
        reporter.token,
      );
      expect(response.errors).toBeUndefined();
    }
    const closed = await hub.em().findOneOrFail(Case, { id: kase.id }, { refresh: true });
    expect(closed.closeReason).toBe('DECEASED');
    // No agreement with EMS here: the case comes sealed (its person refused), once.
    const response = await familySupportCases(partner.worker);
    expect(response.data!.familySupportCases).toEqual([
      expect.objectContaining({
        county,
        occurredAt: new Date(first.occurredAt).toISOString(),
        identitySealed: true,
      }),
    ]);
  });

  it('keeps the list from police and EMS', async () => {
    const police = await makeUser(hub, Role.POLICE_OFFICER);
    const response = await familySupportCases(police);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });
});
