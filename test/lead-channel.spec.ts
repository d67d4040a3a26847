import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { LeadReferral } from '../src/modules/lead/lead-referral.entity';
import { isEncrypted } from '../src/crypto/field-cipher';
import { purgeIdentities } from '../src/modules/retention/retention.service';
import { makeUser } from './support/factories';
import { makeLeadWorld, type LeadWorld } from './support/consent-factory';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

const REFER = `mutation ($input: ReferToLeadInput!) {
  referToLead(input: $input) { id createdAt door intakeCompletedByDeadline }
}`;
const FLAGS = `query { myLeadReferrals { edges { node { id door enrolled intakeCompletedByDeadline } } } }`;
const READ = `query ($id: ID!) {
  leadReferral(id: $id) {
    id county status version incidentSummary { county }
    referralDetails {
      firstName lastName dateOfBirth whereToFind contact referringOfficer referringAgency { id }
    }
  }
}`;
const STATUS = `mutation ($id: ID!, $version: Int!, $status: LeadStatus!) {
  updateLeadStatus(id: $id, version: $version, status: $status) { id status version }
}`;
const RELEASE = `mutation ($id: ID!, $version: Int!, $input: LeadReleaseInput!) {
  recordLeadRelease(id: $id, version: $version, input: $input) {
    id version releaseInForce person { id firstName }
  }
}`;

const SUBJECT = {
  firstName: 'Jordan',
  lastName: 'Quill',
  dateOfBirth: '1988-02-03',
  whereToFind: 'Mornings at the Haywood St. shelter, back lot',
  contact: "Sister's phone 828-555-0199",
};

const fieldsOf = (response: GraphQLResponse<unknown>) =>
  (response.errors?.[0]?.extensions?.fields as Array<{ field: string }> | undefined)?.map(
    (f) => f.field,
  );
const forbiddenPaths = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? [])
    .filter((e) => e.extensions?.code === 'FORBIDDEN')
    .map((e) => (e.path ?? []).join('.'))
    .sort();

interface Flag {
  id: string;
  door: string;
  enrolled: boolean | null;
  intakeCompletedByDeadline: boolean | null;
}

/** Issue 14 point 5: a LEAD channel that works. */
describe('LEAD channel from police', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const referWithoutOverdose = (world: LeadWorld, overrides: Record<string, unknown> = {}) =>
    hub.gql<{ referToLead: Flag | null }>(
      REFER,
      {
        input: {
          door: 'SOCIAL_CONTACT',
          programId: world.program.id,
          county: world.county,
          subject: SUBJECT,
          ...overrides,
        },
      },
      world.officer.token,
    );
  const read = (world: LeadWorld, id: string, token = world.caseManager.token) =>
    hub.gql<{ leadReferral: Record<string, unknown> | null }>(READ, { id }, token);

  it('refers a person to LEAD without an overdose, stored encrypted', async () => {
    const world = await makeLeadWorld(hub);
    const response = await referWithoutOverdose(world);
    expect(response.errors ?? []).toEqual(
      // The officer may not see enrollment; the intake signal is null until the deadline.
      [],
    );
    const flag = response.data!.referToLead!;
    expect(flag).toMatchObject({ door: 'SOCIAL_CONTACT', intakeCompletedByDeadline: null });
    const [row] = await hub.em().execute<Array<Record<string, string | null>>>(
      `select county, person_id, source_incident_id, subject_first_name, subject_last_name,
                subject_date_of_birth, where_to_find, contact from lead_referral where id = ?`,
      [flag.id],
    );
    expect(row).toMatchObject({ county: world.county, person_id: null, source_incident_id: null });
    for (const column of [
      'subject_first_name',
      'subject_last_name',
      'subject_date_of_birth',
      'where_to_find',
      'contact',
    ]) {
      expect(isEncrypted(row[column]!)).toBe(true);
    }
    expect(JSON.stringify(row)).not.toContain('Quill');
  });

  it('carries what police entered to the case manager, without a release', async () => {
    const world = await makeLeadWorld(hub);
    const id = (await referWithoutOverdose(world)).data!.referToLead!.id;
    const response = await read(world, id);
    expect(response.errors).toBeUndefined();
    expect(response.data!.leadReferral).toMatchObject({
      county: world.county,
      status: 'REFERRED',
      incidentSummary: null,
      referralDetails: {
        ...SUBJECT,
        referringOfficer: world.officer.user.displayName,
        referringAgency: { id: world.police.id },
      },
    });
  });

  it('adds where to find the person to a referral from an overdose', async () => {
    const world = await makeLeadWorld(hub);
    const response = await hub.gql<{ referToLead: Flag }>(
      REFER,
      {
        input: {
          door: 'ARREST_DIVERSION',
          programId: world.program.id,
          incidentId: world.routed.incident.id,
          subject: { whereToFind: 'Works nights at the car wash on Patton Ave' },
        },
      },
      world.officer.token,
    );
    const id = response.data!.referToLead.id;
    const lead = await read(world, id);
    expect(lead.data!.leadReferral).toMatchObject({
      county: world.county,
      incidentSummary: { county: world.county },
      referralDetails: {
        firstName: null,
        whereToFind: 'Works nights at the car wash on Patton Ave',
        referringAgency: { id: world.police.id },
      },
    });
  });

  it('gives the program admin the queue but not what police entered', async () => {
    const world = await makeLeadWorld(hub);
    const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: world.program });
    const id = (await referWithoutOverdose(world)).data!.referToLead!.id;
    const response = await read(world, id, admin.token);
    expect(response.data!.leadReferral).toMatchObject({
      county: world.county,
      referralDetails: null,
    });
    expect(forbiddenPaths(response)).toEqual(
      expect.arrayContaining(['leadReferral.referralDetails']),
    );
    expect(JSON.stringify(response)).not.toContain('Quill');
  });

  it('gives the police officer no way to read the referral back', async () => {
    const world = await makeLeadWorld(hub);
    const id = (await referWithoutOverdose(world)).data!.referToLead!.id;
    const response = await read(world, id, world.officer.token);
    expect(response.data).toEqual({ leadReferral: null });
    expect(forbiddenPaths(response)).toEqual(['leadReferral']);
  });

  it.each([
    ['no county', { county: null }, ['input.county']],
    ['no name', { subject: { whereToFind: 'somewhere' } }, ['input.subject']],
    ['a county beside an incident', { incidentId: 'x' }, ['input.county']],
    [
      'a malformed date of birth',
      { subject: { ...SUBJECT, dateOfBirth: '3/2/88' } },
      ['input.subject.dateOfBirth'],
    ],
  ])('refuses %s, naming the field and writing nothing', async (_label, overrides, fields) => {
    const world = await makeLeadWorld(hub);
    const response = await referWithoutOverdose(world, overrides);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(fieldsOf(response)).toEqual(fields);
    expect(await hub.em().count(LeadReferral, { program: world.program.id })).toBe(0);
  });

  it('refuses a subject from an outreach worker (outreach refers from a case)', async () => {
    const world = await makeLeadWorld(hub);
    const response = await hub.gql(
      REFER,
      {
        input: {
          door: 'COMMUNITY',
          programId: world.program.id,
          caseId: world.routed.kase.id,
          subject: SUBJECT,
        },
      },
      world.worker.token,
    );
    expect(fieldsOf(response)).toEqual(['input.subject']);
    expect(await hub.em().count(LeadReferral, { program: world.program.id })).toBe(0);
  });

  it('files the person at intake, and tells the officer only that intake completed in time', async () => {
    const world = await makeLeadWorld(hub);
    const id = (await referWithoutOverdose(world)).data!.referToLead!.id;
    const released = await hub.gql<{
      recordLeadRelease: {
        version: number;
        releaseInForce: boolean;
        person: { id: string; firstName: string };
      };
    }>(
      RELEASE,
      {
        id,
        version: 1,
        input: {
          purpose: 'LEAD case coordination',
          method: 'WRITTEN',
          grantedAt: new Date(Date.now() - 60_000).toISOString(),
        },
      },
      world.caseManager.token,
    );
    expect(released.errors).toBeUndefined();
    expect(released.data!.recordLeadRelease).toMatchObject({
      releaseInForce: true,
      person: { firstName: 'Jordan' },
    });
    // Filing the person changed the referral: its version moved.
    let version = released.data!.recordLeadRelease.version;
    for (const status of ['INTAKE_PENDING', 'ACTIVE']) {
      const moved = await hub.gql<{ updateLeadStatus: { version: number } }>(
        STATUS,
        { id, version, status },
        world.caseManager.token,
      );
      expect(moved.errors).toBeUndefined();
      version = moved.data!.updateLeadStatus.version;
    }
    const flags = await hub.gql<{ myLeadReferrals: { edges: Array<{ node: Flag }> } }>(
      FLAGS,
      {},
      world.officer.token,
    );
    const flag = flags.data!.myLeadReferrals.edges.find((e) => e.node.id === id)!.node;
    // The one signal: intake completed by the deadline. Enrollment needs a release covering
    // police, which this one does not.
    expect(flag).toEqual({
      id,
      door: 'SOCIAL_CONTACT',
      enrolled: null,
      intakeCompletedByDeadline: true,
    });
    expect(forbiddenPaths(flags)).toEqual(['myLeadReferrals.edges.0.node.enrolled']);
  });

  it('purges the person filed at intake and what police entered, once the track exited long ago', async () => {
    const world = await makeLeadWorld(hub);
    // A name of its own: the vault matches people by name and date of birth across tests.
    const lastName = `Quill${randomUUID().replace(/[^a-f]/g, '')}`;
    const referral = await referWithoutOverdose(world, { subject: { ...SUBJECT, lastName } });
    const id = referral.data!.referToLead!.id;
    const released = await hub.gql<{ recordLeadRelease: { person: { id: string } } }>(
      RELEASE,
      {
        id,
        version: 1,
        input: {
          purpose: 'LEAD case coordination',
          method: 'WRITTEN',
          grantedAt: new Date(Date.now() - 60_000).toISOString(),
        },
      },
      world.caseManager.token,
    );
    const personId = released.data!.recordLeadRelease.person.id;
    await hub.em().execute(
      `update lead_referral set status = 'EXITED', exit_reason = 'DECLINED',
              exited_at = now() - interval '400 days' where id = ?`,
      [id],
    );
    const summary = await purgeIdentities(hub.em(), { retentionDays: 365, batchSize: 500 });
    expect(summary.leadReferrals).toBeGreaterThanOrEqual(1);
    // The person row filed at intake holds no values (identity follows its sources): what the
    // officer entered lives on the referral, and goes below.
    expect(await hub.em().count('Person', { id: personId })).toBe(1);
    const [lead] = await hub
      .em()
      .execute<Array<Record<string, string | null>>>(
        'select subject_first_name, where_to_find, contact, county from lead_referral where id = ?',
        [id],
      );
    expect(lead).toEqual({
      subject_first_name: null,
      where_to_find: null,
      contact: null,
      county: world.county,
    });
  });

  it('answers no once the deadline passed without intake', async () => {
    const world = await makeLeadWorld(hub);
    const id = (await referWithoutOverdose(world)).data!.referToLead!.id;
    await hub
      .em()
      .execute(`update lead_referral set intake_deadline = now() - interval '1 day' where id = ?`, [
        id,
      ]);
    const flags = await hub.gql<{ myLeadReferrals: { edges: Array<{ node: Flag }> } }>(
      FLAGS,
      {},
      world.officer.token,
    );
    expect(flags.data!.myLeadReferrals.edges.find((e) => e.node.id === id)!.node).toMatchObject({
      intakeCompletedByDeadline: false,
    });
  });

  it('is FORBIDDEN to EMS', async () => {
    const world = await makeLeadWorld(hub);
    const ems = await makeUser(hub, Role.EMS_PROVIDER);
    const response = await hub.gql(
      REFER,
      {
        input: {
          door: 'SOCIAL_CONTACT',
          programId: world.program.id,
          county: world.county,
          subject: SUBJECT,
        },
      },
      ems.token,
    );
    expect(forbiddenPaths(response)).toEqual(['referToLead']);
    expect(await hub.em().count(LeadReferral, { program: world.program.id })).toBe(0);
  });
});
