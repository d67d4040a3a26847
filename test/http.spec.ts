import { Role } from '../src/common/role';
import { Agency } from '../src/modules/agency/agency.entity';
import { User } from '../src/modules/agency/user.entity';
import { makeUser, unique } from './support/factories';
import { startTestHub, TEST_SECRETS, type TestHub } from './support/hub';
import { request } from './support/http';

const json = (credential?: string): Record<string, string> => ({
  'content-type': 'application/json',
  ...(credential ? { authorization: `Bearer ${credential}` } : {}),
});
const post = (body: unknown, credential?: string): RequestInit => ({
  method: 'POST',
  headers: json(credential),
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** What a stack trace or a framework error page would leave in a body. */
const expectNoInternals = (text: string) => {
  expect(text).not.toMatch(
    /"stack"|\bat .+:\d+:\d+|node_modules|<html|\b(Syntax|Type|Reference)Error\b/,
  );
};

describe('HTTP surface', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ BODY_LIMIT: '1kb' });
  });
  afterAll(() => hub.stop());

  describe('health endpoints', () => {
    it('answers /healthz with 200 without credentials', async () => {
      const response = await request(hub, '/healthz');
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ status: 'ok' });
    });

    it('answers /readyz with 200 while the database is reachable', async () => {
      const response = await request(hub, '/readyz');
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ status: 'ready' });
    });
  });

  describe('request bodies', () => {
    it('answers a malformed JSON body with a GraphQL-shaped 400 and no stack', async () => {
      const response = await request(hub, '/graphql', post('{"query": "{ me { role } }"'));
      expect(response.status).toBe(400);
      expect(response.json?.errors).toEqual([
        {
          message: 'Request body is not valid JSON',
          extensions: { code: 'BAD_REQUEST', requestId: response.headers.get('x-request-id') },
        },
      ]);
      expectNoInternals(response.text);
    });

    it('answers a body over BODY_LIMIT with 413', async () => {
      const admin = await makeUser(hub, Role.HUB_ADMIN);
      const name = `Oversized ${unique()} ${'x'.repeat(2048)}`;
      const response = await request(
        hub,
        '/graphql',
        post(
          {
            query: 'mutation ($n: String!) { createAgency(input: {name: $n, kind: EMS}) { id } }',
            variables: { n: name },
          },
          admin.token,
        ),
      );
      expect(response.status).toBe(413);
      expect(response.json?.errors?.[0]).toMatchObject({
        message: 'Request body is too large',
        extensions: { code: 'BAD_REQUEST' },
      });
      expect(await hub.em().count(Agency, { name })).toBe(0);
    });

    it('refuses a batched request (a JSON array) and runs none of it', async () => {
      const admin = await makeUser(hub, Role.HUB_ADMIN);
      const name = `Batched ${unique()}`;
      const create = {
        query: 'mutation ($n: String!) { createAgency(input: {name: $n, kind: EMS}) { id } }',
        variables: { n: name },
      };
      const response = await request(hub, '/graphql', post([create, create], admin.token));
      expect(response.status).toBe(400);
      expect(response.json?.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
      expect(await hub.em().count(Agency, { name })).toBe(0);
    });
  });

  describe('CSRF prevention', () => {
    it('refuses a mutation sent with GET and changes nothing', async () => {
      const admin = await makeUser(hub, Role.AGENCY_ADMIN);
      const colleague = await makeUser(hub, Role.OUTREACH_WORKER, { agency: admin.agency });
      const query = `mutation { deactivateUser(id: "${colleague.user.id}") { id active } }`;
      const response = await request(hub, `/graphql?query=${encodeURIComponent(query)}`, {
        headers: { authorization: `Bearer ${admin.token}`, 'apollo-require-preflight': 'true' },
      });
      expect(response.status).toBe(405);
      expect(response.json?.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
      const reloaded = await hub.em().findOneOrFail(User, { id: colleague.user.id });
      expect(reloaded.active).toBe(true);
    });

    it('refuses a form-encoded POST (a request a browser sends cross-site without preflight)', async () => {
      const admin = await makeUser(hub, Role.HUB_ADMIN);
      const response = await request(hub, '/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Bearer ${admin.token}`,
        },
        body: `query=${encodeURIComponent('{ me { role } }')}`,
      });
      expect(response.status).toBe(400);
      expect(response.json?.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
      expect(response.json?.errors?.[0].message).toMatch(/Cross-Site Request Forgery/);
      expect(response.json?.data).toBeUndefined();
    });

    it('refuses a GET query without a preflight-forcing header', async () => {
      const officer = await makeUser(hub, Role.POLICE_OFFICER);
      const response = await request(
        hub,
        `/graphql?query=${encodeURIComponent('{ me { role } }')}`,
        {
          headers: { authorization: `Bearer ${officer.token}` },
        },
      );
      expect(response.status).toBe(400);
      expect(response.json?.errors?.[0].message).toMatch(/Cross-Site Request Forgery/);
    });
  });

  describe('GraphQL errors', () => {
    it('answers an unknown field with GRAPHQL_VALIDATION_FAILED and no "Did you mean" hint', async () => {
      const officer = await makeUser(hub, Role.POLICE_OFFICER);
      const response = await hub.gql('{ me { rol } }', {}, officer.token);
      expect(response.status).toBe(400);
      expect(response.errors?.map((e) => e.extensions?.code)).toEqual([
        'GRAPHQL_VALIDATION_FAILED',
      ]);
      expect(response.errors?.[0].message).toBe('Cannot query field "rol" on type "Me".');
      expect(JSON.stringify(response.errors)).not.toMatch(/did you mean/i);
    });

    it('answers a syntax error with GRAPHQL_PARSE_FAILED and no stack', async () => {
      const officer = await makeUser(hub, Role.POLICE_OFFICER);
      const response = await request(
        hub,
        '/graphql',
        post({ query: '{ me { role }' }, officer.token),
      );
      expect(response.status).toBe(400);
      expect(response.json?.errors?.map((e) => e.extensions?.code)).toEqual([
        'GRAPHQL_PARSE_FAILED',
      ]);
      expectNoInternals(response.text);
    });

    it('answers an unknown path with a JSON 404, not an HTML page', async () => {
      const response = await request(hub, '/no-such-endpoint');
      expect(response.status).toBe(404);
      expect(response.json?.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
      expectNoInternals(response.text);
    });
  });

  describe('request ids', () => {
    it('sets X-Request-Id on GraphQL, health and error responses', async () => {
      const responses = await Promise.all([
        request(hub, '/graphql', post({ query: '{ me { role } }' })),
        request(hub, '/healthz'),
        request(hub, '/graphql', post('{')),
      ]);
      for (const response of responses) {
        expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      }
      expect(new Set(responses.map((r) => r.headers.get('x-request-id'))).size).toBe(3);
    });

    it('keeps a well-formed client request id and replaces one that is not', async () => {
      const given = `trace-${unique()}`;
      const kept = await request(hub, '/healthz', { headers: { 'x-request-id': given } });
      expect(kept.headers.get('x-request-id')).toBe(given);
      const replaced = await request(hub, '/healthz', {
        headers: { 'x-request-id': 'bad id with spaces <script>' },
      });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('development mode', () => {
    it('answers introspection', async () => {
      const officer = await makeUser(hub, Role.POLICE_OFFICER);
      const response = await hub.gql('{ __schema { queryType { name } } }', {}, officer.token);
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    });

    it('serves the Apollo Sandbox landing page to a browser', async () => {
      const response = await request(hub, '/graphql', { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
    });
  });

  describe('production mode', () => {
    let production: TestHub;
    beforeAll(async () => {
      production = await startTestHub({ NODE_ENV: 'production', ...TEST_SECRETS });
    });
    afterAll(() => production.stop());

    it('refuses introspection even to an authenticated caller', async () => {
      const admin = await makeUser(production, Role.HUB_ADMIN);
      const response = await production.gql('{ __schema { queryType { name } } }', {}, admin.token);
      expect(response.status).toBe(400);
      expect(response.errors?.map((e) => e.extensions?.code)).toEqual([
        'GRAPHQL_VALIDATION_FAILED',
      ]);
      expect(response.data ?? null).toBeNull();
    });

    it('still answers ordinary queries', async () => {
      const admin = await makeUser(production, Role.HUB_ADMIN);
      const response = await production.gql('{ me { role } }', {}, admin.token);
      expect(response.data).toEqual({ me: { role: 'HUB_ADMIN' } });
    });

    it('serves no landing page', async () => {
      const response = await request(production, '/graphql', { headers: { accept: 'text/html' } });
      expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    });
  });
});
