import { ref } from '@mikro-orm/core';
import { User } from '../src/modules/agency/user.entity';
import { ConfigError, loadConfig } from '../src/config';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { AgreementPurpose } from '../src/modules/agency/agreement-codes';
import { CaseStatus } from '../src/modules/case/case-codes';
import { Case } from '../src/modules/case/case.entity';
import { LeadDoor, LeadStatus } from '../src/modules/lead/lead-codes';
import { LeadReferral } from '../src/modules/lead/lead-referral.entity';
import { Consent } from '../src/modules/outreach/consent.entity';
import { ConsentScope } from '../src/modules/outreach/outreach-codes';
import {
  makeConsent,
  makeLeadReferral,
  makeLeadWorld,
  type LeadWorld,
} from './support/consent-factory';
import {
  makeAgency,
  makeAgreement,
  makeRoutedCase,
  makeUser,
  type Actor,
} from './support/factories';
import {
  errorCodes,
  startTestHub,
  TEST_SECRETS,
  type GraphQLResponse,
  type TestHub,
} from './support/hub';
import { countStatements } from './support/outreach-factory';

const DAY = 86_400_000;
const MISSING = '00000000-0000-4000-8000-000000000000';

const LEAD_FIELDS = `id door status exitReason intakeDeadline intakeOverdue program { id }
  caseManager { id } releaseInForce createdAt updatedAt version
  incidentSummary { occurredAt county fatal naloxoneGiven }
  incidentAddress { street city state zip }
  person { id firstName lastName phone safeContactTimes doNotDiscloseToHousehold }`;
const LEAD = `query ($id: ID!) { leadReferral(id: $id) { ${LEAD_FIELDS} } }`;
const LEADS = `query ($filter: LeadReferralFilter, $first: Int, $after: String) {
  leadReferrals(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id status intakeOverdue } }
  }
}`;
const REFER = `mutation ($input: ReferToLeadInput!) {
  referToLead(input: $input) { id createdAt door enrolled }
}`;
const FLAGS = `query { myLeadReferrals { totalCount edges { node { id createdAt door enrolled } } } }`;
const STATUS = `mutation ($id: ID!, $version: Int!, $status: LeadStatus!, $exitReason: LeadExitReason) {
  updateLeadStatus(id: $id, version: $version, status: $status, exitReason: $exitReason) {
    id status exitReason version intakeOverdue
  }
}`;
const ASSIGN = `mutation ($id: ID!, $version: Int!, $userId: ID!) {
  assignLeadCaseManager(id: $id, version: $version, userId: $userId) {
    id version caseManager { id }
  }
}`;
const RELEASE = `mutation ($id: ID!, $version: Int!, $input: LeadReleaseInput!) {
  recordLeadRelease(id: $id, version: $version, input: $input) {
    id version releaseInForce person { id }
    releases { id scope grantedTo { id } coversPolice inForce }
  }
}`;
const RECORD_CONSENT = `mutation ($caseId: ID!, $version: Int!, $input: RecordConsentInput!) {
  recordConsent(caseId: $caseId, version: $version, input: $input) { id }
}`;
const REVOKE = `mutation ($consentId: ID!) {
  revokeConsent(consentId: $consentId, reason: "Withdrew the release") { id inForce }
}`;

type Lead = Record<string, unknown> & { id: string; version: number };
type Flag = { id: string; createdAt: string; door: string; enrolled: boolean | null };

const forbiddenPaths = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? [])
    .filter((e) => e.extensions?.code === 'FORBIDDEN')
    .map((e) => (e.path ?? []).join('.'))
    .sort();
const fieldsOf = (response: GraphQLResponse<unknown>): unknown =>
  (response.errors?.[0]?.extensions?.fields as Array<{ field: string }> | undefined)?.map(
    (f) => f.field,
  );

describe('LEAD track', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const refer = (actor: Actor, input: Record<string, unknown>) =>
    hub.gql<{ referToLead: Flag | null }>(REFER, { input }, actor.token);
  const policeReferral = (world: LeadWorld, overrides: Record<string, unknown> = {}) =>
    refer(world.officer, {
      door: 'ARREST_DIVERSION',
      programId: world.program.id,
      incidentId: world.routed.incident.id,
      ...overrides,
    });
  const read = (id: string, actor: Actor) =>
    hub.gql<{ leadReferral: Lead | null }>(LEAD, { id }, actor.token);
  const list = (actor: Actor, variables: Record<string, unknown> = {}) =>
    hub.gql<{
      leadReferrals: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: Array<{ node: { id: string; status: string; intakeOverdue: boolean } }>;
      } | null;
    }>(LEADS, variables, actor.token);
  const flags = (actor: Actor) =>
    hub.gql<{ myLeadReferrals: { totalCount: number; edges: Array<{ node: Flag }> } | null }>(
      FLAGS,
      {},
      actor.token,
    );
  it('shows a case manager which colleague holds a referral, without the colleague’s email', async () => {
    const world = await makeLeadWorld(hub);
    const lead = await makeLeadReferral(hub, world);
    const em = hub.em();
    const held = await em.findOneOrFail(LeadReferral, lead.id);
    held.caseManager = ref(em.getReference(User, world.caseManager.user.id));
    await em.flush();
    const colleague = await makeUser(hub, Role.LEAD_CASE_MANAGER, { agency: world.program });
    const query = `query($id: ID!) { leadReferral(id: $id) { caseManager { id displayName email } } }`;
    const seen = await hub.gql<{ leadReferral: { caseManager: Record<string, unknown> } }>(
      query,
      { id: lead.id },
      colleague.token,
    );
    expect(seen.data?.leadReferral.caseManager).toEqual({
      id: world.caseManager.user.id,
      displayName: world.caseManager.user.displayName,
      email: null,
    });
    expect(forbiddenPaths(seen)).toEqual(['leadReferral.caseManager.email']);
  });

  const setStatus = (
    id: string,
    version: number,
    status: LeadStatus,
    actor: Actor,
    exitReason?: string,
  ) =>
    hub.gql<{ updateLeadStatus: Lead | null }>(
      STATUS,
      { id, version, status, exitReason },
      actor.token,
    );
  const leadCount = (world: LeadWorld) =>
    hub.em().count(LeadReferral, { program: world.program.id });
  const stored = (id: string) => hub.em().findOneOrFail(LeadReferral, id);
  /** The worker of the police incident's case records the person's LEAD release. */
  const release = (world: LeadWorld, coversPolice = false) =>
    makeConsent(hub, world.routed.kase, {
      recordedBy: world.worker,
      scope: ConsentScope.SHARE_WITH_LEAD,
      grantedTo: world.program,
      coversPolice,
    });

  describe('referral by a police officer', () => {
    it('opens a track with the intake deadline and tells the officer only that it exists', async () => {
      const world = await makeLeadWorld(hub);
      const before = Date.now();
      const response = await policeReferral(world);
      expect(response.data!.referToLead).toMatchObject({
        door: 'ARREST_DIVERSION',
        enrolled: null,
      });
      expect(forbiddenPaths(response)).toEqual(['referToLead.enrolled']);

      const lead = await stored(response.data!.referToLead!.id);
      expect(lead).toMatchObject({ status: LeadStatus.REFERRED, door: LeadDoor.ARREST_DIVERSION });
      expect(lead.person!.id).toBe(world.routed.person!.id);
      expect(lead.sourceIncident!.id).toBe(world.routed.incident.id);
      expect(lead.referringAgency.id).toBe(world.police.id);
      const deadline = lead.intakeDeadline.getTime();
      expect(deadline).toBeGreaterThanOrEqual(before + 14 * DAY);
      expect(deadline).toBeLessThanOrEqual(Date.now() + 14 * DAY);
    });

    it.each([
      ['a door that is not an officer’s', { door: 'COMMUNITY' }, ['input.door']],
      [
        'no incident and no person or county',
        { incidentId: null },
        ['input.county', 'input.subject'],
      ],
      ['a case instead of an incident', { caseId: MISSING }, ['input.caseId']],
      ['a program that does not exist', { programId: MISSING }, ['input.programId']],
    ])('refuses %s, naming the field and writing nothing', async (_label, overrides, fields) => {
      const world = await makeLeadWorld(hub);
      const response = await policeReferral(world, overrides);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(fields);
      expect(await leadCount(world)).toBe(0);
    });

    it('refuses a program that does not serve the county, or is not a LEAD program', async () => {
      const world = await makeLeadWorld(hub);
      const elsewhere = await makeAgency(hub, AgencyKind.LEAD_PROGRAM);
      await makeAgreement(hub, world.police, elsewhere, { purpose: AgreementPurpose.LEAD });
      const outreach = world.routed.outreach;
      for (const programId of [elsewhere.id, outreach.id]) {
        const response = await policeReferral(world, { programId });
        expect(fieldsOf(response)).toEqual(['input.programId']);
      }
      expect(await hub.em().count(LeadReferral, { referringAgency: world.police.id })).toBe(0);
    });

    it('refuses a program the police department has no LEAD agreement with', async () => {
      const world = await makeLeadWorld(hub);
      const other = await makeAgency(hub, AgencyKind.LEAD_PROGRAM, {
        serviceCounties: [world.county],
      });
      const response = await policeReferral(world, { programId: other.id });
      expect(fieldsOf(response)).toEqual(['input.programId']);
      expect(response.errors![0].message).toContain('agreement');
      expect(await hub.em().count(LeadReferral, { program: other.id })).toBe(0);
    });

    it('answers another agency’s incident exactly like a missing one', async () => {
      const world = await makeLeadWorld(hub);
      const foreign = await makeRoutedCase(hub, { county: world.county });
      const theirs = await policeReferral(world, { incidentId: foreign.incident.id });
      const missing = await policeReferral(world, { incidentId: MISSING });
      for (const response of [theirs, missing]) {
        expect(errorCodes(response)).toEqual(['NOT_FOUND']);
        expect(response.errors![0].message).toBe('Incident not found');
      }
      expect(await leadCount(world)).toBe(0);
    });

    it('refuses an incident that names no one', async () => {
      const world = await makeLeadWorld(hub);
      const anonymous = await makeRoutedCase(hub, {
        county: world.county,
        reporter: world.police,
        withPerson: false,
      });
      const response = await policeReferral(world, { incidentId: anonymous.incident.id });
      expect(fieldsOf(response)).toEqual(['input.incidentId']);
      expect(await leadCount(world)).toBe(0);
    });

    it('gives the officer no way into the track: no program queries', async () => {
      const world = await makeLeadWorld(hub);
      const id = (await policeReferral(world)).data!.referToLead!.id;
      const one = await read(id, world.officer);
      expect(one.data).toEqual({ leadReferral: null });
      expect(forbiddenPaths(one)).toEqual(['leadReferral']);
      const many = await list(world.officer);
      expect(many.data).toEqual({ leadReferrals: null });
      expect(forbiddenPaths(many)).toEqual(['leadReferrals']);
    });
  });

  describe('referral by an outreach worker', () => {
    it('refers the person of a case the agency works, through the community door', async () => {
      const world = await makeLeadWorld(hub);
      const response = await refer(world.worker, {
        door: 'COMMUNITY',
        programId: world.program.id,
        caseId: world.routed.kase.id,
      });
      expect(response.data!.referToLead).toMatchObject({ door: 'COMMUNITY', enrolled: null });
      const lead = await stored(response.data!.referToLead!.id);
      expect(lead.case!.id).toBe(world.routed.kase.id);
      expect(lead.referringAgency.id).toBe(world.routed.outreach.id);
      // No police agreement is needed: the person's consent is the outreach door's basis.
      expect((await read(lead.id, world.caseManager)).data!.leadReferral).toMatchObject({
        door: 'COMMUNITY',
        incidentSummary: { county: world.county, fatal: false, naloxoneGiven: false },
      });
    });

    it('refuses an officer’s door and a case of another agency', async () => {
      const world = await makeLeadWorld(hub);
      const door = await refer(world.worker, {
        door: 'ARREST_DIVERSION',
        programId: world.program.id,
        caseId: world.routed.kase.id,
      });
      expect(fieldsOf(door)).toEqual(['input.door']);
      const stranger = await makeUser(hub, Role.OUTREACH_WORKER);
      const foreign = await refer(stranger, {
        door: 'COMMUNITY',
        programId: world.program.id,
        caseId: world.routed.kase.id,
      });
      expect(errorCodes(foreign)).toEqual(['NOT_FOUND']);
      expect(await leadCount(world)).toBe(0);
    });

    it.each([Role.LEAD_CASE_MANAGER, Role.AGENCY_ADMIN, Role.EMS_PROVIDER, Role.HUB_ADMIN])(
      'is FORBIDDEN to %s',
      async (role) => {
        const world = await makeLeadWorld(hub);
        const caller = await makeUser(hub, role);
        const response = await refer(caller, {
          door: 'SOCIAL_CONTACT',
          programId: world.program.id,
          incidentId: world.routed.incident.id,
        });
        expect(response.data).toEqual({ referToLead: null });
        expect(forbiddenPaths(response)).toEqual(['referToLead']);
        expect(await leadCount(world)).toBe(0);
      },
    );
  });

  describe('what the case manager sees', () => {
    it('sees the referral and the overdose, but no identity or address without a release', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const response = await read(lead.id, world.caseManager);
      expect(forbiddenPaths(response)).toEqual([
        'leadReferral.incidentAddress',
        'leadReferral.person',
      ]);
      expect(response.data!.leadReferral).toMatchObject({
        id: lead.id,
        door: 'ARREST_DIVERSION',
        status: 'REFERRED',
        exitReason: null,
        intakeOverdue: false,
        program: { id: world.program.id },
        caseManager: null,
        releaseInForce: false,
        version: 1,
        incidentSummary: {
          occurredAt: world.routed.incident.occurredAt.toISOString(),
          county: world.county,
          fatal: false,
          naloxoneGiven: false,
        },
        incidentAddress: null,
        person: null,
      });
    });

    it('sees identity, contact preferences and the address while a release is in force', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      await release(world);
      const response = await read(lead.id, world.caseManager);
      expect(response.errors).toBeUndefined();
      expect(response.data!.leadReferral).toMatchObject({
        releaseInForce: true,
        incidentAddress: { street: '9 Elm St' },
        person: {
          id: world.routed.person!.id,
          firstName: world.routed.person!.firstName,
          phone: '555-0100',
          doNotDiscloseToHousehold: true,
        },
      });
    });

    it.each([
      [
        'expired',
        { expiresAt: new Date(Date.now() - DAY), grantedAt: new Date(Date.now() - 3 * DAY) },
      ],
      ['revoked', { revokedAt: new Date(Date.now() - 60_000) }],
      ['not yet granted', { grantedAt: new Date(Date.now() + DAY) }],
    ])('sees no identity under a release that is %s', async (_label, state) => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      await makeConsent(hub, world.routed.kase, {
        recordedBy: world.worker,
        scope: ConsentScope.SHARE_WITH_LEAD,
        grantedTo: world.program,
        ...state,
      });
      const response = await read(lead.id, world.caseManager);
      expect(response.data!.leadReferral).toMatchObject({ releaseInForce: false, person: null });
      expect(forbiddenPaths(response)).toEqual([
        'leadReferral.incidentAddress',
        'leadReferral.person',
      ]);
    });

    it('sees no identity under another program’s release, or another kind of consent', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const other = await makeAgency(hub, AgencyKind.LEAD_PROGRAM);
      await makeConsent(hub, world.routed.kase, {
        recordedBy: world.worker,
        scope: ConsentScope.SHARE_WITH_LEAD,
        grantedTo: other,
      });
      await makeConsent(hub, world.routed.kase, {
        recordedBy: world.worker,
        scope: ConsentScope.CONTACT_FOR_FOLLOW_UP,
      });
      const response = await read(lead.id, world.caseManager);
      expect(response.data!.leadReferral).toMatchObject({ releaseInForce: false, person: null });
    });

    it('loses identity the moment the release is revoked', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const granted = await hub.gql<{ recordConsent: { id: string } }>(
        RECORD_CONSENT,
        {
          caseId: world.routed.kase.id,
          version: 1,
          input: {
            scope: 'SHARE_WITH_LEAD',
            grantedToAgencyId: world.program.id,
            purpose: 'LEAD case coordination',
            method: 'WRITTEN',
            grantedAt: new Date(Date.now() - 60_000).toISOString(),
          },
        },
        world.worker.token,
      );
      expect((await read(lead.id, world.caseManager)).data!.leadReferral!.person).toMatchObject({
        id: world.routed.person!.id,
      });

      await hub.gql(REVOKE, { consentId: granted.data!.recordConsent.id }, world.worker.token);
      const after = await read(lead.id, world.caseManager);
      expect(after.data!.leadReferral).toMatchObject({
        releaseInForce: false,
        person: null,
        incidentAddress: null,
      });
      expect(forbiddenPaths(after)).toEqual([
        'leadReferral.incidentAddress',
        'leadReferral.person',
      ]);
    });

    it('answers another program’s referral exactly like a missing one, and never counts it', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const outsider = await makeUser(hub, Role.LEAD_CASE_MANAGER);
      const foreign = await read(lead.id, outsider);
      const missing = await read(MISSING, outsider);
      const garbage = await read('nope', outsider);
      for (const response of [foreign, missing, garbage]) {
        expect(response.data).toEqual({ leadReferral: null });
        expect(errorCodes(response)).toEqual(['NOT_FOUND']);
        expect(response.errors![0].message).toBe('LEAD referral not found');
      }
      expect((await list(outsider)).data!.leadReferrals!.totalCount).toBe(0);
      expect((await list(world.caseManager)).data!.leadReferrals!.totalCount).toBe(1);
    });

    it('lists the program’s referrals by intake deadline, filtered and paged', async () => {
      const world = await makeLeadWorld(hub);
      const late = await makeLeadReferral(hub, world, {
        intakeDeadline: new Date(Date.now() + 9 * DAY),
      });
      const soon = await makeLeadReferral(hub, world, {
        intakeDeadline: new Date(Date.now() + DAY),
      });
      const active = await makeLeadReferral(hub, world, { status: LeadStatus.ACTIVE });
      const first = await list(world.caseManager, { first: 2 });
      expect(first.data!.leadReferrals!.totalCount).toBe(3);
      expect(first.data!.leadReferrals!.edges.map((e) => e.node.id)).toEqual([soon.id, late.id]);
      const next = await list(world.caseManager, {
        first: 2,
        after: first.data!.leadReferrals!.pageInfo.endCursor,
      });
      expect(next.data!.leadReferrals!.edges.map((e) => e.node.id)).toEqual([active.id]);
      expect(next.data!.leadReferrals!.pageInfo.hasNextPage).toBe(false);
      const filtered = await list(world.caseManager, { filter: { status: ['ACTIVE'] } });
      expect(filtered.data!.leadReferrals!.edges.map((e) => e.node.id)).toEqual([active.id]);
    });

    it('reads releases and people for a whole page in the same statements, whatever its size', async () => {
      const world = await makeLeadWorld(hub);
      for (let i = 0; i < 6; i++) await makeLeadReferral(hub, world);
      await release(world);
      const PAGE = `query ($first: Int) {
        leadReferrals(first: $first) {
          edges { node { id releaseInForce releases { id inForce } person { id } program { id } } }
        }
      }`;
      const counter = countStatements(hub);
      try {
        const measure = async (size: number) => {
          const before = counter.count();
          const response = await hub.gql<{
            leadReferrals: {
              edges: Array<{ node: { releases: unknown[]; person: { id: string } } }>;
            };
          }>(PAGE, { first: size }, world.caseManager.token);
          expect(response.errors).toBeUndefined();
          const nodes = response.data!.leadReferrals.edges.map((e) => e.node);
          expect(nodes).toHaveLength(size);
          for (const node of nodes) {
            expect(node.releases).toHaveLength(1);
            expect(node.person.id).toBe(world.routed.person!.id);
          }
          return counter.count() - before;
        };
        expect(await measure(6)).toBe(await measure(2));
      } finally {
        counter.stop();
      }
    });

    it.each([
      Role.POLICE_OFFICER,
      Role.OUTREACH_WORKER,
      Role.EMS_PROVIDER,
      Role.ANALYST,
      Role.HUB_ADMIN,
    ])('gives %s nothing of the program’s queue', async (role) => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const caller = await makeUser(hub, role);
      expect(forbiddenPaths(await read(lead.id, caller))).toEqual(['leadReferral']);
      expect(forbiddenPaths(await list(caller))).toEqual(['leadReferrals']);
    });

    it('gives the program’s agency admin the queue without status detail or identity', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      await release(world);
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: world.program });
      const response = await read(lead.id, admin);
      expect(forbiddenPaths(response)).toEqual([
        'leadReferral.exitReason',
        'leadReferral.incidentAddress',
        'leadReferral.incidentSummary',
        'leadReferral.person',
        'leadReferral.releaseInForce',
        'leadReferral.status',
      ]);
      expect(response.data!.leadReferral).toMatchObject({
        id: lead.id,
        door: 'ARREST_DIVERSION',
        intakeOverdue: false,
        program: { id: world.program.id },
        version: 1,
        person: null,
      });
    });
  });

  describe('updateLeadStatus', () => {
    it('runs REFERRED → INTAKE_PENDING → ACTIVE ⇄ INACTIVE → EXITED', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      await release(world);
      const cm = world.caseManager;
      const steps: Array<[LeadStatus, string?]> = [
        [LeadStatus.INTAKE_PENDING],
        [LeadStatus.ACTIVE],
        [LeadStatus.INACTIVE],
        [LeadStatus.ACTIVE],
        [LeadStatus.EXITED, 'COMPLETED_GOALS'],
      ];
      let version = 1;
      for (const [status, exitReason] of steps) {
        const response = await setStatus(lead.id, version, status, cm, exitReason);
        expect(response.errors).toBeUndefined();
        expect(response.data!.updateLeadStatus).toMatchObject({
          status,
          version: version + 1,
          exitReason: exitReason ?? null,
        });
        version += 1;
      }
      expect((await stored(lead.id)).exitedAt).toBeInstanceOf(Date);
    });

    it('refuses ACTIVE without a release naming the program in force', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world, { status: LeadStatus.INTAKE_PENDING });
      const response = await setStatus(lead.id, 1, LeadStatus.ACTIVE, world.caseManager);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(['status']);
      expect(response.errors![0].message).toContain('SHARE_WITH_LEAD');
      expect((await stored(lead.id)).status).toBe(LeadStatus.INTAKE_PENDING);
    });

    it.each([
      [LeadStatus.REFERRED, LeadStatus.ACTIVE, 'INTAKE_PENDING, EXITED'],
      [LeadStatus.REFERRED, LeadStatus.INACTIVE, 'INTAKE_PENDING, EXITED'],
      [LeadStatus.INTAKE_PENDING, LeadStatus.REFERRED, 'ACTIVE, EXITED'],
      [LeadStatus.ACTIVE, LeadStatus.INTAKE_PENDING, 'INACTIVE, EXITED'],
      [LeadStatus.EXITED, LeadStatus.ACTIVE, 'none'],
    ])('refuses %s → %s, naming the current and allowed statuses', async (from, to, allowed) => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world, { status: from });
      await release(world);
      const response = await setStatus(lead.id, 1, to, world.caseManager);
      expect(fieldsOf(response)).toEqual(['status']);
      expect(response.errors![0].message).toContain(`is ${from} and cannot become ${to}`);
      expect(response.errors![0].message).toContain(`allowed next: ${allowed}`);
      expect((await stored(lead.id)).status).toBe(from);
    });

    it('needs an exit reason to exit, and takes one only then', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const without = await setStatus(lead.id, 1, LeadStatus.EXITED, world.caseManager);
      expect(fieldsOf(without)).toEqual(['exitReason']);
      const stray = await setStatus(
        lead.id,
        1,
        LeadStatus.INTAKE_PENDING,
        world.caseManager,
        'DECLINED',
      );
      expect(fieldsOf(stray)).toEqual(['exitReason']);
      expect(await stored(lead.id)).toMatchObject({ status: LeadStatus.REFERRED, version: 1 });
    });

    it('answers a stale version with CONFLICT', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      await setStatus(lead.id, 1, LeadStatus.INTAKE_PENDING, world.caseManager);
      const stale = await setStatus(lead.id, 1, LeadStatus.EXITED, world.caseManager, 'DECLINED');
      expect(errorCodes(stale)).toEqual(['CONFLICT']);
      expect((await stored(lead.id)).status).toBe(LeadStatus.INTAKE_PENDING);
    });

    it('answers another program’s referral like a missing one', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const outsider = await makeUser(hub, Role.LEAD_CASE_MANAGER);
      const response = await setStatus(lead.id, 1, LeadStatus.INTAKE_PENDING, outsider);
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      expect((await stored(lead.id)).status).toBe(LeadStatus.REFERRED);
    });

    it.each([Role.AGENCY_ADMIN, Role.POLICE_OFFICER, Role.OUTREACH_WORKER])(
      'is FORBIDDEN to %s',
      async (role) => {
        const world = await makeLeadWorld(hub);
        const lead = await makeLeadReferral(hub, world);
        const agency = role === Role.AGENCY_ADMIN ? world.program : undefined;
        const caller = await makeUser(hub, role, { agency });
        const response = await setStatus(lead.id, 1, LeadStatus.INTAKE_PENDING, caller);
        expect(forbiddenPaths(response)).toEqual(['updateLeadStatus']);
        expect((await stored(lead.id)).status).toBe(LeadStatus.REFERRED);
      },
    );
  });

  describe('intakeOverdue', () => {
    it('is true past the deadline while intake is not done, and filterable', async () => {
      const world = await makeLeadWorld(hub);
      const past = new Date(Date.now() - DAY);
      const overdue = await makeLeadReferral(hub, world, { intakeDeadline: past });
      const pending = await makeLeadReferral(hub, world, {
        intakeDeadline: past,
        status: LeadStatus.INTAKE_PENDING,
      });
      const enrolled = await makeLeadReferral(hub, world, {
        intakeDeadline: past,
        status: LeadStatus.ACTIVE,
      });
      await makeLeadReferral(hub, world);
      const response = await list(world.caseManager, { filter: { intakeOverdue: true } });
      expect(response.data!.leadReferrals!.totalCount).toBe(2);
      expect(response.data!.leadReferrals!.edges.map((e) => e.node.id).sort()).toEqual(
        [overdue.id, pending.id].sort(),
      );
      expect((await read(enrolled.id, world.caseManager)).data!.leadReferral!.intakeOverdue).toBe(
        false,
      );
    });
  });

  describe('assignLeadCaseManager', () => {
    const assign = (id: string, version: number, userId: string, actor: Actor) =>
      hub.gql<{ assignLeadCaseManager: Lead | null }>(ASSIGN, { id, version, userId }, actor.token);

    it('lets a case manager claim a referral, and only for themselves', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const colleague = await makeUser(hub, Role.LEAD_CASE_MANAGER, { agency: world.program });
      const other = await assign(lead.id, 1, colleague.user.id, world.caseManager);
      expect(fieldsOf(other)).toEqual(['userId']);
      const claimed = await assign(lead.id, 1, world.caseManager.user.id, world.caseManager);
      expect(claimed.data!.assignLeadCaseManager).toEqual({
        id: lead.id,
        version: 2,
        caseManager: { id: world.caseManager.user.id },
      });
    });

    it('lets the program’s admin assign an active case manager of the program only', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: world.program });
      const outsider = await makeUser(hub, Role.LEAD_CASE_MANAGER);
      const inactive = await makeUser(hub, Role.LEAD_CASE_MANAGER, {
        agency: world.program,
        active: false,
      });
      for (const userId of [outsider.user.id, inactive.user.id, world.officer.user.id]) {
        expect(fieldsOf(await assign(lead.id, 1, userId, admin))).toEqual(['userId']);
      }
      const response = await assign(lead.id, 1, world.caseManager.user.id, admin);
      expect(response.data!.assignLeadCaseManager).toMatchObject({
        version: 2,
        caseManager: { id: world.caseManager.user.id },
      });
      const stale = await assign(lead.id, 1, world.caseManager.user.id, admin);
      expect(errorCodes(stale)).toEqual(['CONFLICT']);
    });

    it('refuses an exited referral, and is FORBIDDEN to police', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world, { status: LeadStatus.EXITED });
      const exited = await assign(lead.id, 1, world.caseManager.user.id, world.caseManager);
      expect(fieldsOf(exited)).toEqual(['id']);
      const police = await assign(lead.id, 1, world.caseManager.user.id, world.officer);
      expect(forbiddenPaths(police)).toEqual(['assignLeadCaseManager']);
      expect((await stored(lead.id)).caseManager ?? null).toBeNull();
    });
  });

  describe('recordLeadRelease', () => {
    const input = (overrides: Record<string, unknown> = {}) => ({
      purpose: 'LEAD case coordination',
      method: 'WRITTEN',
      grantedAt: new Date(Date.now() - 60_000).toISOString(),
      ...overrides,
    });

    it('records the signed release, which opens identity to the program only', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const response = await hub.gql<{ recordLeadRelease: Lead & { releases: unknown[] } }>(
        RELEASE,
        { id: lead.id, version: 1, input: input({ coversPolice: true }) },
        world.caseManager.token,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.recordLeadRelease).toMatchObject({
        version: 1,
        releaseInForce: true,
        person: { id: world.routed.person!.id },
        releases: [
          {
            scope: 'SHARE_WITH_LEAD',
            grantedTo: { id: world.program.id },
            coversPolice: true,
            inForce: true,
          },
        ],
      });
      // Held by the program: the outreach agency working the same person does not see it.
      const outreachView = await hub.gql<{ case: { consents: unknown[] } }>(
        'query ($id: ID!) { case(id: $id) { consents { id } } }',
        { id: world.routed.kase.id },
        world.worker.token,
      );
      expect(outreachView.data!.case.consents).toEqual([]);
    });

    it('refuses a release expiring before it was granted, writing nothing', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const response = await hub.gql(
        RELEASE,
        {
          id: lead.id,
          version: 1,
          input: input({ expiresAt: new Date(Date.now() - 3_600_000).toISOString() }),
        },
        world.caseManager.token,
      );
      expect(fieldsOf(response)).toEqual(['input.expiresAt']);
      expect(await hub.em().count(Consent, { grantedTo: world.program.id })).toBe(0);
    });

    it('lets the case manager revoke the release, closing identity again', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const consent = await release(world);
      const revoked = await hub.gql<{ revokeConsent: { inForce: boolean } }>(
        REVOKE,
        { consentId: consent.id },
        world.caseManager.token,
      );
      expect(revoked.data!.revokeConsent.inForce).toBe(false);
      expect((await read(lead.id, world.caseManager)).data!.leadReferral!.person).toBeNull();
      // A release is not consent to follow-up: the outreach case stays open.
      const kase = await hub.em().findOneOrFail(Case, world.routed.kase.id);
      expect(kase.status).toBe(CaseStatus.ASSIGNED);
    });
  });

  describe('the referring officer’s flag', () => {
    const enrolledOf = async (world: LeadWorld) => {
      const response = await flags(world.officer);
      return { response, node: response.data!.myLeadReferrals!.edges[0]?.node };
    };

    it('shows only that the referral exists while no release covers the police', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world, { status: LeadStatus.ACTIVE });
      await release(world, false);
      const { response, node } = await enrolledOf(world);
      expect(response.data!.myLeadReferrals!.totalCount).toBe(1);
      expect(node).toEqual({
        id: lead.id,
        createdAt: lead.createdAt.toISOString(),
        door: 'ARREST_DIVERSION',
        enrolled: null,
      });
      expect(forbiddenPaths(response)).toEqual(['myLeadReferrals.edges.0.node.enrolled']);
    });

    it('shows enrolled yes/no while a release covering the police is in force', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      const consent = await release(world, true);
      expect((await enrolledOf(world)).node.enrolled).toBe(false);

      await hub.em().nativeUpdate(LeadReferral, { id: lead.id }, { status: LeadStatus.ACTIVE });
      expect((await enrolledOf(world)).node.enrolled).toBe(true);
      await hub.em().nativeUpdate(LeadReferral, { id: lead.id }, { status: LeadStatus.INACTIVE });
      expect((await enrolledOf(world)).node.enrolled).toBe(true);

      await hub.gql(REVOKE, { consentId: consent.id }, world.worker.token);
      const { response, node } = await enrolledOf(world);
      expect(node.enrolled).toBeNull();
      expect(forbiddenPaths(response)).toEqual(['myLeadReferrals.edges.0.node.enrolled']);
    });

    it('never shows another police department’s referrals', async () => {
      const world = await makeLeadWorld(hub);
      await makeLeadReferral(hub, world, { status: LeadStatus.ACTIVE });
      await release(world, true);
      const otherOfficer = await makeUser(hub, Role.POLICE_OFFICER);
      const response = await flags(otherOfficer);
      expect(response.data!.myLeadReferrals).toEqual({ totalCount: 0, edges: [] });
    });

    it('gives the officer no field that reaches the person, the status or the case manager', async () => {
      const world = await makeLeadWorld(hub);
      await makeLeadReferral(hub, world);
      const response = await hub.gql(
        'query { myLeadReferrals { edges { node { id status person { id } caseManager { id } } } } }',
        {},
        world.officer.token,
      );
      expect(errorCodes(response)).toEqual([
        'GRAPHQL_VALIDATION_FAILED',
        'GRAPHQL_VALIDATION_FAILED',
        'GRAPHQL_VALIDATION_FAILED',
      ]);
    });

    it.each([Role.LEAD_CASE_MANAGER, Role.AGENCY_ADMIN, Role.EMS_PROVIDER])(
      'is FORBIDDEN to %s',
      async (role) => {
        const caller = await makeUser(hub, role);
        const response = await flags(caller);
        expect(response.data).toEqual({ myLeadReferrals: null });
        expect(forbiddenPaths(response)).toEqual(['myLeadReferrals']);
      },
    );

    it('shows the outreach agency that referred whether the person enrolled, under any release', async () => {
      const world = await makeLeadWorld(hub);
      const made = await refer(world.worker, {
        door: 'SOCIAL_CONTACT',
        programId: world.program.id,
        caseId: world.routed.kase.id,
      });
      expect(made.data!.referToLead!.enrolled).toBeNull();
      await release(world, false);
      const response = await flags(world.worker);
      expect(response.data!.myLeadReferrals!.edges.map((e) => e.node)).toEqual([
        expect.objectContaining({ id: made.data!.referToLead!.id, enrolled: false }),
      ]);
    });
  });

  describe('configuration', () => {
    it('reads LEAD_INTAKE_DAYS, 14 by default, refusing 0', () => {
      expect(loadConfig({ ...TEST_SECRETS }).lead.intakeDays).toBe(14);
      expect(loadConfig({ ...TEST_SECRETS, LEAD_INTAKE_DAYS: '7' }).lead.intakeDays).toBe(7);
      expect(() => loadConfig({ ...TEST_SECRETS, LEAD_INTAKE_DAYS: '0' })).toThrow(ConfigError);
    });

    it('sets the intake deadline from it', async () => {
      const short = await startTestHub({ LEAD_INTAKE_DAYS: '7' });
      try {
        const world = await makeLeadWorld(short);
        const response = await short.gql<{ referToLead: Flag }>(
          REFER,
          {
            input: {
              door: 'SOCIAL_CONTACT',
              programId: world.program.id,
              incidentId: world.routed.incident.id,
            },
          },
          world.officer.token,
        );
        const lead = await short.em().findOneOrFail(LeadReferral, response.data!.referToLead.id);
        const days = (lead.intakeDeadline.getTime() - lead.createdAt.getTime()) / DAY;
        expect(days).toBeCloseTo(7, 3);
      } finally {
        await short.stop();
      }
    });
  });

  it('plays the police door end to end: referral, release, enrolment, revocation', async () => {
    const world = await makeLeadWorld(hub);
    const cm = world.caseManager;
    const referred = await policeReferral(world, { door: 'SOCIAL_CONTACT' });
    const id = referred.data!.referToLead!.id;

    // The program sees the referral, not the person.
    const queue = await list(cm);
    expect(queue.data!.leadReferrals!.edges.map((e) => e.node.id)).toEqual([id]);
    expect((await read(id, cm)).data!.leadReferral).toMatchObject({ person: null });

    // The outreach worker records the person's release, covering the referring police.
    const granted = await hub.gql<{ recordConsent: { id: string } }>(
      RECORD_CONSENT,
      {
        caseId: world.routed.kase.id,
        version: 1,
        input: {
          scope: 'SHARE_WITH_LEAD',
          grantedToAgencyId: world.program.id,
          coversPolice: true,
          purpose: 'LEAD case coordination with the referring officer',
          method: 'WRITTEN',
          grantedAt: new Date(Date.now() - 60_000).toISOString(),
        },
      },
      world.worker.token,
    );
    expect(granted.errors).toBeUndefined();
    expect((await read(id, cm)).data!.leadReferral!.person).toMatchObject({
      id: world.routed.person!.id,
    });

    // Intake, then ACTIVE: the officer learns "enrolled", nothing more.
    expect((await flags(world.officer)).data!.myLeadReferrals!.edges[0].node.enrolled).toBe(false);
    expect(errorCodes(await setStatus(id, 1, LeadStatus.INTAKE_PENDING, cm))).toEqual([]);
    expect(errorCodes(await setStatus(id, 2, LeadStatus.ACTIVE, cm))).toEqual([]);
    expect((await flags(world.officer)).data!.myLeadReferrals!.edges[0].node).toEqual({
      id,
      createdAt: referred.data!.referToLead!.createdAt,
      door: 'SOCIAL_CONTACT',
      enrolled: true,
    });

    // The person revokes: identity and the flag are gone at once; the track itself stays.
    await hub.gql(REVOKE, { consentId: granted.data!.recordConsent.id }, world.worker.token);
    expect((await read(id, cm)).data!.leadReferral).toMatchObject({
      status: 'ACTIVE',
      person: null,
      incidentAddress: null,
    });
    const flag = await flags(world.officer);
    expect(flag.data!.myLeadReferrals!.edges[0].node.enrolled).toBeNull();
    expect(forbiddenPaths(flag)).toEqual(['myLeadReferrals.edges.0.node.enrolled']);
  });
});
