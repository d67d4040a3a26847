import { Role } from '../src/common/role';
import { CaseStatus } from '../src/modules/case/case-codes';
import { Case } from '../src/modules/case/case.entity';
import { OutreachAttempt } from '../src/modules/outreach/outreach-attempt.entity';
import { AttemptOutcome } from '../src/modules/outreach/outreach-codes';
import { Person } from '../src/modules/person/person.entity';
import { makeRoutedCase, makeUser, type Actor } from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { footprint, makeAttempt, makeWorkedCase } from './support/outreach-factory';

const MINUTE = 60_000;
const ATTEMPT_FIELDS = `id method attemptedAt outcome teamPresent officerPresence
  naloxoneKitsForPerson naloxoneKitsForFamily fentanylTestStrips overdosePreventionLiterature
  peerSupportContactCard syringeServicesInformation notes worker { id } createdAt`;
const LOG = `mutation ($caseId: ID!, $version: Int!, $input: OutreachAttemptInput!) {
  logOutreachAttempt(caseId: $caseId, version: $version, input: $input) {
    id status closeReason version attemptCount lastAttemptAt
    outreachAttempts { ${ATTEMPT_FIELDS} }
    timeline { fromStatus toStatus reason actor }
  }
}`;
const READ = `query ($id: ID!) {
  case(id: $id) { id status attemptCount lastAttemptAt outreachAttempts { ${ATTEMPT_FIELDS} } }
}`;

interface AttemptView {
  id: string;
  outcome: string;
  notes: string | null;
  worker: { id: string } | null;
  [field: string]: unknown;
}
interface CaseView {
  id: string;
  status: string;
  closeReason: string | null;
  version: number;
  attemptCount: number | null;
  lastAttemptAt: string | null;
  outreachAttempts: AttemptView[] | null;
  timeline: Array<{ fromStatus: string | null; toStatus: string; reason: string; actor: string }>;
}

/** A visit where the survivor engaged and took everything on offer. */
function visit(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    method: 'VISIT',
    attemptedAt: new Date(Date.now() - 10 * MINUTE).toISOString(),
    outcome: 'CONTACT_SURVIVOR_ENGAGED',
    teamPresent: ['PEER_SUPPORT_SPECIALIST', 'HARM_REDUCTION_WORKER'],
    officerPresence: 'NONE',
    naloxoneKitsForPerson: 2,
    naloxoneKitsForFamily: 1,
    fentanylTestStrips: 10,
    overdosePreventionLiterature: true,
    peerSupportContactCard: true,
    syringeServicesInformation: true,
    notes: 'Talked on the porch; wants the peer line number again next week.',
    ...overrides,
  };
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

describe('outreach attempts', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const log = (actor: Actor, caseId: string, version: number, input = visit()) =>
    hub.gql<{ logOutreachAttempt: CaseView | null }>(LOG, { caseId, version, input }, actor.token);
  const read = (actor: Actor, id: string) =>
    hub.gql<{ case: CaseView | null }>(READ, { id }, actor.token);

  describe('logging', () => {
    it('records the first attempt with everything left, and moves ASSIGNED → OUTREACH', async () => {
      const routed = await makeWorkedCase(hub);
      const input = visit();
      const response = await log(routed.worker, routed.kase.id, 1, input);
      expect(response.errors).toBeUndefined();
      const kase = response.data!.logOutreachAttempt!;
      expect(kase).toMatchObject({
        status: 'OUTREACH',
        version: 2,
        attemptCount: 1,
        lastAttemptAt: input.attemptedAt,
      });
      expect(kase.outreachAttempts).toEqual([
        {
          id: expect.any(String),
          method: 'VISIT',
          attemptedAt: input.attemptedAt,
          outcome: 'CONTACT_SURVIVOR_ENGAGED',
          teamPresent: ['PEER_SUPPORT_SPECIALIST', 'HARM_REDUCTION_WORKER'],
          officerPresence: 'NONE',
          naloxoneKitsForPerson: 2,
          naloxoneKitsForFamily: 1,
          fentanylTestStrips: 10,
          overdosePreventionLiterature: true,
          peerSupportContactCard: true,
          syringeServicesInformation: true,
          notes: input.notes,
          worker: { id: routed.worker.user.id },
          createdAt: expect.any(String),
        },
      ]);
      expect(kase.timeline.at(-1)).toEqual({
        fromStatus: 'ASSIGNED',
        toStatus: 'OUTREACH',
        reason: 'FIRST_ATTEMPT',
        actor: 'USER',
      });
    });

    it('keeps OUTREACH on later attempts, each a new version, listed oldest first', async () => {
      const routed = await makeWorkedCase(hub);
      const first = visit({
        method: 'PHONE',
        outcome: 'NO_ANSWER',
        officerPresence: null,
        attemptedAt: new Date(Date.now() - 50 * MINUTE).toISOString(),
        naloxoneKitsForPerson: 0,
        naloxoneKitsForFamily: 0,
        fentanylTestStrips: 0,
        overdosePreventionLiterature: false,
        peerSupportContactCard: false,
        syringeServicesInformation: false,
      });
      expect((await log(routed.worker, routed.kase.id, 1, first)).errors).toBeUndefined();
      const second = await log(routed.worker, routed.kase.id, 2);
      expect(second.errors).toBeUndefined();
      const kase = second.data!.logOutreachAttempt!;
      expect(kase).toMatchObject({ status: 'OUTREACH', version: 3, attemptCount: 2 });
      expect(kase.outreachAttempts!.map((a) => [a.outcome, a.officerPresence])).toEqual([
        ['NO_ANSWER', 'NONE'],
        ['CONTACT_SURVIVOR_ENGAGED', 'NONE'],
      ]);
      expect(kase.timeline.filter((e) => e.toStatus === 'OUTREACH')).toHaveLength(1);
    });

    it('lets any outreach worker of the agency log, not only the assigned one', async () => {
      const routed = await makeWorkedCase(hub);
      const teammate = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await log(teammate, routed.kase.id, 1);
      expect(response.errors).toBeUndefined();
      expect(response.data!.logOutreachAttempt!.outreachAttempts![0].worker).toEqual({
        id: teammate.user.id,
      });
    });

    it('allows attempts while ENGAGED, LINKED and in FOLLOW_UP', async () => {
      for (const status of [CaseStatus.ENGAGED, CaseStatus.LINKED, CaseStatus.FOLLOW_UP]) {
        const routed = await makeWorkedCase(hub, status);
        const response = await log(routed.worker, routed.kase.id, 1);
        expect(response.errors).toBeUndefined();
        expect(response.data!.logOutreachAttempt).toMatchObject({ status, attemptCount: 1 });
      }
    });

    it('does not close on CONTACT_SURVIVOR_DECLINED: the worker decides to close DECLINED', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      const response = await log(
        routed.worker,
        routed.kase.id,
        1,
        visit({ outcome: 'CONTACT_SURVIVOR_DECLINED' }),
      );
      expect(response.data!.logOutreachAttempt).toMatchObject({
        status: 'OUTREACH',
        closeReason: null,
      });
      const person = await hub.em().findOneOrFail(Person, routed.person!.id);
      expect(person.doNotContact).toBe(false);
    });

    it("closes the case DECEASED on a DECEASED outcome, and the person's other open cases", async () => {
      const routed = await makeWorkedCase(hub);
      const other = await makeRoutedCase(hub, { status: CaseStatus.REFERRED });
      const em = hub.em();
      const otherCase = await em.findOneOrFail(Case, other.kase.id);
      otherCase.person = em.getReference(Person, routed.person!.id, { wrapped: true });
      await em.flush();

      const response = await log(
        routed.worker,
        routed.kase.id,
        1,
        visit({ outcome: 'DECEASED', fentanylTestStrips: 0, naloxoneKitsForPerson: 0 }),
      );
      expect(response.errors).toBeUndefined();
      const kase = response.data!.logOutreachAttempt!;
      expect(kase).toMatchObject({ status: 'CLOSED', closeReason: 'DECEASED', attemptCount: 1 });
      expect(kase.timeline.slice(-2).map((e) => [e.fromStatus, e.toStatus, e.reason])).toEqual([
        ['ASSIGNED', 'OUTREACH', 'FIRST_ATTEMPT'],
        ['OUTREACH', 'CLOSED', 'DECEASED'],
      ]);
      const closed = await hub.em().findOneOrFail(Case, other.kase.id, { populate: ['referrals'] });
      expect([closed.status, closed.closeReason]).toEqual(['CLOSED', 'DECEASED']);
      expect(closed.referrals.getItems().map((r) => r.status)).toEqual(['CANCELLED']);
    });
  });

  describe('refusals', () => {
    it.each([
      [CaseStatus.REFERRED, 'accept it first'],
      [CaseStatus.ON_HOLD, 'resume it first'],
      [CaseStatus.CLOSED, undefined],
      [CaseStatus.ENTERED_IN_ERROR, undefined],
    ])(
      'refuses an attempt on a %s case, naming the state; writes nothing',
      async (status, hint) => {
        const routed = await makeWorkedCase(hub, status);
        const before = await footprint(hub, routed.kase.id);
        const response = await log(routed.worker, routed.kase.id, 1);
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(fieldsOf(response)).toEqual(['caseId']);
        expect(messageOf(response)).toContain(`the case is ${status}`);
        if (hint) expect(messageOf(response)).toContain(hint);
        expect(await footprint(hub, routed.kase.id)).toEqual(before);
      },
    );

    // Issue 14 point 4: whenever the survivor was not reached, only the generic contact card.
    it.each(['NO_ANSWER', 'THIRD_PARTY_ANSWERED', 'NOT_AT_ADDRESS', 'MOVED', 'UNSAFE_OR_ABORTED'])(
      'refuses anything but the contact card on %s, naming each field; writes nothing',
      async (outcome) => {
        const routed = await makeWorkedCase(hub);
        const before = await footprint(hub, routed.kase.id);
        const response = await log(routed.worker, routed.kase.id, 1, visit({ outcome }));
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(fieldsOf(response)).toEqual([
          'input.naloxoneKitsForPerson',
          'input.naloxoneKitsForFamily',
          'input.fentanylTestStrips',
          'input.overdosePreventionLiterature',
          'input.syringeServicesInformation',
        ]);
        expect(messageOf(response)).toContain(`the survivor was not reached (${outcome})`);
        expect(await footprint(hub, routed.kase.id)).toEqual(before);
      },
    );

    it('names only the fields that record something disclosing left behind', async () => {
      const routed = await makeWorkedCase(hub);
      const response = await log(
        routed.worker,
        routed.kase.id,
        1,
        visit({
          outcome: 'THIRD_PARTY_ANSWERED',
          naloxoneKitsForPerson: 0,
          naloxoneKitsForFamily: 0,
          fentanylTestStrips: 0,
          overdosePreventionLiterature: true,
          peerSupportContactCard: true,
          syringeServicesInformation: false,
        }),
      );
      expect(fieldsOf(response)).toEqual(['input.overdosePreventionLiterature']);
    });

    it('accepts the generic contact card left at an address where nobody answered', async () => {
      const routed = await makeWorkedCase(hub);
      const response = await log(
        routed.worker,
        routed.kase.id,
        1,
        visit({
          outcome: 'NOT_AT_ADDRESS',
          naloxoneKitsForPerson: 0,
          naloxoneKitsForFamily: 0,
          fentanylTestStrips: 0,
          overdosePreventionLiterature: false,
          peerSupportContactCard: true,
          syringeServicesInformation: false,
        }),
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.logOutreachAttempt!.outreachAttempts![0].peerSupportContactCard).toBe(
        true,
      );
    });

    it('records a third-party answer with nothing left behind', async () => {
      const routed = await makeWorkedCase(hub);
      const response = await log(
        routed.worker,
        routed.kase.id,
        1,
        visit({
          method: 'PHONE',
          outcome: 'THIRD_PARTY_ANSWERED',
          naloxoneKitsForPerson: 0,
          naloxoneKitsForFamily: 0,
          fentanylTestStrips: 0,
          overdosePreventionLiterature: false,
          peerSupportContactCard: false,
          syringeServicesInformation: false,
        }),
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.logOutreachAttempt!.attemptCount).toBe(1);
    });

    it('refuses negative and excessive counts, naming each field', async () => {
      const routed = await makeWorkedCase(hub);
      const before = await footprint(hub, routed.kase.id);
      const response = await log(
        routed.worker,
        routed.kase.id,
        1,
        visit({ naloxoneKitsForPerson: -1, naloxoneKitsForFamily: 51, fentanylTestStrips: -3 }),
      );
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual([
        'input.naloxoneKitsForPerson',
        'input.naloxoneKitsForFamily',
        'input.fentanylTestStrips',
      ]);
      expect(messageOf(response)).toContain('must not be negative');
      expect(messageOf(response)).toContain('must be at most 50');
      expect(await footprint(hub, routed.kase.id)).toEqual(before);
    });

    it('refuses a time in the future (beyond clock skew) and one before the overdose', async () => {
      const routed = await makeWorkedCase(hub);
      const future = await log(
        routed.worker,
        routed.kase.id,
        1,
        visit({ attemptedAt: new Date(Date.now() + 60 * MINUTE).toISOString() }),
      );
      expect(fieldsOf(future)).toEqual(['input.attemptedAt']);
      expect(messageOf(future)).toContain('is in the future');

      const early = await log(
        routed.worker,
        routed.kase.id,
        1,
        visit({
          attemptedAt: new Date(routed.incident.occurredAt.getTime() - MINUTE).toISOString(),
        }),
      );
      expect(fieldsOf(early)).toEqual(['input.attemptedAt']);
      expect(messageOf(early)).toContain('is before the overdose');

      const skewed = await log(
        routed.worker,
        routed.kase.id,
        1,
        visit({ attemptedAt: new Date(Date.now() + 2 * MINUTE).toISOString() }),
      );
      expect(skewed.errors).toBeUndefined();
    });

    it('requires officer presence on a visit, and refuses overlong notes', async () => {
      const routed = await makeWorkedCase(hub);
      const response = await log(
        routed.worker,
        routed.kase.id,
        1,
        visit({ officerPresence: null, notes: 'x'.repeat(4001) }),
      );
      expect(fieldsOf(response)).toEqual(['input.notes', 'input.officerPresence']);
      expect(await footprint(hub, routed.kase.id)).toMatchObject({ attempts: 0 });
    });

    it('refuses an attempt on a person who asked not to be contacted, naming no one', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      const em = hub.em();
      const person = await em.findOneOrFail(Person, routed.person!.id);
      person.doNotContact = true;
      await em.flush();
      const before = await footprint(hub, routed.kase.id);
      const response = await log(routed.worker, routed.kase.id, 1);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(messageOf(response)).toContain('the person asked not to be contacted');
      expect(messageOf(response)).not.toContain(routed.person!.firstName!);
      expect(messageOf(response)).not.toContain(routed.person!.lastName!);
      expect(await footprint(hub, routed.kase.id)).toEqual(before);
    });

    it('caps attempts before engagement at MAX_OUTREACH_ATTEMPTS (5), with a clear message', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      for (let i = 0; i < 4; i++) await makeAttempt(hub, routed.kase, routed.worker);
      const fifth = await log(routed.worker, routed.kase.id, 1);
      expect(fifth.errors).toBeUndefined();
      expect(fifth.data!.logOutreachAttempt!.attemptCount).toBe(5);

      const before = await footprint(hub, routed.kase.id);
      const sixth = await log(routed.worker, routed.kase.id, 2);
      expect(errorCodes(sixth)).toEqual(['BAD_USER_INPUT']);
      expect(messageOf(sixth)).toContain(
        'the case already has 5 outreach attempts, the most allowed before the person engages',
      );
      expect(messageOf(sixth)).toContain('MAX_OUTREACH_ATTEMPTS = 5');
      expect(await footprint(hub, routed.kase.id)).toEqual(before);
    });

    it('does not cap follow-up visits once the person engaged', async () => {
      const routed = await makeWorkedCase(hub, CaseStatus.ENGAGED);
      for (let i = 0; i < 5; i++) await makeAttempt(hub, routed.kase, routed.worker);
      const response = await log(routed.worker, routed.kase.id, 1);
      expect(response.errors).toBeUndefined();
      expect(response.data!.logOutreachAttempt!.attemptCount).toBe(6);
    });

    it('takes the cap from configuration', async () => {
      const strict = await startTestHub({ MAX_OUTREACH_ATTEMPTS: '1' });
      try {
        const routed = await makeWorkedCase(strict);
        const call = (version: number) =>
          strict.gql<{ logOutreachAttempt: CaseView | null }>(
            LOG,
            { caseId: routed.kase.id, version, input: visit() },
            routed.worker.token,
          );
        expect((await call(1)).errors).toBeUndefined();
        expect(messageOf(await call(2))).toContain('MAX_OUTREACH_ATTEMPTS = 1');
      } finally {
        await strict.stop();
      }
    });

    it("answers another agency's case like a missing one", async () => {
      const mine = await makeWorkedCase(hub);
      const theirs = await makeWorkedCase(hub);
      const response = await log(mine.worker, theirs.kase.id, 1);
      expect(response.data).toEqual({ logOutreachAttempt: null });
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      expect(await footprint(hub, theirs.kase.id)).toMatchObject({ attempts: 0, version: 1 });
    });

    it('refuses a stale version with CONFLICT and writes nothing', async () => {
      const routed = await makeWorkedCase(hub);
      expect((await log(routed.worker, routed.kase.id, 1)).errors).toBeUndefined();
      const before = await footprint(hub, routed.kase.id);
      const stale = await log(routed.worker, routed.kase.id, 1);
      expect(errorCodes(stale)).toEqual(['CONFLICT']);
      expect(await footprint(hub, routed.kase.id)).toEqual(before);
    });

    it.each([
      Role.AGENCY_ADMIN,
      Role.HUB_ADMIN,
      Role.POLICE_OFFICER,
      Role.EMS_PROVIDER,
      Role.LEAD_CASE_MANAGER,
      Role.ANALYST,
      Role.RESEARCHER,
    ])('refuses %s: FORBIDDEN, nothing written', async (role) => {
      const routed = await makeWorkedCase(hub);
      const caller =
        role === Role.AGENCY_ADMIN
          ? await makeUser(hub, role, { agency: routed.outreach })
          : await makeUser(hub, role);
      const response = await log(caller, routed.kase.id, 1);
      expect(response.data).toEqual({ logOutreachAttempt: null });
      expect(forbiddenPaths(response)).toEqual(['logOutreachAttempt']);
      expect(await footprint(hub, routed.kase.id)).toMatchObject({ attempts: 0, version: 1 });
    });
  });

  describe('reading', () => {
    async function caseWithAttempt() {
      const routed = await makeWorkedCase(hub, CaseStatus.OUTREACH);
      await makeAttempt(hub, routed.kase, routed.worker, {
        outcome: AttemptOutcome.CONTACT_SURVIVOR_ENGAGED,
        notes: 'private visit notes',
      });
      return routed;
    }

    it('shows outreach workers of the agency every attempt field, notes included', async () => {
      const routed = await caseWithAttempt();
      const teammate = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
      const response = await read(teammate, routed.kase.id);
      expect(response.errors).toBeUndefined();
      expect(response.data!.case).toMatchObject({
        attemptCount: 1,
        lastAttemptAt: expect.any(String),
        outreachAttempts: [
          {
            outcome: 'CONTACT_SURVIVOR_ENGAGED',
            notes: 'private visit notes',
            worker: { id: routed.worker.user.id },
          },
        ],
      });
    });

    it('shows the agency admin the attempt count but not the attempts (DESIGN.md matrix)', async () => {
      const routed = await caseWithAttempt();
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      const response = await read(admin, routed.kase.id);
      expect(forbiddenPaths(response)).toEqual(['case.outreachAttempts']);
      expect(response.data!.case!.outreachAttempts).toBeNull();
      expect(response.data!.case!.attemptCount).toBe(1);
    });

    it('shows the hub admin the count and last attempt but not the attempts', async () => {
      const routed = await caseWithAttempt();
      const hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
      const response = await read(hubAdmin, routed.kase.id);
      expect(forbiddenPaths(response)).toEqual(['case.outreachAttempts']);
      expect(response.data!.case).toMatchObject({
        status: 'OUTREACH',
        attemptCount: 1,
        outreachAttempts: null,
      });
    });

    it.each([
      Role.POLICE_OFFICER,
      Role.EMS_PROVIDER,
      Role.LEAD_CASE_MANAGER,
      Role.ANALYST,
      Role.RESEARCHER,
    ])('gives %s nothing of the attempts', async (role) => {
      const routed = await caseWithAttempt();
      const caller = await makeUser(hub, role);
      const response = await read(caller, routed.kase.id);
      expect(response.data).toEqual({ case: null });
      expect(forbiddenPaths(response)).toEqual(['case']);
    });

    it('never shows attempts of another agency’s case', async () => {
      const routed = await caseWithAttempt();
      const stranger = await makeUser(hub, Role.OUTREACH_WORKER);
      const response = await read(stranger, routed.kase.id);
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      expect(await hub.em().count(OutreachAttempt, { case: routed.kase.id })).toBe(1);
    });
  });
});
