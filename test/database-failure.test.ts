import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { makeAgency, makeApiKey, makeUser } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { request, throwawayDatabase } from './support/http';

const GENERIC = 'Internal error. Quote the request id when reporting it.';

/** Nothing of the database, the SQL or the code may reach the client. */
const expectMasked = (text: string) => {
  expect(text).not.toMatch(/app_user|relation|select|"stack"|\bat .+:\d+:\d+|node_modules/i);
};

/**
 * The hub on a database that breaks under it. Runs on its own throwaway database because the
 * tests damage it: a table disappears, then the connection closes.
 */
describe('when the database fails', () => {
  let hub: TestHub;
  let drop: () => Promise<void>;
  let officerToken: string;
  let adminKey: string;

  beforeAll(async () => {
    const database = await throwawayDatabase();
    drop = database.drop;
    hub = await startTestHub(database.env);
    officerToken = (await makeUser(hub, Role.POLICE_OFFICER)).token;
    // Written straight to the database: an API key authenticates without reading app_user.
    adminKey = (await makeApiKey(hub, await makeAgency(hub, AgencyKind.EMS), Role.AGENCY_ADMIN))
      .key;
    await hub.em().getConnection().execute('alter table app_user rename to app_user_gone');
  });
  afterAll(async () => {
    await hub.stop();
    await drop();
  });

  it('masks an error inside a resolver: generic message, code, request id, no SQL', async () => {
    const response = await request(hub, '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ query: '{ me { kind } agencyUsers { id email } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.json?.data).toEqual({ me: { kind: 'API_KEY' }, agencyUsers: null });
    expect(response.json?.errors).toEqual([
      {
        message: GENERIC,
        path: ['agencyUsers'],
        extensions: {
          code: 'INTERNAL_SERVER_ERROR',
          requestId: response.headers.get('x-request-id'),
        },
      },
    ]);
    expectMasked(response.text);
  });

  it('masks an error while authenticating the same way, with the request id', async () => {
    const response = await request(hub, '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${officerToken}` },
      body: JSON.stringify({ query: '{ me { role } }' }),
    });
    expect(response.status).toBe(500);
    expect(response.json?.errors).toEqual([
      {
        message: GENERIC,
        extensions: {
          code: 'INTERNAL_SERVER_ERROR',
          requestId: response.headers.get('x-request-id'),
        },
      },
    ]);
    expectMasked(response.text);
  });

  it('reports not ready (503) once the database is gone, while /healthz stays 200', async () => {
    await hub.server.orm.close(true);
    const ready = await request(hub, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ status: 'database unreachable' });
    expect((await request(hub, '/healthz')).status).toBe(200);
  });
});
