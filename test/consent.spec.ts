import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { CaseStatus } from '../src/modules/case/case-codes';
import { CaseEvent } from '../src/modules/case/case-event.entity';
import { Case } from '../src/modules/case/case.entity';
import { Consent } from '../src/modules/outreach/consent.entity';
import { ConsentScope } from '../src/modules/outreach/outreach-codes';
import { makeConsent, makeWorkedCase } from './support/consent-factory';
import {
  makeAgency,
  makeRoutedCase,
  makeUser,
  type Actor,
  type RoutedCase,
} from './support/factories';
import { countStatements } from './support/outreach-factory';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

const DAY = 86_400_000;

const CONSENT_FIELDS = `id scope grantedTo { id } coversPolice purpose method grantedAt expiresAt
  revokedAt revocationReason inForce createdAt`;
const RECORD = `mutation ($caseId: ID!, $version: Int!, $input: RecordConsentInput!) {
  recordConsent(caseId: $caseId, version: $version, input: $input) { ${CONSENT_FIELDS} }
}`;
const REVOKE = `mutation ($consentId: ID!, $reason: String!) {
  revokeConsent(consentId: $consentId, reason: $reason) { ${CONSENT_FIELDS} }
}`;
const CASE_CONSENTS = `query ($id: ID!) {
  case(id: $id) {
    id status closeReason version identitySealed sealedReason consentOnFile
    consents { ${CONSENT_FIELDS} }
    person { id firstName }
  }
}`;

type ConsentData = Record<string, unknown> & { id: string; inForce: boolean };
type CaseData = Record<string, unknown> & {
  consents: ConsentData[] | null;
  person: { id: string } | null;
};

const pathsOf = (response: GraphQLResponse<unknown>, code = 'FORBIDDEN'): string[] =>
  (response.errors ?? [])
    .filter((e) => e.extensions?.code === code)
    .map((e) => (e.path ?? []).join('.'))
    .sort();
const fieldsOf = (response: GraphQLResponse<unknown>): unknown =>
  (response.errors?.[0]?.extensions?.fields as Array<{ field: string }> | undefined)?.map(
    (f) => f.field,
  );

describe('consent', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const input = (overrides: Record<string, unknown> = {}) => ({
    scope: 'CONTACT_FOR_FOLLOW_UP',
    purpose: 'Follow-up visits and referrals to treatment',
    method: 'VERBAL',
    grantedAt: new Date(Date.now() - 3_600_000).toISOString(),
    ...overrides,
  });
  const record = (routed: RoutedCase, actor: Actor, overrides = {}, version = 1) =>
    hub.gql<{ recordConsent: ConsentData | null }>(
      RECORD,
      { caseId: routed.kase.id, version, input: input(overrides) },
      actor.token,
    );
  const readCase = (id: string, actor: Actor) =>
    hub.gql<{ case: CaseData | null }>(CASE_CONSENTS, { id }, actor.token);
  const revoke = (consentId: string, actor: Actor, reason = 'Asked us to stop') =>
    hub.gql<{ revokeConsent: ConsentData | null }>(REVOKE, { consentId, reason }, actor.token);
  const consentCount = (kase: Case) => hub.em().count(Consent, { case: kase.id });

  describe('recordConsent', () => {
    it('records a consent granted to the worker’s own agency and shows it on the case', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const grantedAt = new Date(Date.now() - 3_600_000).toISOString();
      const expiresAt = new Date(Date.now() + 90 * DAY).toISOString();
      const response = await record(routed, worker, { grantedAt, expiresAt, method: 'WRITTEN' });
      expect(response.errors).toBeUndefined();
      expect(response.data!.recordConsent).toMatchObject({
        scope: 'CONTACT_FOR_FOLLOW_UP',
        grantedTo: { id: routed.outreach.id },
        coversPolice: false,
        purpose: 'Follow-up visits and referrals to treatment',
        method: 'WRITTEN',
        grantedAt,
        expiresAt,
        revokedAt: null,
        inForce: true,
      });

      const kase = (await readCase(routed.kase.id, worker)).data!.case!;
      // A consent is a new record: the case version is checked, not changed.
      expect(kase).toMatchObject({ version: 1, consentOnFile: true });
      expect(kase.consents!.map((c) => c.id)).toEqual([response.data!.recordConsent!.id]);
      const stored = await hub.em().findOneOrFail(Consent, response.data!.recordConsent!.id);
      expect(stored.person.id).toBe(routed.person!.id);
      expect(stored.recordedById).toBe(worker.user.id);
    });

    it('records a LEAD release that also covers the police', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const program = await makeAgency(hub, AgencyKind.LEAD_PROGRAM);
      const response = await record(routed, worker, {
        scope: 'SHARE_WITH_LEAD',
        grantedToAgencyId: program.id,
        coversPolice: true,
      });
      expect(response.errors).toBeUndefined();
      expect(response.data!.recordConsent).toMatchObject({
        scope: 'SHARE_WITH_LEAD',
        grantedTo: { id: program.id },
        coversPolice: true,
        inForce: true,
      });
    });

    it.each([
      [
        'a consent that expires before it was granted',
        { expiresAt: new Date(Date.now() - 2 * 3_600_000).toISOString() },
        ['input.expiresAt'],
      ],
      [
        'an expiry equal to the grant',
        {
          grantedAt: '2026-01-01T00:00:00.000Z',
          expiresAt: '2026-01-01T00:00:00.000Z',
        },
        ['input.expiresAt'],
      ],
      [
        'an expiry already past',
        {
          grantedAt: new Date(Date.now() - 3 * DAY).toISOString(),
          expiresAt: new Date(Date.now() - DAY).toISOString(),
        },
        ['input.expiresAt'],
      ],
      [
        'a grant in the future',
        { grantedAt: new Date(Date.now() + DAY).toISOString() },
        ['input.grantedAt'],
      ],
      ['a purpose under 3 characters', { purpose: ' ok ' }, ['input.purpose']],
      ['a purpose over 500 characters', { purpose: 'x'.repeat(501) }, ['input.purpose']],
      ['coversPolice outside SHARE_WITH_LEAD', { coversPolice: true }, ['input.coversPolice']],
      [
        'a LEAD release naming the outreach agency itself (the default)',
        { scope: 'SHARE_WITH_LEAD' },
        ['input.grantedToAgencyId'],
      ],
      [
        'an id that is not an agency',
        { grantedToAgencyId: '00000000-0000-4000-8000-000000000000' },
        ['input.grantedToAgencyId'],
      ],
      [
        'several problems at once',
        { purpose: 'no', expiresAt: new Date(Date.now() - 2 * 3_600_000).toISOString() },
        ['input.purpose', 'input.expiresAt'],
      ],
    ])('refuses %s, naming the field and writing nothing', async (_label, overrides, fields) => {
      const { routed, worker } = await makeWorkedCase(hub);
      const response = await record(routed, worker, overrides);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(fields);
      expect(response.data).toEqual({ recordConsent: null });
      expect(await consentCount(routed.kase)).toBe(0);
    });

    it('never names a police department as receiving consent', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT);
      for (const scope of Object.values(ConsentScope)) {
        // WRITTEN: a PART2_DISCLOSURE consent is refused as verbal too (issue 14 point 9).
        const response = await record(routed, worker, {
          scope,
          grantedToAgencyId: police.id,
          method: 'WRITTEN',
        });
        expect(fieldsOf(response)).toEqual(['input.grantedToAgencyId']);
      }
      expect(await consentCount(routed.kase)).toBe(0);
    });

    it('refuses a case the agency has not accepted yet, naming caseId', async () => {
      const { routed, worker } = await makeWorkedCase(hub, { status: CaseStatus.REFERRED });
      const response = await record(routed, worker);
      expect(fieldsOf(response)).toEqual(['caseId']);
      expect(response.errors![0].message).toContain('REFERRED');
      expect(await consentCount(routed.kase)).toBe(0);
    });

    it('refuses a case whose identity is sealed from the agency', async () => {
      const { routed, worker } = await makeWorkedCase(hub, { agreement: false });
      const response = await record(routed, worker);
      expect(fieldsOf(response)).toEqual(['caseId']);
      expect(response.errors![0].message).toContain('sealed');
      expect(await consentCount(routed.kase)).toBe(0);
    });

    it('answers a stale version with CONFLICT and writes nothing', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const response = await record(routed, worker, {}, 2);
      expect(errorCodes(response)).toEqual(['CONFLICT']);
      expect(await consentCount(routed.kase)).toBe(0);
    });

    it('answers another agency’s case exactly like a missing one', async () => {
      const { routed } = await makeWorkedCase(hub);
      const stranger = await makeUser(hub, Role.OUTREACH_WORKER);
      const foreign = await record(routed, stranger);
      const missing = await hub.gql(
        RECORD,
        { caseId: '00000000-0000-4000-8000-000000000000', version: 1, input: input() },
        stranger.token,
      );
      expect(errorCodes(foreign)).toEqual(['NOT_FOUND']);
      expect(foreign.errors![0].message).toBe(missing.errors![0].message);
      expect(await consentCount(routed.kase)).toBe(0);
    });

    it.each([
      Role.POLICE_OFFICER,
      Role.EMS_PROVIDER,
      Role.AGENCY_ADMIN,
      Role.LEAD_CASE_MANAGER,
      Role.ANALYST,
      Role.HUB_ADMIN,
    ])('is FORBIDDEN to %s', async (role) => {
      const { routed } = await makeWorkedCase(hub);
      const caller =
        role === Role.AGENCY_ADMIN
          ? await makeUser(hub, role, { agency: routed.outreach })
          : await makeUser(hub, role);
      const response = await record(routed, caller);
      expect(response.data).toEqual({ recordConsent: null });
      expect(pathsOf(response)).toEqual(['recordConsent']);
      expect(await consentCount(routed.kase)).toBe(0);
    });
  });

  describe('reading consents', () => {
    it('gives the agency admin existence only: consentOnFile, not the records', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      await makeConsent(hub, routed.kase, { recordedBy: worker });
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      const response = await readCase(routed.kase.id, admin);
      expect(pathsOf(response)).toEqual(['case.consents', 'case.person']);
      expect(response.data!.case).toMatchObject({
        id: routed.kase.id,
        status: 'ASSIGNED',
        consentOnFile: true,
        consents: null,
        person: null,
      });
    });

    it('gives the hub admin neither the records nor their existence', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      await makeConsent(hub, routed.kase, { recordedBy: worker });
      const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
      const response = await readCase(routed.kase.id, hubAdmin);
      expect(pathsOf(response)).toEqual(['case.consentOnFile', 'case.consents', 'case.person']);
      expect(response.data!.case).toMatchObject({ id: routed.kase.id, consentOnFile: null });
    });

    it('computes inForce with the shared rule: expired, revoked and future grants are not', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const now = Date.now();
      const live = await makeConsent(hub, routed.kase, { recordedBy: worker });
      const expired = await makeConsent(hub, routed.kase, {
        recordedBy: worker,
        grantedAt: new Date(now - 3 * DAY),
        expiresAt: new Date(now - DAY),
      });
      const revoked = await makeConsent(hub, routed.kase, {
        recordedBy: worker,
        revokedAt: new Date(now - 60_000),
      });
      const future = await makeConsent(hub, routed.kase, {
        recordedBy: worker,
        grantedAt: new Date(now + DAY),
      });
      const consents = (await readCase(routed.kase.id, worker)).data!.case!.consents!;
      const inForce = Object.fromEntries(consents.map((c) => [c.id, c.inForce]));
      expect(inForce).toEqual({
        [live.id]: true,
        [expired.id]: false,
        [revoked.id]: false,
        [future.id]: false,
      });
    });

    it('says no consent is on file when the only one has expired', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      await makeConsent(hub, routed.kase, {
        recordedBy: worker,
        grantedAt: new Date(Date.now() - 3 * DAY),
        expiresAt: new Date(Date.now() - DAY),
      });
      const kase = (await readCase(routed.kase.id, worker)).data!.case!;
      expect(kase.consentOnFile).toBe(false);
      expect(kase.consents).toHaveLength(1);
    });

    it('lists only what the case’s own agency recorded (a LEAD program’s release stays its own)', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const caseManager = await makeUser(hub, Role.LEAD_CASE_MANAGER);
      await makeConsent(hub, routed.kase, {
        recordedBy: caseManager,
        scope: ConsentScope.SHARE_WITH_LEAD,
        grantedTo: caseManager.agency,
      });
      const kase = (await readCase(routed.kase.id, worker)).data!.case!;
      expect(kase.consents).toEqual([]);
      expect(kase.consentOnFile).toBe(false);
    });
  });

  describe('a page of cases', () => {
    it('reads the consents of every case on the page in one statement, whatever its size', async () => {
      const { routed: first, worker } = await makeWorkedCase(hub);
      const cases = [first.kase];
      for (let i = 0; i < 7; i++) {
        const { kase } = await makeRoutedCase(hub, {
          outreach: first.outreach,
          status: CaseStatus.ASSIGNED,
          assignedWorker: worker.user,
        });
        cases.push(kase);
      }
      for (const kase of cases) await makeConsent(hub, kase, { recordedBy: worker });
      const PAGE = `query ($first: Int) {
        cases(first: $first) { edges { node { id consents { id inForce grantedTo { id } } } } }
      }`;
      const counter = countStatements(hub);
      try {
        const measure = async (size: number) => {
          const before = counter.count();
          const response = await hub.gql<{
            cases: { edges: Array<{ node: { consents: ConsentData[] } }> };
          }>(PAGE, { first: size }, worker.token);
          expect(response.errors).toBeUndefined();
          const nodes = response.data!.cases.edges.map((e) => e.node);
          expect(nodes).toHaveLength(size);
          for (const node of nodes) expect(node.consents).toHaveLength(1);
          return counter.count() - before;
        };
        expect(await measure(8)).toBe(await measure(2));
      } finally {
        counter.stop();
      }
    });
  });

  describe('revokeConsent', () => {
    it('revoking consent to follow-up closes the case CONSENT_REVOKED, on the timeline', async () => {
      const { routed, worker } = await makeWorkedCase(hub, { status: CaseStatus.OUTREACH });
      const consent = await makeConsent(hub, routed.kase, { recordedBy: worker });
      const response = await revoke(consent.id, worker, '  Asked us to stop  ');
      expect(response.errors).toBeUndefined();
      expect(response.data!.revokeConsent).toMatchObject({
        id: consent.id,
        inForce: false,
        revocationReason: 'Asked us to stop',
      });
      expect(response.data!.revokeConsent!.revokedAt).not.toBeNull();

      const kase = (await readCase(routed.kase.id, worker)).data!.case!;
      expect(kase).toMatchObject({
        status: 'CLOSED',
        closeReason: 'CONSENT_REVOKED',
        version: 2,
        consentOnFile: false,
      });
      const events = await hub.em().find(CaseEvent, { case: routed.kase.id });
      expect(events.map((e) => [e.fromStatus, e.toStatus, e.reason, e.actorId])).toEqual([
        ['OUTREACH', 'CLOSED', 'CONSENT_REVOKED', worker.user.id],
      ]);
    });

    it('keeps identity with the holder of the record and seals it from everyone else', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const consent = await makeConsent(hub, routed.kase, { recordedBy: worker });
      await revoke(consent.id, worker);

      const own = await readCase(routed.kase.id, worker);
      expect(own.errors).toBeUndefined();
      expect(own.data!.case).toMatchObject({
        identitySealed: false,
        sealedReason: null,
        person: { id: routed.person!.id },
      });
      const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
      const other = await hub.gql<{ case: Record<string, unknown> }>(
        'query ($id: ID!) { case(id: $id) { identitySealed sealedReason } }',
        { id: routed.kase.id },
        hubAdmin.token,
      );
      expect(other.data!.case).toEqual({ identitySealed: true, sealedReason: 'CONSENT_REVOKED' });
    });

    it('leaves the case open when another kind of consent is revoked', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const program = await makeAgency(hub, AgencyKind.LEAD_PROGRAM);
      const consent = await makeConsent(hub, routed.kase, {
        recordedBy: worker,
        scope: ConsentScope.SHARE_WITH_LEAD,
        grantedTo: program,
      });
      const response = await revoke(consent.id, worker);
      expect(response.data!.revokeConsent).toMatchObject({ inForce: false });
      const kase = await hub.em().findOneOrFail(Case, routed.kase.id);
      expect([kase.status, kase.version]).toEqual([CaseStatus.ASSIGNED, 1]);
    });

    it('revokes a consent on a closed case without reopening or re-closing it', async () => {
      const { routed, worker } = await makeWorkedCase(hub, { status: CaseStatus.CLOSED });
      const consent = await makeConsent(hub, routed.kase, { recordedBy: worker });
      const response = await revoke(consent.id, worker);
      expect(response.data!.revokeConsent).toMatchObject({ inForce: false });
      const kase = await hub.em().findOneOrFail(Case, routed.kase.id);
      expect([kase.status, kase.closeReason ?? null]).toEqual([CaseStatus.CLOSED, null]);
    });

    it('refuses to revoke twice, naming consentId', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const consent = await makeConsent(hub, routed.kase, {
        recordedBy: worker,
        revokedAt: new Date(Date.now() - 60_000),
      });
      const response = await revoke(consent.id, worker);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(['consentId']);
      expect((await hub.em().findOneOrFail(Case, routed.kase.id)).status).toBe(CaseStatus.ASSIGNED);
    });

    it.each([
      ['blank', '   '],
      ['over 500 characters long', 'x'.repeat(501)],
    ])(
      'refuses a reason that is %s, naming reason and changing nothing',
      async (_label, reason) => {
        const { routed, worker } = await makeWorkedCase(hub);
        const consent = await makeConsent(hub, routed.kase, { recordedBy: worker });
        const response = await revoke(consent.id, worker, reason);
        expect(fieldsOf(response)).toEqual(['reason']);
        expect((await hub.em().findOneOrFail(Consent, consent.id)).revokedAt ?? null).toBeNull();
      },
    );

    it('answers another agency’s consent exactly like a missing one', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const consent = await makeConsent(hub, routed.kase, { recordedBy: worker });
      const stranger = await makeUser(hub, Role.OUTREACH_WORKER);
      const foreign = await revoke(consent.id, stranger);
      const missing = await revoke('00000000-0000-4000-8000-000000000000', stranger);
      const garbage = await revoke('not-an-id', stranger);
      for (const response of [foreign, missing, garbage]) {
        expect(errorCodes(response)).toEqual(['NOT_FOUND']);
        expect(response.errors![0].message).toBe('Consent not found');
      }
      expect((await hub.em().findOneOrFail(Consent, consent.id)).revokedAt ?? null).toBeNull();
    });

    it.each([Role.POLICE_OFFICER, Role.EMS_PROVIDER, Role.AGENCY_ADMIN, Role.HUB_ADMIN])(
      'is FORBIDDEN to %s',
      async (role) => {
        const { routed, worker } = await makeWorkedCase(hub);
        const consent = await makeConsent(hub, routed.kase, { recordedBy: worker });
        const caller = await makeUser(hub, role);
        const response = await revoke(consent.id, caller);
        expect(response.data).toEqual({ revokeConsent: null });
        expect(pathsOf(response)).toEqual(['revokeConsent']);
        expect((await hub.em().findOneOrFail(Consent, consent.id)).revokedAt ?? null).toBeNull();
      },
    );
  });
});
