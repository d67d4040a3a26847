import { serverAudits, type AuditResult } from 'graphql-http';
import { Role } from '../src/common/role';
import { makeUser } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { note } from './support/note';

/**
 * The GraphQL-over-HTTP conformance audit of graphql-http, run against a whole hub as a client
 * with a valid credential would meet it. Every MUST has to pass; SHOULD and MAY results are
 * printed so a change in them shows in the test output.
 */
describe('GraphQL over HTTP (graphql-http server audit)', () => {
  let hub: TestHub;
  let results: AuditResult[];
  let fetchWithToken: typeof fetch;

  beforeAll(async () => {
    hub = await startTestHub();
    const { token } = await makeUser(hub, Role.HUB_ADMIN);
    // The audit sends its own requests; each one carries the token like a signed-in client's.
    fetchWithToken = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    results = await Promise.all(
      serverAudits({ url: hub.url, fetchFn: fetchWithToken }).map((audit) => audit.fn()),
    );
    note(
      'graphql-http audit of the hub:\n' +
        results
          .map(
            (r) => `  ${r.status.padEnd(5)} ${r.name}${r.status === 'ok' ? '' : `: ${r.reason}`}`,
          )
          .join('\n'),
    );
  });
  afterAll(() => hub.stop());

  it('runs every audit, as a signed-in caller', async () => {
    expect(results.length).toBeGreaterThan(50);
    expect(results.some((r) => r.name.startsWith('MUST'))).toBe(true);
    const me = await fetchWithToken(hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { role } }' }),
    });
    expect(await me.json()).toEqual({ data: { me: { role: 'HUB_ADMIN' } } });
  });

  it('passes every MUST', () => {
    const failed = results
      .filter((r) => r.name.startsWith('MUST') && r.status !== 'ok')
      .map((r) => `${r.name}: ${r.status === 'ok' ? '' : r.reason}`);
    expect(failed).toEqual([]);
  });
});
