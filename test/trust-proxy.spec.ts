import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

const LIMITS = { RATE_LIMIT_WINDOW_SECONDS: '60', RATE_LIMIT_ANONYMOUS_POINTS: '1' };
const ME = JSON.stringify({ query: '{ me { role } }' });

/** An anonymous request claiming to come from `forwardedFor`; answers with the error codes. */
async function anonymousFrom(hub: TestHub, forwardedFor: string): Promise<unknown[]> {
  const response = await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: ME,
  });
  const body = (await response.json()) as Pick<GraphQLResponse, 'errors'>;
  return errorCodes({ status: response.status, errors: body.errors, headers: response.headers });
}

describe('TRUST_PROXY_HOPS', () => {
  it('by default ignores X-Forwarded-For, so a client cannot pick a fresh anonymous budget', async () => {
    const hub = await startTestHub(LIMITS);
    try {
      expect(await anonymousFrom(hub, '203.0.113.1')).toEqual(['UNAUTHENTICATED']);
      expect(await anonymousFrom(hub, '203.0.113.2')).toEqual(['TOO_MANY_REQUESTS']);
    } finally {
      await hub.stop();
    }
  });

  it('behind one load balancer counts each client address on its own', async () => {
    const hub = await startTestHub({ ...LIMITS, TRUST_PROXY_HOPS: '1' });
    try {
      expect(await anonymousFrom(hub, '203.0.113.1')).toEqual(['UNAUTHENTICATED']);
      expect(await anonymousFrom(hub, '203.0.113.2')).toEqual(['UNAUTHENTICATED']);
      expect(await anonymousFrom(hub, '203.0.113.1')).toEqual(['TOO_MANY_REQUESTS']);
    } finally {
      await hub.stop();
    }
  });
});
