import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Agency } from '../src/modules/agency/agency.entity';
import { Case } from '../src/modules/case/case.entity';
import { OverdoseIncident } from '../src/modules/incident/incident.entity';
import { Consent } from '../src/modules/outreach/consent.entity';
import { ContactRecord } from '../src/modules/person/contact-record.entity';
import {
  makeAgency,
  makeAgreement,
  makeUser,
  unique,
  uniqueCounty,
  type Actor,
} from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { caseOfIncident, randomBirthDate, REPORT_MUTATION, reportInput } from './support/reports';

const MINUTE = 60_000;
const OPEN_REFERRAL = `mutation($input: OpenReferralInput!) { openReferral(input: $input) {
  id status referralSource referredAt indexIncident { id } routedAgency { id } version
  person { firstName lastName dateOfBirth phone } } }`;
const OUTREACH_REPORT = `mutation($input: ReportIncidentInput!) {
  reportIncident(input: $input) { status incident { id source naloxoneKitsLeftBehind } } }`;
const CASE = `query($id: ID!) { case(id: $id) {
  id status version referralSource peerContactDeclinedAt identitySealed
  person { firstName lastName phone }
  indexIncident { id source naloxoneKitsLeftBehind consentToPeerContact } } }`;
const ACCEPT = `mutation($caseId: ID!, $version: Int!) {
  acceptCase(caseId: $caseId, version: $version) { id status version } }`;
const LOG = `mutation($caseId: ID!, $version: Int!, $input: OutreachAttemptInput!) {
  logOutreachAttempt(caseId: $caseId, version: $version, input: $input) { id status version } }`;
const RECORD_CONSENT = `mutation($caseId: ID!, $version: Int!, $input: RecordConsentInput!) {
  recordConsent(caseId: $caseId, version: $version, input: $input) { id } }`;

interface CaseView {
  id: string;
  status: string;
  version: number;
  referralSource: string | null;
  peerContactDeclinedAt: string | null;
  identitySealed: boolean;
  person: { firstName: string | null; lastName: string | null; phone: string | null } | null;
  indexIncident: {
    id: string;
    source: string;
    naloxoneKitsLeftBehind: number | null;
    consentToPeerContact: string | null;
  } | null;
}

const badFields = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? []).flatMap((e) =>
    ((e.extensions?.fields as Array<{ field: string }>) ?? []).map((f) => f.field),
  );

/** A community reversal: a bystander's or peer's naloxone, no emergency responder. */
const communityReport = (county: string, overrides: Record<string, unknown> = {}) =>
  reportInput(county, {
    source: 'COMMUNITY',
    naloxone: [{ route: 'IN', administeredBy: 'PEER', response: 'IMPROVED' }],
    ...overrides,
  });

/** Issue 14 point 2: more doors in. */
describe('more doors in', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  /** A county with one follow-up agency and its worker. */
  async function followUpCounty(kind = AgencyKind.HARM_REDUCTION) {
    const county = uniqueCounty();
    const agency = await makeAgency(hub, kind, { serviceCounties: [county], runsFollowUp: true });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency });
    return { county, agency, worker };
  }

  // An outreach worker reads back what outreach reads of any incident (not the reporter's
  // externalId or version: those fields are police's and EMS's).
  const report = (actor: Actor, input: Record<string, unknown>) =>
    hub.gql<{ reportIncident: { status: string; incident: { id: string } } | null }>(
      actor.user.role === Role.OUTREACH_WORKER ? OUTREACH_REPORT : REPORT_MUTATION,
      { input },
      actor.token,
    );
  const readCase = (id: string, actor: Actor) =>
    hub.gql<{ case: CaseView | null }>(CASE, { id }, actor.token);
  const incidentsWith = (externalId: string) => hub.em().count(OverdoseIncident, { externalId });

  describe('community reversals', () => {
    it('takes an outreach worker’s community reversal without identity, under its own source', async () => {
      const { county, worker } = await followUpCounty();
      const input = communityReport(county, { survivor: null, naloxoneKitsLeftBehind: 2 });
      const response = await report(worker, input);
      expect(response.errors).toBeUndefined();
      expect(response.data!.reportIncident!.status).toBe('CREATED');
      const stored = await hub
        .em()
        .findOneOrFail(OverdoseIncident, response.data!.reportIncident!.incident.id, {
          populate: ['naloxoneAdministrations'],
        });
      expect(stored.source).toBe('COMMUNITY');
      expect(stored.naloxoneKitsLeftBehind).toBe(2);
      expect(stored.naloxoneAdministrations.getItems().map((n) => n.administeredBy)).toEqual([
        'PEER',
      ]);
    });

    it('routes a named community reversal to the reporting team itself, identity unsealed', async () => {
      const { county, agency, worker } = await followUpCounty();
      // Another team in the county, even one the reporter shares identity with, comes second.
      const neighbour = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: [county],
      });
      await makeAgreement(hub, agency, neighbour, { counties: [county] });
      const input = communityReport(county);
      const response = await report(worker, input);
      expect(response.errors).toBeUndefined();
      const kase = await caseOfIncident(hub, response.data!.reportIncident!.incident.id);
      expect(kase.routedAgency?.id).toBe(agency.id);
      const read = await readCase(kase.id, worker);
      expect(read.errors).toBeUndefined();
      expect(read.data!.case).toMatchObject({
        identitySealed: false,
        person: { firstName: (input.survivor as { firstName: string }).firstName },
        indexIncident: { source: 'COMMUNITY' },
      });
    });

    it('lets police report a community reversal they learnt of', async () => {
      const { county } = await followUpCounty();
      const officer = await makeUser(hub, Role.POLICE_OFFICER);
      const response = await report(
        officer,
        communityReport(county, {
          naloxone: [{ route: 'IN', administeredBy: 'BYSTANDER' }],
        }),
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.reportIncident!.status).toBe('CREATED');
    });

    it('counts a community reversal under its own source (CASE_SOURCE), whoever reported it', async () => {
      const { county } = await followUpCounty();
      const ems = await makeUser(hub, Role.EMS_PROVIDER);
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: ems.agency });
      for (const input of [
        communityReport(county, { naloxone: [{ route: 'IN', administeredBy: 'FAMILY' }] }),
        reportInput(county),
      ]) {
        expect((await report(ems, input)).errors).toBeUndefined();
      }
      const stats = await hub.gql<{
        overdoseStats: {
          rows: Array<{ group: { caseSource: string }; incidents: { value: number } }>;
        };
      }>(
        `query($f: StatsFilter) { overdoseStats(groupBy: [CASE_SOURCE], filter: $f) {
          rows { group { caseSource } incidents { value } } } }`,
        { f: { counties: [county] } },
        admin.token,
      );
      expect(stats.errors).toBeUndefined();
      const counts = Object.fromEntries(
        stats.data!.overdoseStats.rows.map((r) => [r.group.caseSource, r.incidents.value]),
      );
      expect(counts).toEqual({ COMMUNITY: 1, EMERGENCY_RESPONSE: 1 });
    });

    it.each(['EMS', 'POLICE', 'FIRE'])(
      'refuses a community report claiming %s gave naloxone, naming the dose, and writes nothing',
      async (by) => {
        const { county } = await followUpCounty();
        const ems = await makeUser(hub, Role.EMS_PROVIDER);
        const input = communityReport(county, {
          naloxone: [
            { route: 'IN', administeredBy: 'BYSTANDER' },
            { route: 'IM', administeredBy: by },
          ],
        });
        const response = await report(ems, input);
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(badFields(response)).toEqual(['input.naloxone.1.administeredBy']);
        expect(await incidentsWith(input.externalId)).toBe(0);
      },
    );

    it('refuses an outreach worker’s report that is not a community reversal, naming source', async () => {
      const { county, worker } = await followUpCounty();
      const input = reportInput(county, {
        naloxone: [{ route: 'IN', administeredBy: 'BYSTANDER' }],
      });
      const response = await report(worker, input);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['input.source']);
      expect(await incidentsWith(input.externalId)).toBe(0);
    });

    it.each([
      Role.LEAD_CASE_MANAGER,
      Role.TREATMENT_PROVIDER,
      Role.AGENCY_ADMIN,
      Role.ANALYST,
      Role.RESEARCHER,
      Role.HUB_ADMIN,
    ])('refuses a report from %s (FORBIDDEN), writing nothing', async (role) => {
      const { county } = await followUpCounty();
      const actor = await makeUser(hub, role);
      const input = communityReport(county);
      const response = await report(actor, input);
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      expect(await incidentsWith(input.externalId)).toBe(0);
    });
  });

  describe('naloxone left behind and "may a peer contact you?"', () => {
    /** EMS reports in a county served by one follow-up agency under an agreement. */
    async function emsCounty() {
      const world = await followUpCounty();
      const ems = await makeUser(hub, Role.EMS_PROVIDER);
      await makeAgreement(hub, ems.agency, world.agency, { counties: [world.county] });
      return { ...world, ems };
    }

    it.each([
      [-1, 'input.naloxoneKitsLeftBehind'],
      [51, 'input.naloxoneKitsLeftBehind'],
    ])('refuses %s kits left behind, naming the field', async (kits, field) => {
      const { county, ems } = await emsCounty();
      const input = reportInput(county, { naloxoneKitsLeftBehind: kits });
      const response = await report(ems, input);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual([field]);
      expect(await incidentsWith(input.externalId)).toBe(0);
    });

    it('turns YES into a consent to follow-up contact for the routed agency, recorded by the reporter', async () => {
      const { county, agency, ems, worker } = await emsCounty();
      const input = reportInput(county, { consentToPeerContact: 'YES', naloxoneKitsLeftBehind: 1 });
      const response = await report(ems, input);
      expect(response.errors).toBeUndefined();
      const kase = await caseOfIncident(hub, response.data!.reportIncident!.incident.id);
      const consents = await hub.em().find(Consent, { case: kase.id });
      expect(consents).toHaveLength(1);
      expect(consents[0]).toMatchObject({
        scope: 'CONTACT_FOR_FOLLOW_UP',
        method: 'VERBAL',
        recordedById: ems.user.id,
      });
      expect(consents[0].grantedTo.id).toBe(agency.id);
      const read = await readCase(kase.id, worker);
      expect(read.data!.case!.indexIncident).toMatchObject({
        consentToPeerContact: 'YES',
        naloxoneKitsLeftBehind: 1,
      });
      expect(read.data!.case!.peerContactDeclinedAt).toBeNull();
    });

    it('routes a NO and shows it, refuses attempts, and lets a consent recorded later lift it', async () => {
      const { county, ems, worker } = await emsCounty();
      const input = reportInput(county, { consentToPeerContact: 'NO' });
      const response = await report(ems, input);
      expect(response.errors).toBeUndefined();
      const kase = await caseOfIncident(hub, response.data!.reportIncident!.incident.id);
      expect(kase.status).toBe('REFERRED');
      expect(await hub.em().count(Consent, { case: kase.id })).toBe(0);
      const accepted = await hub.gql<{ acceptCase: { version: number } }>(
        ACCEPT,
        { caseId: kase.id, version: kase.version },
        worker.token,
      );
      expect(accepted.errors).toBeUndefined();
      let version = accepted.data!.acceptCase.version;
      const read = await readCase(kase.id, worker);
      expect(read.data!.case!.peerContactDeclinedAt).not.toBeNull();

      const attempt = {
        method: 'PHONE',
        attemptedAt: new Date(Date.now() - MINUTE).toISOString(),
        outcome: 'CONTACT_SURVIVOR_ENGAGED',
      };
      const refused = await hub.gql(
        LOG,
        { caseId: kase.id, version, input: attempt },
        worker.token,
      );
      expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(refused)).toEqual(['caseId']);

      // The person called the team back and agreed to be contacted.
      const consented = await hub.gql(
        RECORD_CONSENT,
        {
          caseId: kase.id,
          version,
          input: {
            scope: 'CONTACT_FOR_FOLLOW_UP',
            purpose: 'Called back and asked for a visit',
            method: 'VERBAL',
            grantedAt: new Date(Date.now() - MINUTE).toISOString(),
          },
        },
        worker.token,
      );
      expect(consented.errors).toBeUndefined();
      version = (await readCase(kase.id, worker)).data!.case!.version;
      const logged = await hub.gql(LOG, { caseId: kase.id, version, input: attempt }, worker.token);
      expect(logged.errors).toBeUndefined();
    });

    it('takes a co-report’s answer onto its event’s one case (a NO blocks, a YES consents)', async () => {
      const { county, agency, ems } = await emsCounty();
      const officer = await makeUser(hub, Role.POLICE_OFFICER);
      await makeAgreement(hub, officer.agency, agency, { counties: [county] });
      const answered = async (answer: string) => {
        const first = reportInput(county, { naloxone: [] });
        const police = await report(officer, first);
        expect(police.errors).toBeUndefined();
        const later = new Date(new Date(first.occurredAt).getTime() + 6 * MINUTE).toISOString();
        const coReport = await report(
          ems,
          reportInput(county, {
            occurredAt: later,
            survivor: first.survivor,
            consentToPeerContact: answer,
            naloxone: [],
          }),
        );
        expect(coReport.errors).toBeUndefined();
        return caseOfIncident(hub, police.data!.reportIncident!.incident.id);
      };
      const declined = await answered('NO');
      expect(declined.peerContactDeclinedAt).toBeInstanceOf(Date);
      const agreed = await answered('YES');
      expect(agreed.peerContactDeclinedAt ?? null).toBeNull();
      const consents = await hub.em().find(Consent, { case: agreed.id });
      expect(consents.map((c) => [c.scope, c.grantedTo.id, c.recordedById])).toEqual([
        ['CONTACT_FOR_FOLLOW_UP', agency.id, ems.user.id],
      ]);
    });

    it('lets a self-referral lift a NO given at the scene (the person re-engaged)', async () => {
      const { county, ems, worker } = await emsCounty();
      const input = reportInput(county, { consentToPeerContact: 'NO' });
      const response = await report(ems, input);
      const kase = await caseOfIncident(hub, response.data!.reportIncident!.incident.id);
      expect(kase.peerContactDeclinedAt).toBeInstanceOf(Date);
      const survivor = input.survivor as Record<string, string>;
      const self = await hub.gql(
        OPEN_REFERRAL,
        {
          input: {
            source: 'SELF',
            county,
            person: {
              firstName: survivor.firstName,
              lastName: survivor.lastName,
              dateOfBirth: survivor.dateOfBirth,
            },
          },
        },
        worker.token,
      );
      expect(self.errors).toBeUndefined();
      const after = await hub.em().findOneOrFail(Case, kase.id, { refresh: true });
      expect(after.peerContactDeclinedAt ?? null).toBeNull();
    });
  });

  describe('referrals without an incident', () => {
    const referral = (overrides: Record<string, unknown> = {}) => ({
      source: 'ED',
      county: '',
      person: {
        firstName: `Robin${unique()}`.replace(/\d/g, 'x'),
        lastName: `Ash${unique()}`.replace(/\d/g, 'y'),
        dateOfBirth: randomBirthDate(),
        phone: '828-555-0171',
      },
      ...overrides,
    });
    const open = (actor: Actor, input: Record<string, unknown>) =>
      hub.gql<{
        openReferral: {
          id: string;
          status: string;
          referralSource: string;
          indexIncident: null;
          routedAgency: { id: string };
          person: Record<string, string | null> | null;
        } | null;
      }>(OPEN_REFERRAL, { input }, actor.token);
    const casesOf = (agency: Agency) =>
      hub.em().count(Case, { routedAgency: agency.id, referralSource: { $ne: null } });

    it.each(['ED', 'HELPLINE_211', 'SELF', 'FAMILY', 'COMMUNITY', 'OTHER_AGENCY'])(
      'opens a case from a %s referral for a community paramedic of an EMS-run program',
      async (source) => {
        const { county, agency, worker } = await followUpCounty(AgencyKind.EMS);
        const input = referral({ source, county });
        const response = await open(worker, input);
        expect(response.errors).toBeUndefined();
        const person = input.person as Record<string, string>;
        expect(response.data!.openReferral).toMatchObject({
          status: 'REFERRED',
          referralSource: source,
          indexIncident: null,
          routedAgency: { id: agency.id },
          person: {
            firstName: person.firstName,
            lastName: person.lastName,
            dateOfBirth: person.dateOfBirth,
            phone: '828-555-0171',
          },
        });
        // Stored as the agency's own record of the person (identity follows its sources).
        const kase = await hub.em().findOneOrFail(Case, response.data!.openReferral!.id);
        const record = await hub
          .em()
          .findOneOrFail(ContactRecord, { person: kase.person!.id, agencyId: agency.id });
        expect(record).toMatchObject({ firstName: person.firstName, phone: '828-555-0171' });
      },
    );

    it('refuses a referral without a source, naming it, and writes nothing', async () => {
      const { county, agency, worker } = await followUpCounty();
      const response = await open(worker, referral({ source: undefined, county }));
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['input.source']);
      expect(await casesOf(agency)).toBe(0);
    });

    it('refuses a referral naming nobody to reach, and one from the future', async () => {
      const { county, agency, worker } = await followUpCounty();
      const nobody = await open(
        worker,
        referral({ county, person: { dateOfBirth: '1990-01-01' } }),
      );
      expect(badFields(nobody)).toEqual(['input.person']);
      const future = await open(
        worker,
        referral({ county, referredAt: new Date(Date.now() + 86_400_000).toISOString() }),
      );
      expect(badFields(future)).toEqual(['input.referredAt']);
      expect(await casesOf(agency)).toBe(0);
    });

    it.each([
      Role.POLICE_OFFICER,
      Role.EMS_PROVIDER,
      Role.LEAD_CASE_MANAGER,
      Role.TREATMENT_PROVIDER,
      Role.AGENCY_ADMIN,
      Role.ANALYST,
      Role.RESEARCHER,
      Role.HUB_ADMIN,
    ])('refuses openReferral to %s (FORBIDDEN)', async (role) => {
      const county = uniqueCounty();
      const actor = await makeUser(hub, role);
      const response = await open(actor, referral({ county }));
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      expect(await casesOf(actor.agency)).toBe(0);
    });

    it('refuses an outreach worker whose agency no longer runs follow-up', async () => {
      const { county, agency, worker } = await followUpCounty(AgencyKind.EMS);
      const em = hub.em();
      await em.nativeUpdate(Agency, { id: agency.id }, { runsFollowUp: false });
      const response = await open(worker, referral({ county }));
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      expect(await casesOf(agency)).toBe(0);
    });

    it('keeps the referral’s values with its agency: another team following a later overdose never sees them', async () => {
      const first = await followUpCounty(AgencyKind.EMS);
      const input = referral({ county: first.county });
      const opened = await open(first.worker, input);
      expect(opened.errors).toBeUndefined();
      const other = await followUpCounty();
      const otherOutsider = await open(other.worker, referral({ county: other.county }));
      expect(otherOutsider.errors).toBeUndefined();

      // The same person overdoses in the other team's county; EMS reports name and birth date only.
      const ems = await makeUser(hub, Role.EMS_PROVIDER);
      await makeAgreement(hub, ems.agency, other.agency, { counties: [other.county] });
      const person = input.person as Record<string, string>;
      const reported = await report(
        ems,
        reportInput(other.county, {
          survivor: {
            firstName: person.firstName,
            lastName: person.lastName,
            dateOfBirth: person.dateOfBirth,
          },
        }),
      );
      expect(reported.errors).toBeUndefined();
      const kase = await caseOfIncident(hub, reported.data!.reportIncident!.incident.id);
      expect(kase.routedAgency?.id).toBe(other.agency.id);
      expect(kase.priorCases.getItems().map((c) => c.id)).toEqual([opened.data!.openReferral!.id]);
      const read = await readCase(kase.id, other.worker);
      expect(read.data!.case!.person).toMatchObject({ firstName: person.firstName, phone: null });

      // And the referral case itself is invisible to the other team.
      const foreign = await readCase(opened.data!.openReferral!.id, other.worker);
      expect(errorCodes(foreign)).toEqual(['NOT_FOUND']);
    });

    it('shows a clinic the referral’s person only under a treatment-provider consent naming it', async () => {
      const { county, worker } = await followUpCounty(AgencyKind.EMS);
      const clinic = await makeAgency(hub, AgencyKind.TREATMENT);
      const staff = await makeUser(hub, Role.TREATMENT_PROVIDER, { agency: clinic });
      const input = referral({ county });
      const opened = await open(worker, input);
      const caseId = opened.data!.openReferral!.id;
      const versionNow = async () => (await readCase(caseId, worker)).data!.case!.version;
      const step = async (mutation: string, variables: Record<string, unknown> = {}) => {
        const answer = await hub.gql(
          mutation,
          { caseId, version: await versionNow(), ...variables },
          worker.token,
        );
        expect(answer.errors).toBeUndefined();
        return answer;
      };
      const consent = (scope: string, grantedToAgencyId?: string) => ({
        input: {
          scope,
          grantedToAgencyId,
          purpose: 'Follow-up and MOUD intake',
          method: 'VERBAL',
          grantedAt: new Date(Date.now() - MINUTE).toISOString(),
        },
      });
      await step(ACCEPT);
      await step(LOG, {
        input: {
          method: 'PHONE',
          attemptedAt: new Date().toISOString(),
          outcome: 'CONTACT_SURVIVOR_ENGAGED',
        },
      });
      await step(RECORD_CONSENT, consent('CONTACT_FOR_FOLLOW_UP'));
      await step(`mutation($caseId: ID!, $version: Int!) {
        markCaseEngaged(caseId: $caseId, version: $version) { id } }`);
      await step(
        `mutation($caseId: ID!, $version: Int!, $input: ServiceReferralInput!) {
          createServiceReferral(caseId: $caseId, version: $version, input: $input) { id } }`,
        { input: { type: 'TREATMENT_MOUD', toAgencyId: clinic.id } },
      );
      const incoming = async () =>
        (
          await hub.gql<{
            incomingServiceReferrals: { edges: Array<{ node: { person: unknown } }> };
          }>(
            `{ incomingServiceReferrals { edges { node { person { firstName phone } } } } }`,
            {},
            staff.token,
          )
        ).data!.incomingServiceReferrals.edges.map((e) => e.node.person);
      expect(await incoming()).toEqual([null]);
      await step(RECORD_CONSENT, consent('SHARE_WITH_TREATMENT_PROVIDER', clinic.id));
      const person = input.person as Record<string, string>;
      expect(await incoming()).toEqual([{ firstName: person.firstName, phone: '828-555-0171' }]);
    });

    it('counts a referral apart from overdoses', async () => {
      const { county, agency, worker } = await followUpCounty(AgencyKind.EMS);
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency });
      expect((await open(worker, referral({ county }))).errors).toBeUndefined();
      const stats = await hub.gql<{
        overdoseStats: { total: { incidents: { value: number | null } } };
      }>(
        `query($f: StatsFilter) { overdoseStats(groupBy: [COUNTY], filter: $f) {
          total { incidents { value } } } }`,
        { f: { counties: [county] } },
        admin.token,
      );
      expect(stats.errors).toBeUndefined();
      expect(stats.data!.overdoseStats.total.incidents.value).toBe(0);
      const cases = await hub.gql<{ cases: { totalCount: number } }>(
        `{ cases { totalCount } }`,
        {},
        admin.token,
      );
      expect(cases.data!.cases.totalCount).toBe(1);
    });
  });
});
