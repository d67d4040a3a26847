import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseStatus, ReferralStatus, ReferralType } from '../src/modules/case/case-codes';
import { CaseEvent } from '../src/modules/case/case-event.entity';
import { Case } from '../src/modules/case/case.entity';
import { Referral } from '../src/modules/case/referral.entity';
import { OverdoseIncident } from '../src/modules/incident/incident.entity';
import { OutreachAttempt } from '../src/modules/outreach/outreach-attempt.entity';
import {
  AttemptOutcome,
  ConsentScope,
  ContactMethod,
} from '../src/modules/outreach/outreach-codes';
import { Person } from '../src/modules/person/person.entity';
import {
  makeAgency,
  makeAgreement,
  makeTriageCase,
  makeUser,
  uniqueCounty,
  type Actor,
} from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import {
  countStatements,
  footprint,
  makeAttempt,
  makeConsent,
  makeOnwardReferral,
  makeWorkedCase,
} from './support/outreach-factory';
import { REPORT_MUTATION, reportInput } from './support/reports';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CASE_OUT = `id status closeReason holdReason resumeOn version
  timeline { at fromStatus toStatus reason actor }`;
const doc = (name: string, params: string, args: string) =>
  `mutation ($caseId: ID!, $version: Int!${params}) {
    ${name}(caseId: $caseId, version: $version${args}) { ${CASE_OUT} }
  }`;
const MUTATIONS = {
  putCaseOnHold: doc(
    'putCaseOnHold',
    ', $reason: HoldReason!, $resumeOn: DateTimeISO',
    ', reason: $reason, resumeOn: $resumeOn',
  ),
  resumeCase: doc('resumeCase', '', ''),
  markCaseEngaged: doc('markCaseEngaged', '', ''),
  markCaseLinked: doc('markCaseLinked', '', ''),
  startCaseFollowUp: doc('startCaseFollowUp', '', ''),
  closeCase: doc('closeCase', ', $reason: CloseReason!', ', reason: $reason'),
  clearDoNotContact: doc('clearDoNotContact', '', ''),
  recordDoNotContact: doc(
    'recordDoNotContact',
    ', $reviewOn: DateTimeISO',
    ', reviewOn: $reviewOn',
  ),
  markCaseEnteredInError: doc('markCaseEnteredInError', ', $reason: String!', ', reason: $reason'),
};
type MutationName = keyof typeof MUTATIONS;

interface CaseView {
  id: string;
  status: string;
  closeReason: string | null;
  holdReason: string | null;
  resumeOn: string | null;
  version: number;
  timeline: Array<{
    at: string;
    fromStatus: string | null;
    toStatus: string;
    reason: string | null;
    actor: string;
  }>;
}

const fieldsOf = (response: GraphQLResponse<unknown>) =>
  (response.errors?.[0]?.extensions?.fields as Array<{ field: string }> | undefined)?.map(
    (f) => f.field,
  );
const messageOf = (response: GraphQLResponse<unknown>) => response.errors?.[0]?.message ?? '';
const forbiddenPaths = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? [])
    .filter((e) => e.extensions?.code === 'FORBIDDEN')
    .map((e) => (e.path ?? []).join('.'))
    .sort();
const steps = (kase: CaseView) =>
  kase.timeline.map((e) => [e.fromStatus, e.toStatus, e.reason, e.actor]);

describe('case lifecycle', () => {
  let hub: TestHub;
  let hubAdmin: Actor;
  beforeAll(async () => {
    hub = await startTestHub();
    hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
  });
  afterAll(() => hub.stop());

  async function call(
    name: MutationName,
    actor: Actor,
    caseId: string,
    version: number,
    extra: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<Record<string, CaseView | null>> & { kase: CaseView | null }> {
    const response = await hub.gql<Record<string, CaseView | null>>(
      MUTATIONS[name],
      { caseId, version, ...extra },
      actor.token,
    );
    return { ...response, kase: response.data?.[name] ?? null };
  }

  /** An OUTREACH case where the survivor was reached and consented: ready to be ENGAGED. */
  async function readyToEngage() {
    const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
    await makeAttempt(hub, routed.kase, routed.worker, {
      outcome: AttemptOutcome.CONTACT_SURVIVOR_ENGAGED,
    });
    await makeConsent(hub, routed.kase, routed.outreach, routed.worker);
    return routed;
  }

  describe('hold and resume', () => {
    it('puts an OUTREACH case on hold with a reason and resume date, on the timeline', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      const resumeOn = new Date(Date.now() + 7 * DAY).toISOString();
      const response = await call('putCaseOnHold', routed.worker, routed.kase.id, 1, {
        reason: 'ASKED_FOR_LATER_CONTACT',
        resumeOn,
      });
      expect(response.errors).toBeUndefined();
      expect(response.kase).toMatchObject({
        status: 'ON_HOLD',
        holdReason: 'ASKED_FOR_LATER_CONTACT',
        resumeOn,
        version: 2,
      });
      expect(steps(response.kase!)).toEqual([
        ['OUTREACH', 'ON_HOLD', 'ASKED_FOR_LATER_CONTACT', 'USER'],
      ]);
    });

    it('holds without a resume date', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      const response = await call('putCaseOnHold', routed.worker, routed.kase.id, 1, {
        reason: 'HOSPITALIZED',
      });
      expect(response.kase).toMatchObject({ status: 'ON_HOLD', resumeOn: null });
    });

    it.each([
      [-HOUR, 'is in the past'],
      [400 * DAY, 'is more than a year ahead'],
    ])('refuses resumeOn %d ms from now, naming resumeOn; writes nothing', async (offset, text) => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      const before = await footprint(hub, routed.kase.id);
      const response = await call('putCaseOnHold', routed.worker, routed.kase.id, 1, {
        reason: 'INCARCERATED',
        resumeOn: new Date(Date.now() + offset).toISOString(),
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(['resumeOn']);
      expect(messageOf(response)).toContain(text);
      expect(await footprint(hub, routed.kase.id)).toEqual(before);
    });

    it('refuses a hold from ASSIGNED, naming the state and the allowed ones', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.ASSIGNED);
      const response = await call('putCaseOnHold', routed.worker, routed.kase.id, 1, {
        reason: 'OTHER',
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(messageOf(response)).toContain(
        'the case is ASSIGNED and cannot become ON_HOLD; allowed next: OUTREACH, CLOSED, ENTERED_IN_ERROR',
      );
    });

    it('resumes an ON_HOLD case, clearing the hold', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      const held = await call('putCaseOnHold', routed.worker, routed.kase.id, 1, {
        reason: 'HOSPITALIZED',
        resumeOn: new Date(Date.now() + DAY).toISOString(),
      });
      const response = await call('resumeCase', routed.worker, routed.kase.id, held.kase!.version);
      expect(response.errors).toBeUndefined();
      expect(response.kase).toMatchObject({
        status: 'OUTREACH',
        holdReason: null,
        resumeOn: null,
        version: 3,
      });
      expect(steps(response.kase!).at(-1)).toEqual(['ON_HOLD', 'OUTREACH', 'RESUMED', 'USER']);
    });

    it('refuses to resume a case that is not on hold', async () => {
      const outreach = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      const fromOutreach = await call('resumeCase', outreach.worker, outreach.kase.id, 1);
      expect(messageOf(fromOutreach)).toContain(
        'the case is OUTREACH and cannot become OUTREACH; allowed next: ON_HOLD, ENGAGED, CLOSED, ENTERED_IN_ERROR',
      );
      const assigned = await makeWorkedCase(hub, CaseStatus.ASSIGNED);
      const fromAssigned = await call('resumeCase', assigned.worker, assigned.kase.id, 1);
      expect(errorCodes(fromAssigned)).toEqual(['BAD_USER_INPUT']);
      expect(messageOf(fromAssigned)).toContain(
        'the case is ASSIGNED; only an ON_HOLD case can be resumed',
      );
      expect(await footprint(hub, assigned.kase.id)).toMatchObject({ version: 1, events: 0 });
    });
  });

  describe('engaged', () => {
    it('marks a case ENGAGED with a contact outcome and consent to follow-up', async () => {
      const routed = await readyToEngage();
      const response = await call('markCaseEngaged', routed.worker, routed.kase.id, 1);
      expect(response.errors).toBeUndefined();
      expect(response.kase).toMatchObject({ status: 'ENGAGED', version: 2 });
      expect(steps(response.kase!)).toEqual([
        ['OUTREACH', 'ENGAGED', 'CONTACT_AND_CONSENT', 'USER'],
      ]);
    });

    it('counts contact through the social network with consent as contact', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      await makeAttempt(hub, routed.kase, routed.worker, {
        outcome: AttemptOutcome.CONTACT_SOCIAL_NETWORK_CONSENTED,
      });
      await makeConsent(hub, routed.kase, routed.outreach, routed.worker);
      const response = await call('markCaseEngaged', routed.worker, routed.kase.id, 1);
      expect(response.kase?.status).toBe('ENGAGED');
    });

    it('names both missing pieces when there is neither contact nor consent', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      await makeAttempt(hub, routed.kase, routed.worker, { outcome: AttemptOutcome.NO_ANSWER });
      const before = await footprint(hub, routed.kase.id);
      const response = await call('markCaseEngaged', routed.worker, routed.kase.id, 1);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(messageOf(response)).toContain('no outreach attempt with a contact outcome');
      expect(messageOf(response)).toContain('no consent CONTACT_FOR_FOLLOW_UP');
      expect(await footprint(hub, routed.kase.id)).toEqual(before);
    });

    it('refuses with contact but no consent in force, naming only the consent', async () => {
      const elsewhere = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const variants: Array<[Parameters<typeof makeConsent>[4], boolean]> = [
        [{ expiresAt: new Date(Date.now() - HOUR) }, false],
        [{ revokedAt: new Date(Date.now() - HOUR) }, false],
        [{ grantedAt: new Date(Date.now() + DAY) }, false],
        [{ scope: ConsentScope.SHARE_WITH_LEAD }, false],
        [{}, true],
      ];
      for (const [variant, toAnotherAgency] of variants) {
        const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
        await makeAttempt(hub, routed.kase, routed.worker, {
          outcome: AttemptOutcome.CONTACT_SURVIVOR_ENGAGED,
        });
        const grantedTo = toAnotherAgency ? elsewhere : routed.outreach;
        await makeConsent(hub, routed.kase, grantedTo, routed.worker, variant);
        const response = await call('markCaseEngaged', routed.worker, routed.kase.id, 1);
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(messageOf(response)).not.toContain('contact outcome');
        expect(messageOf(response)).toContain('no consent CONTACT_FOR_FOLLOW_UP');
        expect((await footprint(hub, routed.kase.id)).status).toBe('OUTREACH');
      }
    });

    it('refuses with consent but no contact, naming only the contact', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      await makeAttempt(hub, routed.kase, routed.worker, {
        outcome: AttemptOutcome.THIRD_PARTY_ANSWERED,
      });
      await makeConsent(hub, routed.kase, routed.outreach, routed.worker);
      const response = await call('markCaseEngaged', routed.worker, routed.kase.id, 1);
      expect(messageOf(response)).toContain('no outreach attempt with a contact outcome');
      expect(messageOf(response)).not.toContain('consent');
    });

    it('refuses ENGAGED from ON_HOLD, naming the states', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.ON_HOLD);
      const response = await call('markCaseEngaged', routed.worker, routed.kase.id, 1);
      expect(messageOf(response)).toContain(
        'the case is ON_HOLD and cannot become ENGAGED; allowed next: OUTREACH, CLOSED, ENTERED_IN_ERROR',
      );
    });
  });

  describe('linked and follow-up', () => {
    it('links an ENGAGED case with a live onward referral, then starts follow-up', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.ENGAGED);
      await makeOnwardReferral(hub, routed.kase, ReferralType.TREATMENT_MOUD);
      const linked = await call('markCaseLinked', routed.worker, routed.kase.id, 1);
      expect(linked.errors).toBeUndefined();
      expect(linked.kase).toMatchObject({ status: 'LINKED', version: 2 });
      const followUp = await call('startCaseFollowUp', routed.worker, routed.kase.id, 2);
      expect(followUp.kase).toMatchObject({ status: 'FOLLOW_UP', version: 3 });
      expect(steps(followUp.kase!)).toEqual([
        ['ENGAGED', 'LINKED', 'REFERRED_ONWARD', 'USER'],
        ['LINKED', 'FOLLOW_UP', 'FOLLOW_UP_AGREED', 'USER'],
      ]);
    });

    it('counts a LEAD referral as linkage', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.ENGAGED);
      await makeOnwardReferral(hub, routed.kase, ReferralType.LEAD, ReferralStatus.ACCEPTED);
      const response = await call('markCaseLinked', routed.worker, routed.kase.id, 1);
      expect(response.kase?.status).toBe('LINKED');
    });

    it('refuses LINKED with only the routing referral or dead onward ones; writes nothing', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.ENGAGED);
      await makeOnwardReferral(hub, routed.kase, ReferralType.DETOX, ReferralStatus.REJECTED);
      await makeOnwardReferral(hub, routed.kase, ReferralType.HOUSING, ReferralStatus.CANCELLED);
      const before = await footprint(hub, routed.kase.id);
      const response = await call('markCaseLinked', routed.worker, routed.kase.id, 1);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(['caseId']);
      expect(messageOf(response)).toContain('no onward referral');
      expect(await footprint(hub, routed.kase.id)).toEqual(before);
    });

    it('refuses LINKED from OUTREACH and FOLLOW_UP from ENGAGED, naming the states', async () => {
      const outreach = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      await makeOnwardReferral(hub, outreach.kase);
      expect(
        messageOf(await call('markCaseLinked', outreach.worker, outreach.kase.id, 1)),
      ).toContain(
        'the case is OUTREACH and cannot become LINKED; allowed next: ON_HOLD, ENGAGED, CLOSED, ENTERED_IN_ERROR',
      );
      const engaged = await makeWorkedCase(hub, CaseStatus.ENGAGED);
      expect(
        messageOf(await call('startCaseFollowUp', engaged.worker, engaged.kase.id, 1)),
      ).toContain(
        'the case is ENGAGED and cannot become FOLLOW_UP; allowed next: LINKED, CLOSED, ENTERED_IN_ERROR',
      );
    });
  });

  describe('close', () => {
    it.each([
      [CaseStatus.OUTREACH, 'UNABLE_TO_CONTACT'],
      [CaseStatus.ON_HOLD, 'UNABLE_TO_CONTACT'],
      [CaseStatus.ENGAGED, 'HARM_REDUCTION_ONLY'],
      [CaseStatus.LINKED, 'LINKED_TO_CARE'],
      [CaseStatus.FOLLOW_UP, 'COULD_NOT_GET_HELP'],
      [CaseStatus.LINKED, 'DECEASED'],
      [CaseStatus.ASSIGNED, 'DUPLICATE'],
    ])('lets the worker close a %s case as %s', async (status, reason) => {
      const routed = await makeWorkedCase(hub, status);
      const response = await call('closeCase', routed.worker, routed.kase.id, 1, { reason });
      expect(response.errors).toBeUndefined();
      expect(response.kase).toMatchObject({
        status: 'CLOSED',
        closeReason: reason,
        holdReason: null,
        version: 2,
      });
      expect(steps(response.kase!)).toEqual([[status, 'CLOSED', reason, 'USER']]);
    });

    it.each([
      [CaseStatus.ENGAGED, 'UNABLE_TO_CONTACT', 'ASSIGNED, OUTREACH, ON_HOLD'],
      [CaseStatus.OUTREACH, 'HARM_REDUCTION_ONLY', 'ENGAGED'],
      [CaseStatus.ENGAGED, 'LINKED_TO_CARE', 'LINKED, FOLLOW_UP'],
      [CaseStatus.ASSIGNED, 'DECLINED_SERVICES', 'OUTREACH, ENGAGED'],
      [CaseStatus.OUTREACH, 'NOT_ELIGIBLE', 'TRIAGE, REFERRED, ASSIGNED'],
    ])(
      'refuses closing a %s case as %s, naming reason and states',
      async (status, reason, from) => {
        const routed = await makeWorkedCase(hub, status);
        const before = await footprint(hub, routed.kase.id);
        const response = await call('closeCase', routed.worker, routed.kase.id, 1, { reason });
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(fieldsOf(response)).toEqual(['reason']);
        expect(messageOf(response)).toContain(
          `the case is ${status}; a case is closed ${reason} only from ${from}`,
        );
        expect(await footprint(hub, routed.kase.id)).toEqual(before);
      },
    );

    it('refuses closing a closed case, naming the state and what is left', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.CLOSED);
      const response = await call('closeCase', routed.worker, routed.kase.id, 1, {
        reason: 'DECEASED',
      });
      expect(messageOf(response)).toContain(
        'the case is CLOSED and cannot become CLOSED; allowed next: ENTERED_IN_ERROR',
      );
    });

    it('refuses CONSENT_REVOKED: it follows from revoking the consent', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.ENGAGED);
      const response = await call('closeCase', routed.worker, routed.kase.id, 1, {
        reason: 'CONSENT_REVOKED',
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(['reason']);
    });

    it('withdraws the pending routing request when a referred case is closed', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.REFERRED);
      const response = await call('closeCase', routed.worker, routed.kase.id, 1, {
        reason: 'NOT_ELIGIBLE',
      });
      expect(response.kase).toMatchObject({ status: 'CLOSED', closeReason: 'NOT_ELIGIBLE' });
      const referral = await hub.em().findOneOrFail(Referral, routed.referral.id);
      expect(referral.status).toBe('CANCELLED');
      expect(referral.respondedById).toBe(routed.worker.user.id);
    });

    it('lets the agency admin close for administrative reasons only', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      const declined = await call('closeCase', admin, routed.kase.id, 1, {
        reason: 'DECLINED_SERVICES',
      });
      expect(errorCodes(declined)).toEqual(['FORBIDDEN']);
      expect(await footprint(hub, routed.kase.id)).toMatchObject({ status: 'OUTREACH' });
      const response = await call('closeCase', admin, routed.kase.id, 1, {
        reason: 'UNABLE_TO_CONTACT',
      });
      expect(response.kase).toMatchObject({ status: 'CLOSED', closeReason: 'UNABLE_TO_CONTACT' });
    });

    it('lets the hub admin close a case in triage as a duplicate, and nothing else', async () => {
      const { kase } = await makeTriageCase(hub);
      const refused = await call('closeCase', hubAdmin, kase.id, 1, {
        reason: 'UNABLE_TO_CONTACT',
      });
      expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
      const response = await call('closeCase', hubAdmin, kase.id, 1, { reason: 'DUPLICATE' });
      // The operator sees the moves, not the reasons a case waits or moved (hold codes are personal).
      expect(new Set(forbiddenPaths(response).map((p) => p.replace(/\.\d+\./, '.N.')))).toEqual(
        new Set(['closeCase.holdReason', 'closeCase.timeline.N.reason']),
      );
      expect(response.kase).toMatchObject({ status: 'CLOSED', closeReason: 'DUPLICATE' });
      expect(steps(response.kase!)).toEqual([['TRIAGE', 'CLOSED', null, 'USER']]);
    });
  });

  describe('declined and do-not-contact', () => {
    /** An EMS agency and a harm-reduction agency serving one county, with an agreement. */
    async function county() {
      const fips = uniqueCounty();
      const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [fips] });
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: [fips],
      });
      await makeAgreement(hub, ems, outreach, { counties: [fips] });
      return {
        fips,
        paramedic: await makeUser(hub, Role.EMS_PROVIDER, { agency: ems }),
        worker: await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach }),
      };
    }

    async function report(paramedic: Actor, input: Record<string, unknown>): Promise<Case> {
      const response = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
        REPORT_MUTATION,
        { input },
        paramedic.token,
      );
      expect(response.errors).toBeUndefined();
      const incidentId = response.data!.reportIncident.incident.id;
      return hub.em().findOneOrFail(Case, { indexIncident: incidentId });
    }

    /** Accepts the case and logs one attempt at which the person was reached; the new version. */
    async function reached(kase: Case, worker: Actor, outcome: string): Promise<number> {
      const accept = await hub.gql<{ acceptCase: { version: number } }>(
        'mutation ($caseId: ID!, $version: Int!) { acceptCase(caseId: $caseId, version: $version) { version } }',
        { caseId: kase.id, version: kase.version },
        worker.token,
      );
      const attempt = await hub.gql<{ logOutreachAttempt: { version: number } }>(
        `mutation ($caseId: ID!, $version: Int!, $input: OutreachAttemptInput!) {
          logOutreachAttempt(caseId: $caseId, version: $version, input: $input) { version }
        }`,
        {
          caseId: kase.id,
          version: accept.data!.acceptCase.version,
          input: {
            method: 'VISIT',
            attemptedAt: new Date().toISOString(),
            outcome,
            officerPresence: 'NONE',
            naloxoneKitsForPerson: 1,
          },
        },
        worker.token,
      );
      expect(attempt.errors).toBeUndefined();
      return attempt.data!.logOutreachAttempt.version;
    }

    const DECLINED_ON = `query ($id: ID!) { case(id: $id) { id status declinedServicesOn } }`;

    it('DECLINED_SERVICES sets no contact block: the next overdose is routed and shows when the person declined', async () => {
      const { fips, paramedic, worker } = await county();
      // Overdoses hours apart: hours closer they would be reports of one.
      const first = reportInput(fips, {
        occurredAt: new Date(Date.now() - 20 * HOUR).toISOString(),
      });
      const kase = await report(paramedic, first);
      const version = await reached(kase, worker, 'CONTACT_SURVIVOR_DECLINED');
      const closed = await call('closeCase', worker, kase.id, version, {
        reason: 'DECLINED_SERVICES',
      });
      expect(closed.kase).toMatchObject({ status: 'CLOSED', closeReason: 'DECLINED_SERVICES' });
      const person = await hub.em().findOneOrFail(Person, kase.person!.id);
      expect([person.doNotContact, person.doNotContactSince ?? null]).toEqual([false, null]);

      const again = await report(paramedic, reportInput(fips, { survivor: first.survivor }));
      expect([again.person?.id, again.status]).toEqual([person.id, 'REFERRED']);
      const seen = await hub.gql<{ case: { declinedServicesOn: string | null } }>(
        DECLINED_ON,
        { id: again.id },
        worker.token,
      );
      expect(seen.errors).toBeUndefined();
      const closedAt = (await hub.em().findOneOrFail(Case, kase.id)).closedAt!;
      expect(seen.data!.case.declinedServicesOn).toBe(closedAt.toISOString());
      // The agency admin runs the queue, not the visit: the person's history is not theirs.
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: worker.agency });
      const denied = await hub.gql<{ case: { declinedServicesOn: string | null } }>(
        DECLINED_ON,
        { id: again.id },
        admin.token,
      );
      expect(forbiddenPaths(denied)).toEqual(['case.declinedServicesOn']);
    });

    it('recordDoNotContact: the next overdose is on file for the agency, counted, attempts refused; clearing routes it', async () => {
      const { fips, paramedic, worker } = await county();
      // Overdoses hours apart: hours closer they would be reports of one.
      const first = reportInput(fips, {
        occurredAt: new Date(Date.now() - 20 * HOUR).toISOString(),
      });
      const kase = await report(paramedic, first);
      const version = await reached(kase, worker, 'CONTACT_SURVIVOR_DECLINED');
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: worker.agency });
      expect(errorCodes(await call('recordDoNotContact', admin, kase.id, version))).toEqual([
        'FORBIDDEN',
      ]);
      const recorded = await call('recordDoNotContact', worker, kase.id, version);
      expect(recorded.errors).toBeUndefined();
      expect(steps(recorded.kase!).at(-1)).toEqual([
        'OUTREACH',
        'OUTREACH',
        'DO_NOT_CONTACT_RECORDED',
        'USER',
      ]);

      const again = await report(paramedic, reportInput(fips, { survivor: first.survivor }));
      expect([again.status, again.closeReason ?? null, again.routedAgency?.id]).toEqual([
        'DO_NOT_CONTACT_ON_FILE',
        null,
        worker.agency.id,
      ]);
      expect(await hub.em().count(Referral, { case: again.id })).toBe(0);
      const counted = await hub.gql<{ cases: { totalCount: number } }>(
        'query { cases(filter: { status: [DO_NOT_CONTACT_ON_FILE] }) { totalCount } }',
        {},
        admin.token,
      );
      expect(counted.data?.cases.totalCount).toBe(1);

      const refused = await hub.gql(
        `mutation ($caseId: ID!, $version: Int!, $input: OutreachAttemptInput!) {
          logOutreachAttempt(caseId: $caseId, version: $version, input: $input) { id }
        }`,
        {
          caseId: again.id,
          version: again.version,
          input: { method: 'PHONE', attemptedAt: new Date().toISOString(), outcome: 'NO_ANSWER' },
        },
        worker.token,
      );
      expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
      expect(messageOf(refused)).toContain('asked not to be contacted');

      const cleared = await call('clearDoNotContact', worker, again.id, again.version);
      expect(cleared.errors).toBeUndefined();
      expect(cleared.kase!.status).toBe('REFERRED');
      const reloaded = await hub.em().findOneOrFail(Person, kase.person!.id);
      expect([reloaded.doNotContact, reloaded.doNotContactSince]).toEqual([false, null]);
    });

    it('a do-not-contact with a review date lapses then: the next overdose is routed as usual', async () => {
      const { fips, paramedic, worker } = await county();
      // Overdoses hours apart: hours closer they would be reports of one.
      const first = reportInput(fips, {
        occurredAt: new Date(Date.now() - 20 * HOUR).toISOString(),
      });
      const kase = await report(paramedic, first);
      const version = await reached(kase, worker, 'CONTACT_SURVIVOR_DECLINED');
      const past = await call('recordDoNotContact', worker, kase.id, version, {
        reviewOn: new Date(Date.now() - DAY).toISOString(),
      });
      expect(fieldsOf(past)).toEqual(['reviewOn']);
      const recorded = await call('recordDoNotContact', worker, kase.id, version, {
        reviewOn: new Date(Date.now() + 30 * DAY).toISOString(),
      });
      expect(recorded.errors).toBeUndefined();
      const held = await report(
        paramedic,
        reportInput(fips, {
          survivor: first.survivor,
          occurredAt: new Date(Date.now() - 10 * HOUR).toISOString(),
        }),
      );
      expect(held.status).toBe('DO_NOT_CONTACT_ON_FILE');
      // The review date comes: the wish lapses by itself.
      const em = hub.em();
      const person = await em.findOneOrFail(Person, kase.person!.id);
      person.doNotContactReviewOn = new Date(Date.now() - HOUR);
      await em.flush();
      const later = await report(paramedic, reportInput(fips, { survivor: first.survivor }));
      expect(later.status).toBe('REFERRED');
    });

    it('refuses to clear do-not-contact when it is not set, and for an agency admin', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.CLOSED);
      const response = await call('clearDoNotContact', routed.worker, routed.kase.id, 1);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(messageOf(response)).toContain('the person is not marked do-not-contact');
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      const denied = await call('clearDoNotContact', admin, routed.kase.id, 1);
      expect(forbiddenPaths(denied)).toEqual(['clearDoNotContact']);
    });
  });

  describe('entered in error', () => {
    it('lets the agency admin void a case, keeping the reason on the timeline', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      const response = await call('markCaseEnteredInError', admin, routed.kase.id, 1, {
        reason: '  Test record created during training  ',
      });
      expect(response.errors).toBeUndefined();
      expect(response.kase).toMatchObject({ status: 'ENTERED_IN_ERROR', version: 2 });
      expect(steps(response.kase!)).toEqual([
        ['OUTREACH', 'ENTERED_IN_ERROR', 'Test record created during training', 'USER'],
      ]);
    });

    it('lets the hub admin void a closed case; a voided case cannot move again', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.CLOSED);
      const response = await call('markCaseEnteredInError', hubAdmin, routed.kase.id, 1, {
        reason: 'duplicate of a test import',
      });
      expect(response.kase?.status).toBe('ENTERED_IN_ERROR');
      const again = await call('markCaseEnteredInError', hubAdmin, routed.kase.id, 2, {
        reason: 'once more',
      });
      expect(messageOf(again)).toContain(
        'the case is ENTERED_IN_ERROR and cannot become ENTERED_IN_ERROR; allowed next: none',
      );
    });

    it.each([
      ['two characters', 'no'],
      ['one character in spaces', ' a '],
      ['501 characters', 'x'.repeat(501)],
    ])('refuses a reason of %s, naming reason', async (_label, reason) => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      const response = await call('markCaseEnteredInError', hubAdmin, routed.kase.id, 1, {
        reason,
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(['reason']);
      expect(await footprint(hub, routed.kase.id)).toMatchObject({ status: 'OUTREACH' });
    });
  });

  describe('roles, scope and versions', () => {
    /** Each mutation with a case state it can succeed from and the arguments it needs. */
    const CASES: Array<[MutationName, CaseStatus, Record<string, unknown>]> = [
      ['putCaseOnHold', CaseStatus.OUTREACH, { reason: 'OTHER' }],
      ['resumeCase', CaseStatus.ON_HOLD, {}],
      ['markCaseEngaged', CaseStatus.OUTREACH, {}],
      ['markCaseLinked', CaseStatus.ENGAGED, {}],
      ['startCaseFollowUp', CaseStatus.LINKED, {}],
      ['closeCase', CaseStatus.OUTREACH, { reason: 'UNABLE_TO_CONTACT' }],
      ['clearDoNotContact', CaseStatus.CLOSED, {}],
      ['markCaseEnteredInError', CaseStatus.OUTREACH, { reason: 'training record' }],
    ];
    const WORKER_ONLY: MutationName[] = [
      'putCaseOnHold',
      'resumeCase',
      'markCaseEngaged',
      'markCaseLinked',
      'startCaseFollowUp',
      'clearDoNotContact',
    ];
    const deniedRoles = (name: MutationName): Role[] => [
      Role.POLICE_OFFICER,
      Role.EMS_PROVIDER,
      Role.LEAD_CASE_MANAGER,
      Role.ANALYST,
      Role.RESEARCHER,
      ...(WORKER_ONLY.includes(name) ? [Role.AGENCY_ADMIN, Role.HUB_ADMIN] : []),
      ...(name === 'markCaseEnteredInError' ? [Role.OUTREACH_WORKER] : []),
    ];

    it.each(CASES)(
      'refuses %s to every role without it: FORBIDDEN, nothing written',
      async (name, status, extra) => {
        const routed = await makeWorkedCase(hub, status);
        for (const role of deniedRoles(name)) {
          const sameAgency = [Role.AGENCY_ADMIN, Role.OUTREACH_WORKER].includes(role);
          const caller = await makeUser(hub, role, sameAgency ? { agency: routed.outreach } : {});
          const response = await call(name, caller, routed.kase.id, 1, extra);
          expect([role, response.data]).toEqual([role, { [name]: null }]);
          expect(forbiddenPaths(response)).toEqual([name]);
        }
        expect(await footprint(hub, routed.kase.id)).toMatchObject({ version: 1, events: 0 });
      },
    );

    it.each(CASES)(
      "answers %s on another agency's case like a missing one",
      async (name, status, extra) => {
        const theirs = await makeWorkedCase(hub, status);
        const role = name === 'markCaseEnteredInError' ? Role.AGENCY_ADMIN : Role.OUTREACH_WORKER;
        const stranger = await makeUser(hub, role);
        const response = await call(name, stranger, theirs.kase.id, 1, extra);
        expect(response.data).toEqual({ [name]: null });
        expect(errorCodes(response)).toEqual(['NOT_FOUND']);
        expect(await footprint(hub, theirs.kase.id)).toMatchObject({ version: 1, events: 0 });
      },
    );

    it.each(CASES)('refuses %s on a stale version with CONFLICT', async (name, status, extra) => {
      const routed = await makeWorkedCase(hub, status);
      const em = hub.em();
      const kase = await em.findOneOrFail(Case, routed.kase.id);
      kase.county = kase.county === '00001' ? '00002' : '00001';
      await em.flush();
      const actor =
        name === 'markCaseEnteredInError'
          ? await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach })
          : routed.worker;
      const response = await call(name, actor, routed.kase.id, 1, extra);
      expect(errorCodes(response)).toEqual(['CONFLICT']);
      expect(await footprint(hub, routed.kase.id)).toMatchObject({ version: 2, events: 0 });
    });
  });

  describe('timeline', () => {
    it('keeps every step of a whole case in order, the hub’s own steps marked HUB', async () => {
      const fips = uniqueCounty();
      const ems = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [fips] });
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: [fips],
      });
      await makeAgreement(hub, ems, outreach, { counties: [fips] });
      const paramedic = await makeUser(hub, Role.EMS_PROVIDER, { agency: ems });
      const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
      const reported = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
        REPORT_MUTATION,
        { input: reportInput(fips) },
        paramedic.token,
      );
      const kase = await hub
        .em()
        .findOneOrFail(Case, { indexIncident: reported.data!.reportIncident.incident.id });
      let version = kase.version;
      const run = async (name: MutationName, extra: Record<string, unknown> = {}) => {
        const response = await call(name, worker, kase.id, version, extra);
        expect([name, response.errors]).toEqual([name, undefined]);
        version = response.kase!.version;
        return response.kase!;
      };
      const accepted = await hub.gql<{ acceptCase: { version: number } }>(
        'mutation ($caseId: ID!, $version: Int!) { acceptCase(caseId: $caseId, version: $version) { version } }',
        { caseId: kase.id, version },
        worker.token,
      );
      version = accepted.data!.acceptCase.version;
      const logged = await hub.gql<{ logOutreachAttempt: { version: number } }>(
        `mutation ($caseId: ID!, $version: Int!, $input: OutreachAttemptInput!) {
          logOutreachAttempt(caseId: $caseId, version: $version, input: $input) { version }
        }`,
        {
          caseId: kase.id,
          version,
          input: {
            method: 'PHONE',
            attemptedAt: new Date().toISOString(),
            outcome: 'CONTACT_SURVIVOR_ENGAGED',
          },
        },
        worker.token,
      );
      version = logged.data!.logOutreachAttempt.version;
      await run('putCaseOnHold', { reason: 'ASKED_FOR_LATER_CONTACT' });
      await run('resumeCase');
      await makeConsent(hub, kase, outreach, worker);
      await run('markCaseEngaged');
      await makeOnwardReferral(hub, kase, ReferralType.PEER_SUPPORT);
      await run('markCaseLinked');
      await run('startCaseFollowUp');
      const closed = await run('closeCase', { reason: 'LINKED_TO_CARE' });

      expect(steps(closed)).toEqual([
        [null, 'REPORTED', 'REPORT_RECEIVED', 'HUB'],
        ['REPORTED', 'TRIAGE', 'AUTOMATIC', 'HUB'],
        ['TRIAGE', 'REFERRED', expect.any(String), 'HUB'],
        ['REFERRED', 'ASSIGNED', 'ACCEPTED', 'USER'],
        ['ASSIGNED', 'OUTREACH', 'FIRST_ATTEMPT', 'USER'],
        ['OUTREACH', 'ON_HOLD', 'ASKED_FOR_LATER_CONTACT', 'USER'],
        ['ON_HOLD', 'OUTREACH', 'RESUMED', 'USER'],
        ['OUTREACH', 'ENGAGED', 'CONTACT_AND_CONSENT', 'USER'],
        ['ENGAGED', 'LINKED', 'REFERRED_ONWARD', 'USER'],
        ['LINKED', 'FOLLOW_UP', 'FOLLOW_UP_AGREED', 'USER'],
        ['FOLLOW_UP', 'CLOSED', 'LINKED_TO_CARE', 'USER'],
      ]);
      const times = closed.timeline.map((e) => new Date(e.at).getTime());
      expect([...times].sort((a, b) => a - b)).toEqual(times);

      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const TIMELINE = `query ($id: ID!) { case(id: $id) { timeline { toStatus reason actor } holdReason attemptCount } }`;
      for (const reader of [admin, hubAdmin]) {
        const view = await hub.gql<{ case: { timeline: unknown[] } }>(
          TIMELINE,
          { id: kase.id },
          reader.token,
        );
        const denied = new Set(forbiddenPaths(view).map((p) => p.replace(/\.\d+\./, '.N.')));
        expect(denied).toEqual(
          reader === admin ? new Set() : new Set(['case.holdReason', 'case.timeline.N.reason']),
        );
        expect(view.data!.case.timeline).toHaveLength(11);
      }
      for (const role of [Role.POLICE_OFFICER, Role.EMS_PROVIDER, Role.LEAD_CASE_MANAGER]) {
        const outsider = role === Role.EMS_PROVIDER ? paramedic : await makeUser(hub, role);
        const view = await hub.gql(TIMELINE, { id: kase.id }, outsider.token);
        expect(view.data).toEqual({ case: null });
        expect(forbiddenPaths(view)).toEqual(['case']);
      }
    });
  });

  describe('a page of cases', () => {
    /** `count` cases of one agency, each with a timeline entry and two attempts by two workers. */
    async function busyAgency(count: number) {
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION);
      const reporter = await makeAgency(hub, AgencyKind.EMS);
      const workers = [
        await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach }),
        await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach }),
      ];
      const em = hub.em();
      for (let i = 0; i < count; i++) {
        const occurredAt = new Date(Date.now() - (10 + i) * HOUR);
        const incident = em.create(OverdoseIncident, {
          reportingAgency: reporter.id,
          externalId: `bulk-${randomUUID()}`,
          occurredAt,
          county: outreach.serviceCounties[0],
          fatal: false,
          reportedById: randomUUID(),
        });
        const kase = em.create(Case, {
          indexIncident: incident,
          county: outreach.serviceCounties[0],
          status: CaseStatus.OUTREACH,
          routedAgency: outreach.id,
          assignedWorker: workers[0].user.id,
          followUpOpensAt: new Date(occurredAt.getTime() + DAY),
          followUpDueAt: new Date(occurredAt.getTime() + 3 * DAY),
        });
        em.create(CaseEvent, {
          case: kase,
          fromStatus: CaseStatus.ASSIGNED,
          toStatus: CaseStatus.OUTREACH,
          reason: 'FIRST_ATTEMPT',
          actorId: workers[0].user.id,
        });
        for (const worker of workers) {
          em.create(OutreachAttempt, {
            case: kase,
            worker: worker.user.id,
            method: ContactMethod.PHONE,
            attemptedAt: new Date(occurredAt.getTime() + HOUR),
            outcome: AttemptOutcome.NO_ANSWER,
          });
        }
      }
      await em.flush();
      return workers[0];
    }

    const PAGE = `query ($first: Int) {
      cases(first: $first) {
        totalCount
        edges { node {
          id attemptCount lastAttemptAt holdReason resumeOn
          timeline { at fromStatus toStatus reason actor }
          outreachAttempts { id outcome notes worker { id displayName } }
          assignedWorker { id displayName }
        } }
      }
    }`;
    type Page = {
      cases: {
        totalCount: number;
        edges: Array<{
          node: { attemptCount: number; timeline: unknown[]; outreachAttempts: unknown[] };
        }>;
      };
    };

    it('costs the same number of statements for 10 cases as for 50', async () => {
      const worker = await busyAgency(50);
      const counter = countStatements(hub);
      try {
        const measure = async (first: number) => {
          const before = counter.count();
          const response = await hub.gql<Page>(PAGE, { first }, worker.token);
          expect(response.errors).toBeUndefined();
          const nodes = response.data!.cases.edges.map((e) => e.node);
          expect(nodes).toHaveLength(first);
          for (const node of nodes) {
            expect(node.attemptCount).toBe(2);
            expect(node.timeline).toHaveLength(1);
            expect(node.outreachAttempts).toHaveLength(2);
          }
          return counter.count() - before;
        };
        const ten = await measure(10);
        const fifty = await measure(50);
        expect(fifty).toBe(ten);
        // The caller, the page, timelines, attempts, workers: a handful, whatever the page size.
        expect(ten).toBeGreaterThanOrEqual(4);
        expect(ten).toBeLessThanOrEqual(6);
      } finally {
        counter.stop();
      }
    });
  });
});
