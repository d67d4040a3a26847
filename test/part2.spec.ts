import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import type { Agency } from '../src/modules/agency/agency.entity';
import { CaseStatus } from '../src/modules/case/case-codes';
import { Consent } from '../src/modules/outreach/consent.entity';
import { PART2_NOTICE } from '../src/modules/part2/part2-notice';
import {
  makeAgency,
  makeRoutedCase,
  makeUser,
  uniqueCounty,
  type Actor,
  type RoutedCase,
} from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

/**
 * Issue 14 point 9 (42 CFR Part 2): records a Part 2 program's staff create carry the label
 * from creation; another agency receives them only under a PART2_DISCLOSURE consent naming it,
 * recorded by the program; every answer carrying one carries the §2.32 notice, and no other.
 */
const HOUR = 3_600_000;
const VERSION = `query ($id: ID!) { case(id: $id) { version } }`;
const ATTEMPT = `mutation ($caseId: ID!, $version: Int!, $input: OutreachAttemptInput!) {
  logOutreachAttempt(caseId: $caseId, version: $version, input: $input) {
    id outreachAttempts { part2Protected } } }`;
const OUTCOME = `mutation ($caseId: ID!, $version: Int!, $input: OutcomeInput!) {
  recordOutcome(caseId: $caseId, version: $version, input: $input) { id part2Protected } }`;
const REFER = `mutation ($caseId: ID!, $version: Int!, $input: ServiceReferralInput!) {
  createServiceReferral(caseId: $caseId, version: $version, input: $input) { id part2Protected } }`;
const CONSENT = `mutation ($caseId: ID!, $version: Int!, $input: RecordConsentInput!) {
  recordConsent(caseId: $caseId, version: $version, input: $input) { id scope part2Protected } }`;
const INCOMING = `{ incomingServiceReferrals { totalCount edges { node { id type part2Protected } } } }`;
const UPDATE = `mutation ($referralId: ID!, $status: ReferralStatus!) {
  updateServiceReferralStatus(referralId: $referralId, status: $status) { id status } }`;
const LABELS = `query ($id: ID!) { case(id: $id) {
  part2Protected outreachAttempts { part2Protected } outcomes { part2Protected }
  serviceReferrals { part2Protected } consents { scope part2Protected } } }`;
const SET_PART2 = `mutation ($id: ID!, $input: UpdateAgencyInput!) {
  updateAgency(id: $id, input: $input) { id part2Program } }`;

const noticeOf = (response: GraphQLResponse<unknown>): unknown => response.extensions?.part2Notice;

describe('42 CFR Part 2 records', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  interface World {
    program: Agency;
    routed: RoutedCase;
    worker: Actor;
    clinic: Agency;
    staff: Actor;
  }

  /** An engaged case of an outreach agency (a Part 2 program or not), and a treatment clinic. */
  async function world(part2Program = true): Promise<World> {
    const program = await makeAgency(hub, AgencyKind.HARM_REDUCTION, { part2Program });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: program });
    const routed = await makeRoutedCase(hub, {
      outreach: program,
      status: CaseStatus.ENGAGED,
      assignedWorker: worker.user,
    });
    const clinic = await makeAgency(hub, AgencyKind.TREATMENT);
    const staff = await makeUser(hub, Role.TREATMENT_PROVIDER, { agency: clinic });
    return { program, routed, worker, clinic, staff };
  }

  async function version(w: World): Promise<number> {
    const read = await hub.gql<{ case: { version: number } }>(
      VERSION,
      { id: w.routed.kase.id },
      w.worker.token,
    );
    return read.data!.case.version;
  }

  async function ok<T>(
    w: World,
    query: string,
    input: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>> {
    const response = await hub.gql<T>(
      query,
      { caseId: w.routed.kase.id, version: await version(w), input },
      w.worker.token,
    );
    expect(response.errors).toBeUndefined();
    return response;
  }

  /** An onward referral to the clinic; its answer carries the notice exactly when labelled. */
  async function refer(w: World): Promise<{ id: string; part2Protected: boolean }> {
    const response = await ok<{ createServiceReferral: { id: string; part2Protected: boolean } }>(
      w,
      REFER,
      { type: 'TREATMENT_MOUD', toAgencyId: w.clinic.id },
    );
    const referral = response.data!.createServiceReferral;
    expect(noticeOf(response)).toBe(referral.part2Protected ? PART2_NOTICE : undefined);
    return referral;
  }

  const consentInput = (w: World, overrides: Record<string, unknown>) => ({
    scope: 'PART2_DISCLOSURE',
    grantedToAgencyId: w.clinic.id,
    purpose: 'Treatment referral: name, contact and the referral itself',
    method: 'WRITTEN',
    grantedAt: new Date(Date.now() - HOUR).toISOString(),
    ...overrides,
  });

  /** The worker records a consent (a Part 2 one unless `overrides` says otherwise). */
  const part2ConsentAt = async (w: World, overrides: Record<string, unknown> = {}) =>
    hub.gql<{ recordConsent: { id: string; part2Protected: boolean } }>(
      CONSENT,
      { caseId: w.routed.kase.id, version: await version(w), input: consentInput(w, overrides) },
      w.worker.token,
    );

  async function recordPart2Consent(w: World): Promise<{ id: string }> {
    const recorded = await part2ConsentAt(w);
    expect(recorded.errors).toBeUndefined();
    return recorded.data!.recordConsent;
  }

  describe('the label, set when the record is created', () => {
    it("labels a Part 2 program's attempts, outcomes, referrals and consents, and not the case it was routed", async () => {
      const w = await world();
      const attempt = await ok<{
        logOutreachAttempt: { outreachAttempts: Array<{ part2Protected: boolean }> };
      }>(w, ATTEMPT, {
        method: 'PHONE',
        attemptedAt: new Date(Date.now() - HOUR).toISOString(),
        outcome: 'CONTACT_SURVIVOR_ENGAGED',
        officerPresence: 'NONE',
        notes: 'Wants the clinic on Tuesday',
      });
      expect(attempt.data!.logOutreachAttempt.outreachAttempts).toEqual([{ part2Protected: true }]);
      expect(noticeOf(attempt)).toBe(PART2_NOTICE);
      const outcome = await ok<{ recordOutcome: { part2Protected: boolean } }>(w, OUTCOME, {
        type: 'PEER_SUPPORT_ENGAGED',
        occurredAt: new Date(Date.now() - HOUR).toISOString(),
      });
      expect(outcome.data!.recordOutcome.part2Protected).toBe(true);
      expect((await refer(w)).part2Protected).toBe(true);
      const consent = await part2ConsentAt(w);
      expect(consent.data!.recordConsent.part2Protected).toBe(true);

      const read = await hub.gql(LABELS, { id: w.routed.kase.id }, w.worker.token);
      expect(read.errors).toBeUndefined();
      expect(read.data).toEqual({
        case: {
          // Opened from an EMS report routed here: the program did not create it.
          part2Protected: false,
          outreachAttempts: [{ part2Protected: true }],
          outcomes: [{ part2Protected: true }],
          serviceReferrals: [{ part2Protected: true }],
          consents: [{ scope: 'PART2_DISCLOSURE', part2Protected: true }],
        },
      });
    });

    it('labels nothing of an agency that is not a Part 2 program', async () => {
      const w = await world(false);
      expect((await refer(w)).part2Protected).toBe(false);
    });

    it('labels the case opened from a Part 2 program’s own report', async () => {
      const county = uniqueCounty();
      const ems = await makeAgency(hub, AgencyKind.EMS, {
        part2Program: true,
        serviceCounties: [county],
      });
      const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
        serviceCounties: [county],
      });
      const routed = await makeRoutedCase(hub, { reporter: ems, outreach, county });
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
      const read = await hub.gql<{ case: { part2Protected: boolean } }>(
        `query ($id: ID!) { case(id: $id) { part2Protected } }`,
        { id: routed.kase.id },
        admin.token,
      );
      expect(read.data!.case.part2Protected).toBe(true);
      expect(noticeOf(read)).toBe(PART2_NOTICE);
    });

    it('labels the case of a referral a Part 2 program took in (no report), and no other', async () => {
      for (const part2Program of [true, false]) {
        const county = uniqueCounty();
        const program = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
          part2Program,
          serviceCounties: [county],
        });
        const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: program });
        const opened = await hub.gql<{ openReferral: { part2Protected: boolean } }>(
          `mutation ($input: OpenReferralInput!) { openReferral(input: $input) { part2Protected } }`,
          { input: { source: 'ED', county, person: { firstName: 'Ana', phone: '+19195550123' } } },
          worker.token,
        );
        expect(opened.errors).toBeUndefined();
        expect(opened.data!.openReferral.part2Protected).toBe(part2Program);
        expect(noticeOf(opened)).toBe(part2Program ? PART2_NOTICE : undefined);
      }
    });

    it('keeps the label when the agency stops being a Part 2 program, and labels nothing new', async () => {
      const w = await world();
      const before = await refer(w);
      const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
      const changed = await hub.gql(
        SET_PART2,
        { id: w.program.id, input: { part2Program: false } },
        hubAdmin.token,
      );
      expect(changed.errors).toBeUndefined();
      const after = await refer(w);
      expect(after.part2Protected).toBe(false);
      const read = await hub.gql<{
        case: { serviceReferrals: Array<{ part2Protected: boolean }> };
      }>(
        `query ($id: ID!) { case(id: $id) { serviceReferrals { id part2Protected } } }`,
        { id: w.routed.kase.id },
        w.worker.token,
      );
      expect(read.data!.case.serviceReferrals).toEqual([
        { id: before.id, part2Protected: true },
        { id: after.id, part2Protected: false },
      ]);
    });
  });

  describe('release to another agency', () => {
    it('hides a Part 2 referral from the receiving clinic without a consent naming it', async () => {
      const w = await world();
      const referral = await refer(w);
      const incoming = await hub.gql(INCOMING, {}, w.staff.token);
      expect(incoming.data).toEqual({ incomingServiceReferrals: { totalCount: 0, edges: [] } });
      expect(noticeOf(incoming)).toBeUndefined();
      const update = await hub.gql(
        UPDATE,
        { referralId: referral.id, status: 'ACCEPTED' },
        w.staff.token,
      );
      expect(errorCodes(update)).toEqual(['NOT_FOUND']);
    });

    it.each([
      ['names another agency', 'other'],
      ['was revoked', 'revoked'],
      ['is a treatment-provider consent, not a Part 2 one', 'share'],
    ])('keeps it hidden when the consent %s', async (_label, kind) => {
      const w = await world();
      const referral = await refer(w);
      const other = await makeAgency(hub, AgencyKind.TREATMENT);
      const consent = await part2ConsentAt(
        w,
        kind === 'other'
          ? { grantedToAgencyId: other.id }
          : kind === 'share'
            ? { scope: 'SHARE_WITH_TREATMENT_PROVIDER' }
            : {},
      );
      expect(consent.errors).toBeUndefined();
      if (kind === 'revoked') {
        const revoked = await hub.gql(
          `mutation ($id: ID!) { revokeConsent(consentId: $id, reason: "changed my mind") { id } }`,
          { id: consent.data!.recordConsent.id },
          w.worker.token,
        );
        expect(revoked.errors).toBeUndefined();
      }
      const incoming = await hub.gql(INCOMING, {}, w.staff.token);
      expect(incoming.data).toEqual({ incomingServiceReferrals: { totalCount: 0, edges: [] } });
      const update = await hub.gql(
        UPDATE,
        { referralId: referral.id, status: 'ACCEPTED' },
        w.staff.token,
      );
      expect(errorCodes(update)).toEqual(['NOT_FOUND']);
    });

    it('releases it under the program’s Part 2 consent naming the clinic, with the notice', async () => {
      const w = await world();
      const referral = await refer(w);
      await recordPart2Consent(w);
      const incoming = await hub.gql(INCOMING, {}, w.staff.token);
      expect(incoming.errors).toBeUndefined();
      expect(incoming.data).toEqual({
        incomingServiceReferrals: {
          totalCount: 1,
          edges: [{ node: { id: referral.id, type: 'TREATMENT_MOUD', part2Protected: true } }],
        },
      });
      expect(noticeOf(incoming)).toBe(PART2_NOTICE);
      const update = await hub.gql(
        UPDATE,
        { referralId: referral.id, status: 'ACCEPTED' },
        w.staff.token,
      );
      expect(update.errors).toBeUndefined();
      expect(noticeOf(update)).toBe(PART2_NOTICE);
    });

    it('shows an unlabelled referral as before, without a notice', async () => {
      const w = await world(false);
      const referral = await refer(w);
      const incoming = await hub.gql(INCOMING, {}, w.staff.token);
      expect(incoming.data).toEqual({
        incomingServiceReferrals: {
          totalCount: 1,
          edges: [{ node: { id: referral.id, type: 'TREATMENT_MOUD', part2Protected: false } }],
        },
      });
      expect(noticeOf(incoming)).toBeUndefined();
    });
  });

  describe('the Part 2 consent', () => {
    it.each([
      ['a verbal consent', { method: 'VERBAL' }, 'input.method'],
      ['no recipient', { grantedToAgencyId: undefined }, 'input.grantedToAgencyId'],
      ['the program itself as recipient', 'self', 'input.grantedToAgencyId'],
      ['a police department as recipient', 'police', 'input.grantedToAgencyId'],
    ])('refuses %s (BAD_USER_INPUT, nothing written)', async (_label, overrides, field) => {
      const w = await world();
      const given =
        overrides === 'self'
          ? { grantedToAgencyId: w.program.id }
          : overrides === 'police'
            ? { grantedToAgencyId: (await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT)).id }
            : (overrides as Record<string, unknown>);
      const response = await part2ConsentAt(w, given);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      const fields = (response.errors![0].extensions!.fields as Array<{ field: string }>).map(
        (f) => f.field,
      );
      expect(fields).toContain(field);
      expect(await hub.em().count(Consent, { case: w.routed.kase.id })).toBe(0);
    });
  });

  describe('the redisclosure notice', () => {
    it('is absent from an answer that carries no Part 2 record, even about a case that has some', async () => {
      const w = await world();
      await refer(w);
      const read = await hub.gql(
        `query ($id: ID!) { case(id: $id) { id status } }`,
        { id: w.routed.kase.id },
        w.worker.token,
      );
      expect(read.errors).toBeUndefined();
      expect(noticeOf(read)).toBeUndefined();
      const withRecords = await hub.gql(
        `query ($id: ID!) { case(id: $id) { id serviceReferrals { id } } }`,
        { id: w.routed.kase.id },
        w.worker.token,
      );
      expect(noticeOf(withRecords)).toBe(PART2_NOTICE);
    });

    it('goes with an attempt read from a case list row (lastAttempt) and a timeline', async () => {
      const w = await world();
      await ok(w, ATTEMPT, {
        method: 'PHONE',
        attemptedAt: new Date(Date.now() - HOUR).toISOString(),
        outcome: 'NO_ANSWER',
        officerPresence: 'NONE',
      });
      const list = await hub.gql(
        `{ cases(filter: { assignedToMe: true }) { edges { node { id lastAttempt { outcome } } } } }`,
        {},
        w.worker.token,
      );
      expect(list.errors).toBeUndefined();
      expect(noticeOf(list)).toBe(PART2_NOTICE);
      const timeline = (withAttempts: boolean) =>
        hub.gql(
          `query ($id: ID!, $with: Boolean) { case(id: $id) { timeline(withAttempts: $with) { kind } } }`,
          { id: w.routed.kase.id, with: withAttempts },
          w.worker.token,
        );
      // That an attempt happened, and when, is the program's record as well.
      const withAttempts = await timeline(true);
      expect(withAttempts.errors).toBeUndefined();
      expect(noticeOf(withAttempts)).toBe(PART2_NOTICE);
      // Status changes alone are the case's (opened from an EMS report): no notice.
      const statusOnly = await timeline(false);
      expect(statusOnly.errors).toBeUndefined();
      expect(noticeOf(statusOnly)).toBeUndefined();
    });

    it('is absent when a count is all that is asked', async () => {
      const w = await world();
      await refer(w);
      await recordPart2Consent(w);
      const count = await hub.gql(`{ incomingServiceReferrals { totalCount } }`, {}, w.staff.token);
      expect(count.data).toEqual({ incomingServiceReferrals: { totalCount: 1 } });
      expect(noticeOf(count)).toBeUndefined();
    });

    it('heads a CSV export that carries a Part 2 record, and no other', async () => {
      const w = await world();
      const referral = await refer(w);
      await recordPart2Consent(w);
      const plain = await world(false);
      await refer(plain);
      const exportCsv = (token: string) =>
        fetch(`${hub.url}/export.csv`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            query: '{ incomingServiceReferrals { edges { node { id type } } } }',
          }),
        });
      const labelled = await exportCsv(w.staff.token);
      expect(labelled.status).toBe(200);
      const lines = (await labelled.text()).trim().split('\n');
      expect(lines[0]).toBe(`# ${PART2_NOTICE}`);
      expect(lines.slice(1).join('\n')).toContain(referral.id);
      const unlabelled = await (await exportCsv(plain.staff.token)).text();
      expect(unlabelled.startsWith('#')).toBe(false);
    });
  });
});
