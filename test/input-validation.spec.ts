import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { Agency } from '../src/modules/agency/agency.entity';
import { User } from '../src/modules/agency/user.entity';
import { makeAgency, makeUser, unique, type Actor } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { request, type RawResponse } from './support/http';

const CREATE_AGENCY = `mutation ($input: CreateAgencyInput!) {
  createAgency(input: $input) { id }
}`;
const UPDATE_AGENCY = `mutation ($id: ID!, $input: UpdateAgencyInput!) {
  updateAgency(id: $id, input: $input) { id name serviceCounties part2Program }
}`;
const CREATE_USER = `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`;

/** A value no message may quote back: it stands for a name, a phone number, an address. */
const secretValue = () => `Zebulon${unique().replace(/-/g, '')}`;

describe('input validation', () => {
  let hub: TestHub;
  let hubAdmin: Actor;
  let agencyAdmin: Actor;
  beforeAll(async () => {
    hub = await startTestHub();
    hubAdmin = await makeUser(hub, Role.HUB_ADMIN);
    agencyAdmin = await makeUser(hub, Role.AGENCY_ADMIN);
  });
  afterAll(() => hub.stop());

  const send = (query: string, variables: Record<string, unknown>, credential: string) =>
    request(hub, '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: JSON.stringify({ query, variables }),
    });

  /** The single error of a refused input, with the whole body checked for the secret. */
  const refusal = (response: RawResponse, secret?: string) => {
    if (secret) expect(response.text).not.toContain(secret);
    expect(response.json?.errors).toHaveLength(1);
    const [error] = response.json!.errors!;
    return {
      code: error.extensions?.code,
      message: error.message,
      fields: (error.extensions?.fields as Array<{ field: string }> | undefined)?.map(
        (f) => f.field,
      ),
    };
  };

  const agencyCount = (name: string) => hub.em().count(Agency, { name });

  describe('checked by the input rules', () => {
    it('refuses a county that is not a five-digit FIPS code, naming the field', async () => {
      const name = `Agency ${unique()}`;
      const county = secretValue();
      const response = await send(
        CREATE_AGENCY,
        { input: { name, kind: 'EMS', serviceCounties: ['37021', county] } },
        hubAdmin.token,
      );
      expect(refusal(response, county)).toEqual({
        code: 'BAD_USER_INPUT',
        message: 'Invalid input: input.serviceCounties: each county must be a five-digit FIPS code',
        fields: ['input.serviceCounties'],
      });
      expect(await agencyCount(name)).toBe(0);
    });

    it('refuses a bad county on update and leaves the agency as it was', async () => {
      const agency = await makeAgency(hub, AgencyKind.EMS);
      const response = await send(
        UPDATE_AGENCY,
        { id: agency.id, input: { serviceCounties: ['3702'] } },
        hubAdmin.token,
      );
      expect(refusal(response).fields).toEqual(['input.serviceCounties']);
      const reloaded = await hub.em().findOneOrFail(Agency, { id: agency.id });
      expect(reloaded.serviceCounties).toEqual(agency.serviceCounties);
    });

    it('refuses an empty name', async () => {
      const response = await send(
        CREATE_AGENCY,
        { input: { name: '', kind: 'EMS' } },
        hubAdmin.token,
      );
      const { code, message, fields } = refusal(response);
      expect(code).toBe('BAD_USER_INPUT');
      expect(message).toMatch(/^Invalid input: input\.name: /);
      expect(new Set(fields)).toEqual(new Set(['input.name']));
    });

    it('refuses a name of spaces only, which would be stored empty', async () => {
      const response = await send(
        CREATE_AGENCY,
        { input: { name: '      ', kind: 'EMS' } },
        hubAdmin.token,
      );
      expect(refusal(response)).toEqual({
        code: 'BAD_USER_INPUT',
        message: 'Invalid input: input.name: must not be blank',
        fields: ['input.name'],
      });
      expect(await agencyCount('')).toBe(0);
    });

    it('refuses a malformed email without quoting it', async () => {
      const email = `${secretValue()}-at-example.org`;
      const response = await send(
        CREATE_USER,
        { input: { email, displayName: 'Dana', role: 'OUTREACH_WORKER' } },
        agencyAdmin.token,
      );
      expect(refusal(response, email)).toEqual({
        code: 'BAD_USER_INPUT',
        message: 'Invalid input: input.email: must be an email',
        fields: ['input.email'],
      });
      expect(await hub.em().count(User, { email })).toBe(0);
    });

    it('lists every problem of one input at once', async () => {
      const response = await send(
        CREATE_USER,
        { input: { email: 'nope', displayName: ' ', role: 'OUTREACH_WORKER' } },
        agencyAdmin.token,
      );
      expect(refusal(response).fields?.sort()).toEqual(['input.displayName', 'input.email']);
    });
  });

  describe('checked by GraphQL while reading variables', () => {
    it('refuses an unknown enum value, naming the field and the enum but not the value', async () => {
      const kind = secretValue();
      const response = await send(
        CREATE_AGENCY,
        { input: { name: `Agency ${unique()}`, kind } },
        hubAdmin.token,
      );
      expect(response.status).toBe(400);
      expect(refusal(response, kind)).toEqual({
        code: 'BAD_USER_INPUT',
        message:
          'Invalid value for variable "$input" at "input.kind": must be one of the values of AgencyKind.',
        fields: ['input.kind'],
      });
    });

    it('refuses a variable of the wrong type, naming it and the expected type', async () => {
      const flag = secretValue();
      const response = await send(
        'query ($flag: Boolean) { agencies(includeInactive: $flag) { id } }',
        { flag },
        hubAdmin.token,
      );
      expect(refusal(response, flag)).toEqual({
        code: 'BAD_USER_INPUT',
        message: 'Invalid value for variable "$flag" at "flag": must be a valid Boolean.',
        fields: ['flag'],
      });
    });

    it('refuses a field of the wrong type inside an input object', async () => {
      const flag = secretValue();
      const response = await send(
        CREATE_AGENCY,
        { input: { name: `Agency ${unique()}`, kind: 'EMS', part2Program: flag } },
        hubAdmin.token,
      );
      expect(refusal(response, flag)).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: ['input.part2Program'],
      });
    });

    it('refuses an unknown input field, naming it, without quoting the other values', async () => {
      const name = secretValue();
      const response = await send(
        CREATE_AGENCY,
        { input: { name, kind: 'EMS', nickname: 'x' } },
        hubAdmin.token,
      );
      expect(refusal(response, name)).toEqual({
        code: 'BAD_USER_INPUT',
        message:
          'Invalid value for variable "$input" at "input.nickname": is not a field of CreateAgencyInput.',
        fields: ['input.nickname'],
      });
      expect(await agencyCount(name)).toBe(0);
    });

    it('refuses a missing required input field', async () => {
      const name = secretValue();
      const response = await send(CREATE_AGENCY, { input: { name } }, hubAdmin.token);
      expect(refusal(response, name)).toEqual({
        code: 'BAD_USER_INPUT',
        message: 'Invalid value for variable "$input" at "input.kind": is required (AgencyKind!).',
        fields: ['input.kind'],
      });
    });

    it('refuses null for a required input field', async () => {
      const name = secretValue();
      const response = await send(CREATE_AGENCY, { input: { name, kind: null } }, hubAdmin.token);
      expect(refusal(response, name)).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: ['input.kind'],
      });
    });

    it('refuses a missing required variable', async () => {
      const response = await send(CREATE_AGENCY, {}, hubAdmin.token);
      expect(refusal(response)).toEqual({
        code: 'BAD_USER_INPUT',
        message: 'Variable "$input" of required type "CreateAgencyInput!" was not provided.',
        fields: ['input'],
      });
    });
  });

  describe('checked by GraphQL in the query document', () => {
    it('refuses an unknown enum value written in the query without quoting it', async () => {
      const kind = secretValue().toUpperCase();
      const response = await send(
        `mutation { createAgency(input: {name: "Agency ${unique()}", kind: ${kind}}) { id } }`,
        {},
        hubAdmin.token,
      );
      expect(refusal(response, kind)).toEqual({
        code: 'GRAPHQL_VALIDATION_FAILED',
        message: 'Invalid value: must be one of the values of AgencyKind.',
        fields: undefined,
      });
    });

    it('refuses a literal of the wrong type without quoting it', async () => {
      const flag = secretValue();
      const response = await send(
        `{ agencies(includeInactive: "${flag}") { id } }`,
        {},
        hubAdmin.token,
      );
      expect(refusal(response, flag)).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
    });

    it('refuses a query without a required argument', async () => {
      const response = await send('mutation { createAgency { id } }', {}, hubAdmin.token);
      expect(refusal(response)).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(refusal(response).message).toMatch(/argument "input"/);
    });

    it('does not quote a string from a query that fails to parse', async () => {
      const secret = secretValue();
      const response = await send(`{ me { role } "${secret}"`, {}, hubAdmin.token);
      expect(refusal(response, secret)).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED' });
    });
  });

  describe('text PostgreSQL cannot store', () => {
    it('refuses a NUL character in a variable with BAD_USER_INPUT and stores nothing', async () => {
      const name = `Agency ${unique()}`;
      const response = await send(
        CREATE_AGENCY,
        { input: { name: `${name}\u0000`, kind: 'EMS' } },
        hubAdmin.token,
      );
      expect(response.status).toBe(400);
      expect(refusal(response, name)).toEqual({
        code: 'BAD_USER_INPUT',
        message: 'Invalid input: text must not contain NUL characters (U+0000)',
        fields: undefined,
      });
      expect(await hub.em().count(Agency, { name: { $like: `${name}%` } })).toBe(0);
    });

    it('refuses a NUL character written into the query', async () => {
      const name = `Agency ${unique()}`;
      const response = await send(
        `mutation { createAgency(input: {name: "${name}\\u0000", kind: EMS}) { id } }`,
        {},
        hubAdmin.token,
      );
      expect(refusal(response, name).code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(await hub.em().count(Agency, { name: { $like: `${name}%` } })).toBe(0);
    });
  });

  describe('explicit nulls in an update', () => {
    it('leaves the fields as they were', async () => {
      const agency = await makeAgency(hub, AgencyKind.EMS, { part2Program: true });
      const response = await send(
        UPDATE_AGENCY,
        { id: agency.id, input: { name: null, serviceCounties: null, part2Program: null } },
        hubAdmin.token,
      );
      expect(response.json?.errors).toBeUndefined();
      expect(response.json?.data).toEqual({
        updateAgency: {
          id: agency.id,
          name: agency.name,
          serviceCounties: agency.serviceCounties,
          part2Program: true,
        },
      });
    });
  });
});
