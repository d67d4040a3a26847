import { Role } from '../src/common/role';
import { isEncrypted } from '../src/crypto/field-cipher';
import { CaseStatus } from '../src/modules/case/case-codes';
import { ConsentScope } from '../src/modules/outreach/outreach-codes';
import { makeConsent } from './support/consent-factory';
import { makeRoutedCase, makeUser, type Actor, type RoutedCase } from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

const DAY = 86_400_000;
const RECORD = `mutation($caseId: ID!, $input: FamilyContactInput!) {
  recordFamilyContact(caseId: $caseId, input: $input) { id name relationship phone } }`;
const READ = `query($id: ID!) { case(id: $id) { id familyContacts { name relationship phone } } }`;

const fieldsOf = (response: GraphQLResponse<unknown>) =>
  (response.errors?.[0]?.extensions?.fields as Array<{ field: string }> | undefined)?.map(
    (f) => f.field,
  );
const forbiddenPaths = (response: GraphQLResponse<unknown>): string[] =>
  (response.errors ?? [])
    .filter((e) => e.extensions?.code === 'FORBIDDEN')
    .map((e) => (e.path ?? []).join('.'))
    .sort();

/** Issue 14 point 6: CONTACT_FAMILY unlocks recording family contacts on the case. */
describe('family contacts under CONTACT_FAMILY', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  async function engaged(): Promise<RoutedCase & { worker: Actor }> {
    const routed = await makeRoutedCase(hub, { status: CaseStatus.ENGAGED });
    const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: routed.outreach });
    return { ...routed, worker };
  }
  const input = { name: 'Robin Hale', relationship: 'mother', phone: '828-555-0111' };
  const count = async (caseId: string) =>
    (
      await hub
        .em()
        .execute<Array<{ n: number }>>(
          'select count(*)::int as n from family_contact where case_id = ?',
          [caseId],
        )
    )[0].n;

  it('records a family contact while the consent is in force, encrypted at rest', async () => {
    const world = await engaged();
    await makeConsent(hub, world.kase, {
      recordedBy: world.worker,
      scope: ConsentScope.CONTACT_FAMILY,
    });
    const recorded = await hub.gql<{ recordFamilyContact: Record<string, string> }>(
      RECORD,
      { caseId: world.kase.id, input },
      world.worker.token,
    );
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data!.recordFamilyContact).toMatchObject(input);
    const read = await hub.gql<{ case: { familyContacts: unknown[] } }>(
      READ,
      { id: world.kase.id },
      world.worker.token,
    );
    expect(read.data!.case.familyContacts).toEqual([input]);
    const [row] = await hub
      .em()
      .execute<Array<{ name: string; phone: string }>>(
        'select name, phone from family_contact where case_id = ?',
        [world.kase.id],
      );
    expect(isEncrypted(row.name)).toBe(true);
    expect(isEncrypted(row.phone)).toBe(true);
  });

  it.each([
    ['no consent', undefined],
    ['a revoked consent', new Date(Date.now() - DAY / 2)],
  ])('refuses with %s, naming caseId and writing nothing', async (_label, revokedAt) => {
    const world = await engaged();
    if (revokedAt) {
      await makeConsent(hub, world.kase, {
        recordedBy: world.worker,
        scope: ConsentScope.CONTACT_FAMILY,
        revokedAt,
      });
    }
    const response = await hub.gql(RECORD, { caseId: world.kase.id, input }, world.worker.token);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(fieldsOf(response)).toEqual(['caseId']);
    expect(await count(world.kase.id)).toBe(0);
  });

  it('refuses a blank name, naming the field', async () => {
    const world = await engaged();
    const response = await hub.gql(
      RECORD,
      { caseId: world.kase.id, input: { ...input, name: '' } },
      world.worker.token,
    );
    // Empty is both too short and not printable text: each problem is named, all on input.name.
    expect(new Set(fieldsOf(response))).toEqual(new Set(['input.name']));
    expect(await count(world.kase.id)).toBe(0);
  });

  it('answers NOT_FOUND for a case of another agency', async () => {
    const world = await engaged();
    const other = await engaged();
    await makeConsent(hub, world.kase, {
      recordedBy: world.worker,
      scope: ConsentScope.CONTACT_FAMILY,
    });
    const response = await hub.gql(RECORD, { caseId: world.kase.id, input }, other.worker.token);
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    expect(await count(world.kase.id)).toBe(0);
  });

  it.each([Role.AGENCY_ADMIN, Role.POLICE_OFFICER, Role.TREATMENT_PROVIDER])(
    'is FORBIDDEN to %s',
    async (role) => {
      const world = await engaged();
      const caller = await makeUser(hub, role);
      const response = await hub.gql(RECORD, { caseId: world.kase.id, input }, caller.token);
      expect(forbiddenPaths(response)).toEqual(['recordFamilyContact']);
      expect(await count(world.kase.id)).toBe(0);
    },
  );
});
