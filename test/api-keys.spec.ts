import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { ApiKey } from '../src/modules/agency/api-key.entity';
import { makeAgency, makeApiKey, makeUser, unique, type Actor } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';
import { dataOf, onlyError } from './support/http';

const KEY_FIELDS = 'id label role prefix createdAt lastUsedAt revokedAt agency { id }';
const CREATE = `mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { key apiKey { ${KEY_FIELDS} } }
}`;
const REVOKE = 'mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }';
const LIST = `query ($agencyId: ID, $all: Boolean) {
  apiKeys(agencyId: $agencyId, includeRevoked: $all) { ${KEY_FIELDS} }
}`;
const ME = '{ me { kind role agency { id } apiKey { id } } }';

interface KeyData {
  id: string;
  label: string;
  role: string;
  prefix: string;
  revokedAt: string | null;
  agency: { id: string };
}
interface Created {
  createApiKey: { key: string; apiKey: KeyData };
}

describe('API keys', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const count = (where: Record<string, unknown>) => hub.em().count(ApiKey, where);

  describe('an AGENCY_ADMIN of an EMS agency', () => {
    let admin: Actor;
    beforeEach(async () => {
      admin = await makeUser(hub, Role.AGENCY_ADMIN, {
        agency: await makeAgency(hub, AgencyKind.EMS),
      });
    });

    const create = async (input: Record<string, unknown>) =>
      dataOf(await hub.gql<Created>(CREATE, { input }, admin.token)).createApiKey;

    it('creates a key, shown once, that works as a Bearer credential', async () => {
      const label = `ePCR ${unique()}`;
      const { key, apiKey } = await create({ label, role: 'EMS_PROVIDER' });
      expect(apiKey).toMatchObject({
        label,
        role: 'EMS_PROVIDER',
        revokedAt: null,
        agency: { id: admin.agency.id },
      });
      expect(key.startsWith(`orhk_${apiKey.prefix}_`)).toBe(true);

      expect(dataOf(await hub.gql(ME, {}, key))).toEqual({
        me: {
          kind: 'API_KEY',
          role: 'EMS_PROVIDER',
          agency: { id: admin.agency.id },
          apiKey: { id: apiKey.id },
        },
      });
    });

    it('stores only a hash of the key', async () => {
      const { key, apiKey } = await create({ label: `ePCR ${unique()}`, role: 'EMS_PROVIDER' });
      const row = await hub
        .em()
        .findOneOrFail(ApiKey, { id: apiKey.id }, { populate: ['secretHash'] });
      const secret = key.split('_').slice(2).join('_');
      expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(secret);
    });

    it('lists its keys without the secret', async () => {
      const { key, apiKey } = await create({ label: `ePCR ${unique()}`, role: 'EMS_PROVIDER' });
      const response = await hub.gql<{ apiKeys: KeyData[] }>(LIST, {}, admin.token);
      expect(dataOf(response).apiKeys.map((k) => [k.id, k.prefix])).toEqual([
        [apiKey.id, apiKey.prefix],
      ]);
      expect(JSON.stringify(response)).not.toContain(key.split('_').slice(2).join('_'));
    });

    it('revokes a key: its next request is UNAUTHENTICATED and it leaves the default list', async () => {
      const { key, apiKey } = await create({ label: `ePCR ${unique()}`, role: 'EMS_PROVIDER' });
      const { revokeApiKey } = dataOf(
        await hub.gql<{ revokeApiKey: KeyData }>(REVOKE, { id: apiKey.id }, admin.token),
      );
      expect(revokeApiKey.revokedAt).toEqual(expect.any(String));

      const refused = await hub.gql(ME, {}, key);
      expect(refused.status).toBe(401);
      expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);

      const listed = async (all: boolean) =>
        dataOf(await hub.gql<{ apiKeys: KeyData[] }>(LIST, { all }, admin.token)).apiKeys.map(
          (k) => [k.id, k.revokedAt],
        );
      expect(await listed(false)).toEqual([]);
      expect(await listed(true)).toEqual([[apiKey.id, revokeApiKey.revokedAt]]);
    });

    it('keeps the first revocation time when a key is revoked again', async () => {
      const { apiKey } = await create({ label: `ePCR ${unique()}`, role: 'EMS_PROVIDER' });
      const first = dataOf(
        await hub.gql<{ revokeApiKey: KeyData }>(REVOKE, { id: apiKey.id }, admin.token),
      );
      const again = dataOf(
        await hub.gql<{ revokeApiKey: KeyData }>(REVOKE, { id: apiKey.id }, admin.token),
      );
      expect(again.revokeApiKey.revokedAt).toBe(first.revokeApiKey.revokedAt);
    });

    it.each(['OUTREACH_WORKER', 'AGENCY_ADMIN', 'HUB_ADMIN'])(
      'refuses a key with the person-facing role %s, naming input.role, writing nothing',
      async (role) => {
        const label = `ePCR ${unique()}`;
        const error = onlyError(await hub.gql(CREATE, { input: { label, role } }, admin.token));
        expect(error).toMatchObject({ code: 'BAD_USER_INPUT', fields: ['input.role'] });
        expect(await count({ label })).toBe(0);
      },
    );

    it("refuses a machine role the agency's kind does not have", async () => {
      const label = `RMS ${unique()}`;
      const response = await hub.gql(
        CREATE,
        { input: { label, role: 'POLICE_OFFICER' } },
        admin.token,
      );
      expect(onlyError(response)).toMatchObject({ code: 'BAD_USER_INPUT', fields: ['input.role'] });
      expect(await count({ label })).toBe(0);
    });

    it("answers another agency's key exactly like a missing or malformed id, and leaves it working", async () => {
      const elsewhere = await makeAgency(hub, AgencyKind.EMS);
      const { apiKey, key } = await makeApiKey(hub, elsewhere, Role.EMS_PROVIDER);
      const foreign = onlyError(await hub.gql(REVOKE, { id: apiKey.id }, admin.token));
      expect(foreign).toMatchObject({ code: 'NOT_FOUND', message: 'API key not found' });
      expect(onlyError(await hub.gql(REVOKE, { id: randomUUID() }, admin.token))).toEqual(foreign);
      expect(onlyError(await hub.gql(REVOKE, { id: 'orhk_nope' }, admin.token))).toEqual(foreign);
      expect(dataOf(await hub.gql(ME, {}, key))).toMatchObject({ me: { kind: 'API_KEY' } });
    });

    it('cannot list or create keys of another agency: it answers like a missing agency', async () => {
      const elsewhere = await makeAgency(hub, AgencyKind.EMS);
      const listed = onlyError(await hub.gql(LIST, { agencyId: elsewhere.id }, admin.token));
      expect(listed).toMatchObject({ code: 'NOT_FOUND', message: 'Agency not found' });
      expect(onlyError(await hub.gql(LIST, { agencyId: randomUUID() }, admin.token))).toEqual(
        listed,
      );

      const label = `ePCR ${unique()}`;
      const created = await hub.gql(
        CREATE,
        { input: { label, role: 'EMS_PROVIDER', agencyId: elsewhere.id } },
        admin.token,
      );
      expect(onlyError(created)).toMatchObject({ code: 'NOT_FOUND', message: 'Agency not found' });
      expect(await count({ label })).toBe(0);
    });
  });

  describe('the HUB_ADMIN', () => {
    let operator: Actor;
    beforeAll(async () => {
      operator = await makeUser(hub, Role.HUB_ADMIN);
    });

    it('creates a key for the agency it names', async () => {
      const police = await makeAgency(hub, AgencyKind.LAW_ENFORCEMENT);
      const { createApiKey } = dataOf(
        await hub.gql<Created>(
          CREATE,
          { input: { label: `RMS ${unique()}`, role: 'POLICE_OFFICER', agencyId: police.id } },
          operator.token,
        ),
      );
      expect(createApiKey.apiKey.agency).toEqual({ id: police.id });
      expect(dataOf(await hub.gql(ME, {}, createApiKey.key))).toMatchObject({
        me: { role: 'POLICE_OFFICER', agency: { id: police.id } },
      });
    });

    it('revokes a key of any agency', async () => {
      const { apiKey, key } = await makeApiKey(
        hub,
        await makeAgency(hub, AgencyKind.EMS),
        Role.EMS_PROVIDER,
      );
      dataOf(await hub.gql(REVOKE, { id: apiKey.id }, operator.token));
      expect(errorCodes(await hub.gql(ME, {}, key))).toEqual(['UNAUTHENTICATED']);
    });

    it('must say which agency a new key is for', async () => {
      const label = `ePCR ${unique()}`;
      const response = await hub.gql(
        CREATE,
        { input: { label, role: 'EMS_PROVIDER' } },
        operator.token,
      );
      expect(onlyError(response)).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: ['input.agencyId'],
      });
      expect(await count({ label })).toBe(0);
    });
  });
});
