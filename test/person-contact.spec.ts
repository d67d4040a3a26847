import { Role } from '../src/common/role';
import { CaseStatus } from '../src/modules/case/case-codes';
import { Case } from '../src/modules/case/case.entity';
import { loadIdentityViews } from '../src/modules/person/identity-view';
import { makeWorkedCase } from './support/consent-factory';
import { makeUser, type Actor, type RoutedCase } from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

const PERSON = `person { id phone street city state zip preferredContactMethod safeContactTimes
  doNotDiscloseToHousehold }`;
const PREFERENCES = `mutation ($caseId: ID!, $version: Int!, $input: ContactPreferencesInput!) {
  updateContactPreferences(caseId: $caseId, version: $version, input: $input) {
    id version ${PERSON}
  }
}`;
const CONTACT = `mutation ($caseId: ID!, $version: Int!, $input: PersonContactInput!) {
  updatePersonContact(caseId: $caseId, version: $version, input: $input) { id version ${PERSON} }
}`;

type CaseData = { id: string; version: number; person: Record<string, unknown> | null };

const fieldsOf = (response: GraphQLResponse<unknown>): unknown =>
  (response.errors?.[0]?.extensions?.fields as Array<{ field: string }> | undefined)?.map(
    (f) => f.field,
  );

describe('contact preferences and contact details', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const preferences = (routed: RoutedCase, actor: Actor, input: object, version = 1) =>
    hub.gql<{ updateContactPreferences: CaseData | null }>(
      PREFERENCES,
      { caseId: routed.kase.id, version, input },
      actor.token,
    );
  const contact = (routed: RoutedCase, actor: Actor, input: object, version = 1) =>
    hub.gql<{ updatePersonContact: CaseData | null }>(
      CONTACT,
      { caseId: routed.kase.id, version, input },
      actor.token,
    );
  /** The person as the routed agency's sources hold them (what a worker of it is served). */
  const stored = async (routed: RoutedCase) =>
    (await loadIdentityViews(hub.em(), routed.outreach.id, [routed.person!.id])).get(
      routed.person!.id,
    )!;
  const versionOf = async (routed: RoutedCase) =>
    (await hub.em().findOneOrFail(Case, routed.kase.id)).version;

  describe('updateContactPreferences', () => {
    it('records how the person wants to be reached and raises the case version', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const response = await preferences(routed, worker, {
        preferredContactMethod: 'TEXT',
        safeContactTimes: '  weekdays after 5pm ',
        doNotDiscloseToHousehold: false,
      });
      expect(response.errors).toBeUndefined();
      expect(response.data!.updateContactPreferences).toMatchObject({
        id: routed.kase.id,
        version: 2,
        person: {
          preferredContactMethod: 'TEXT',
          safeContactTimes: 'weekdays after 5pm',
          doNotDiscloseToHousehold: false,
          phone: '555-0100',
        },
      });
    });

    it('changes only what is given, and null clears', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      await preferences(routed, worker, {
        preferredContactMethod: 'PHONE',
        safeContactTimes: 'mornings',
      });
      const response = await preferences(
        routed,
        worker,
        { preferredContactMethod: null, doNotDiscloseToHousehold: true },
        2,
      );
      expect(response.data!.updateContactPreferences!.person).toMatchObject({
        preferredContactMethod: null,
        safeContactTimes: 'mornings',
        doNotDiscloseToHousehold: true,
      });
    });

    it.each([
      [
        'safe times over 200 characters',
        { safeContactTimes: 'x'.repeat(201) },
        ['input.safeContactTimes'],
      ],
      [
        'a null do-not-disclose flag',
        { doNotDiscloseToHousehold: null },
        ['input.doNotDiscloseToHousehold'],
      ],
      ['an empty input', {}, ['input']],
    ])('refuses %s, naming the field and changing nothing', async (_label, input, fields) => {
      const { routed, worker } = await makeWorkedCase(hub);
      const response = await preferences(routed, worker, input);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(fields);
      const person = await stored(routed);
      expect([person.safeContactTimes ?? null, person.doNotDiscloseToHousehold]).toEqual([
        null,
        true,
      ]);
      expect(await versionOf(routed)).toBe(1);
    });

    it('answers a stale version with CONFLICT and changes nothing', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      await preferences(routed, worker, { safeContactTimes: 'evenings' });
      const response = await preferences(routed, worker, { safeContactTimes: 'mornings' }, 1);
      expect(errorCodes(response)).toEqual(['CONFLICT']);
      expect((await stored(routed)).safeContactTimes).toBe('evenings');
    });

    it('refuses a sealed case and a closed one, naming caseId', async () => {
      const sealed = await makeWorkedCase(hub, { agreement: false });
      const closed = await makeWorkedCase(hub, { status: CaseStatus.CLOSED });
      for (const { routed, worker } of [sealed, closed]) {
        const response = await preferences(routed, worker, { safeContactTimes: 'evenings' });
        expect(fieldsOf(response)).toEqual(['caseId']);
        expect((await stored(routed)).safeContactTimes ?? null).toBeNull();
      }
    });

    it('answers another agency’s case exactly like a missing one', async () => {
      const { routed } = await makeWorkedCase(hub);
      const stranger = await makeUser(hub, Role.OUTREACH_WORKER);
      const response = await preferences(routed, stranger, { safeContactTimes: 'evenings' });
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      expect(response.errors![0].message).toBe('Case not found');
    });

    it.each([Role.AGENCY_ADMIN, Role.POLICE_OFFICER, Role.EMS_PROVIDER, Role.LEAD_CASE_MANAGER])(
      'is FORBIDDEN to %s',
      async (role) => {
        const { routed } = await makeWorkedCase(hub);
        const caller =
          role === Role.AGENCY_ADMIN
            ? await makeUser(hub, role, { agency: routed.outreach })
            : await makeUser(hub, role);
        const response = await preferences(routed, caller, { safeContactTimes: 'evenings' });
        expect(response.data).toEqual({ updateContactPreferences: null });
        expect(errorCodes(response)).toEqual(['FORBIDDEN']);
        expect((await stored(routed)).safeContactTimes ?? null).toBeNull();
      },
    );

    it('never shows the preferences to the agency admin', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      await preferences(routed, worker, { safeContactTimes: 'evenings' });
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      const response = await hub.gql<{ case: { person: unknown } }>(
        `query ($id: ID!) { case(id: $id) { ${PERSON} } }`,
        { id: routed.kase.id },
        admin.token,
      );
      expect(response.data!.case.person).toBeNull();
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    });
  });

  describe('updatePersonContact', () => {
    it('replaces the phone and the whole home address', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const response = await contact(routed, worker, {
        phone: '+1 (919) 555-0199',
        address: { street: '2 Oak Ave', city: 'Durham', state: 'NC', zip: '27701' },
      });
      expect(response.errors).toBeUndefined();
      expect(response.data!.updatePersonContact).toMatchObject({
        version: 2,
        person: {
          phone: '+1 (919) 555-0199',
          street: '2 Oak Ave',
          city: 'Durham',
          state: 'NC',
          zip: '27701',
        },
      });
    });

    it('clears the phone with null and leaves the address alone', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const response = await contact(routed, worker, { phone: null });
      expect(response.data!.updatePersonContact!.person).toMatchObject({
        phone: null,
        street: '1 Main St',
      });
    });

    it.each([
      ['a phone that is not one', { phone: 'call me maybe' }, ['input.phone']],
      ['a bad ZIP code', { address: { zip: '2770' } }, ['input.address.zip']],
      ['an empty input', {}, ['input']],
    ])('refuses %s, naming the field and changing nothing', async (_label, input, fields) => {
      const { routed, worker } = await makeWorkedCase(hub);
      const response = await contact(routed, worker, input);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(fieldsOf(response)).toEqual(fields);
      const person = await stored(routed);
      expect([person.phone, person.zip]).toEqual(['555-0100', '27000']);
      expect(await versionOf(routed)).toBe(1);
    });

    it('answers a stale version with CONFLICT', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const response = await contact(routed, worker, { phone: '919-555-0101' }, 7);
      expect(errorCodes(response)).toEqual(['CONFLICT']);
      expect((await stored(routed)).phone).toBe('555-0100');
    });

    it.each([Role.AGENCY_ADMIN, Role.POLICE_OFFICER, Role.LEAD_CASE_MANAGER])(
      'is FORBIDDEN to %s',
      async (role) => {
        const { routed } = await makeWorkedCase(hub);
        const caller = await makeUser(hub, role);
        const response = await contact(routed, caller, { phone: '919-555-0101' });
        expect(response.data).toEqual({ updatePersonContact: null });
        expect(errorCodes(response)).toEqual(['FORBIDDEN']);
        expect((await stored(routed)).phone).toBe('555-0100');
      },
    );
  });
});
