import { randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Agency } from '../src/modules/agency/agency.entity';
import { makeAgency, makeApiKey, makeUser, unique, type Actor } from './support/factories';
import { errorCodes, startTestHub, type TestHub } from './support/hub';
import { dataOf, onlyError } from './support/http';

const AGENCY_FIELDS = 'id name kind serviceCounties part2Program active';
const CREATE = `mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { ${AGENCY_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateAgencyInput!) {
  updateAgency(id: $id, input: $input) { ${AGENCY_FIELDS} }
}`;
const DEACTIVATE = 'mutation ($id: ID!) { deactivateAgency(id: $id) { id active } }';
const REACTIVATE = 'mutation ($id: ID!) { reactivateAgency(id: $id) { id active } }';
const AGENCY = `query ($id: ID!) { agency(id: $id) { ${AGENCY_FIELDS} } }`;
const ME = '{ me { role } }';

interface AgencyData {
  id: string;
  name: string;
  kind: string;
  serviceCounties: string[];
  part2Program: boolean;
  active: boolean;
}

describe('agency administration (HUB_ADMIN)', () => {
  let hub: TestHub;
  let admin: Actor;
  beforeAll(async () => {
    hub = await startTestHub();
    admin = await makeUser(hub, Role.HUB_ADMIN);
  });
  afterAll(() => hub.stop());

  const gql = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown>) =>
    hub.gql<T>(query, variables, admin.token);
  const reload = (id: string) => hub.em().findOneOrFail(Agency, { id });

  it('creates an agency with its service counties', async () => {
    const name = `County EMS ${unique()}`;
    const { createAgency } = dataOf(
      await gql<{ createAgency: AgencyData }>(CREATE, {
        input: {
          name: `  ${name} `,
          kind: 'TREATMENT',
          serviceCounties: ['37063', '37021'],
          part2Program: true,
        },
      }),
    );
    expect(createAgency).toEqual({
      id: expect.any(String),
      name,
      kind: 'TREATMENT',
      serviceCounties: ['37021', '37063'],
      part2Program: true,
      active: true,
    });
    expect((await reload(createAgency.id)).name).toBe(name);
  });

  it('refuses a second agency with the same name: CONFLICT, no SQL, nothing written', async () => {
    const existing = await makeAgency(hub, AgencyKind.EMS);
    const response = await gql(CREATE, { input: { name: existing.name, kind: 'LAW_ENFORCEMENT' } });
    expect(onlyError(response)).toEqual({
      code: 'CONFLICT',
      message: 'An agency with this name already exists',
      path: ['createAgency'],
    });
    expect(JSON.stringify(response)).not.toMatch(/insert|duplicate key|unique|constraint/i);
    expect(await hub.em().count(Agency, { name: existing.name })).toBe(1);
  });

  it('updates the fields given and leaves the others', async () => {
    const agency = await makeAgency(hub, AgencyKind.HARM_REDUCTION, { part2Program: true });
    const name = `Renamed ${unique()}`;
    const { updateAgency } = dataOf(
      await gql<{ updateAgency: AgencyData }>(UPDATE, {
        id: agency.id,
        input: { name, serviceCounties: ['37119', '37001'] },
      }),
    );
    expect(updateAgency).toEqual({
      id: agency.id,
      name,
      kind: 'HARM_REDUCTION',
      serviceCounties: ['37001', '37119'],
      part2Program: true,
      active: true,
    });
    expect((await reload(agency.id)).serviceCounties).toEqual(['37001', '37119']);
  });

  it("refuses to rename an agency to another's name and keeps the old one", async () => {
    const [first, second] = [
      await makeAgency(hub, AgencyKind.EMS),
      await makeAgency(hub, AgencyKind.EMS),
    ];
    const response = await gql(UPDATE, { id: second.id, input: { name: first.name } });
    expect(onlyError(response).code).toBe('CONFLICT');
    expect((await reload(second.id)).name).toBe(second.name);
  });

  it("deactivating an agency stops its users' and keys' next requests", async () => {
    const agency = await makeAgency(hub, AgencyKind.EMS);
    const medic = await makeUser(hub, Role.EMS_PROVIDER, { agency });
    const { key } = await makeApiKey(hub, agency, Role.EMS_PROVIDER);
    expect(dataOf(await hub.gql(ME, {}, medic.token))).toEqual({ me: { role: 'EMS_PROVIDER' } });

    const { deactivateAgency } = dataOf(await gql(DEACTIVATE, { id: agency.id }));
    expect(deactivateAgency).toEqual({ id: agency.id, active: false });

    for (const credential of [medic.token, key]) {
      const response = await hub.gql(ME, {}, credential);
      expect(response.status).toBe(401);
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('reactivating an agency lets its users back in', async () => {
    const agency = await makeAgency(hub, AgencyKind.EMS, { active: false });
    const medic = await makeUser(hub, Role.EMS_PROVIDER, { agency });
    expect(errorCodes(await hub.gql(ME, {}, medic.token))).toEqual(['UNAUTHENTICATED']);

    dataOf(await gql(REACTIVATE, { id: agency.id }));
    expect(dataOf(await hub.gql(ME, {}, medic.token))).toEqual({ me: { role: 'EMS_PROVIDER' } });
    expect((await reload(agency.id)).active).toBe(true);
  });

  it('lists active agencies, and inactive ones only when asked', async () => {
    const active = await makeAgency(hub, AgencyKind.EMS);
    const inactive = await makeAgency(hub, AgencyKind.EMS, { active: false });
    const ids = async (includeInactive: boolean) =>
      dataOf(
        await gql<{ agencies: Array<{ id: string }> }>(
          'query ($all: Boolean) { agencies(includeInactive: $all) { id } }',
          { all: includeInactive },
        ),
      ).agencies.map((a) => a.id);
    expect(await ids(false)).toContain(active.id);
    expect(await ids(false)).not.toContain(inactive.id);
    expect(await ids(true)).toEqual(expect.arrayContaining([active.id, inactive.id]));
  });

  it('reads one agency by id', async () => {
    const agency = await makeAgency(hub, AgencyKind.LEAD_PROGRAM);
    expect(dataOf(await gql(AGENCY, { id: agency.id }))).toEqual({
      agency: {
        id: agency.id,
        name: agency.name,
        kind: 'LEAD_PROGRAM',
        serviceCounties: agency.serviceCounties,
        part2Program: false,
        active: true,
      },
    });
  });

  it.each([
    ['a missing id', randomUUID()],
    ['a malformed id', 'not-a-uuid'],
  ])('answers %s with NOT_FOUND', async (_label, id) => {
    for (const [query, path] of [
      [AGENCY, 'agency'],
      [DEACTIVATE, 'deactivateAgency'],
      [REACTIVATE, 'reactivateAgency'],
    ]) {
      expect(onlyError(await gql(query, { id }))).toEqual({
        code: 'NOT_FOUND',
        message: 'Agency not found',
        path: [path],
      });
    }
    expect(onlyError(await gql(UPDATE, { id, input: { name: 'x y' } })).code).toBe('NOT_FOUND');
  });
});
