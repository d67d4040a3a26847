import { createHash, randomUUID } from 'node:crypto';
import { Role } from '../src/common/role';
import { makeUser } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { request } from './support/http';
import { connectLive, subscribe, waitFor, type LiveClient } from './support/live';

const post = (hub: TestHub, token: string, body: unknown) =>
  request(hub, '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

describe('error codes of requests the hub cannot serve', () => {
  let hub: TestHub;
  const sockets: LiveClient[] = [];
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.dispose()));
    await hub.stop();
  });

  it('answers a subscription sent by HTTP POST with BAD_REQUEST pointing to WebSocket', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const res = await post(hub, worker.token, { query: 'subscription { caseRouted { id } }' });
    expect(res.status).toBe(400);
    expect(res.json?.errors).toEqual([
      {
        message:
          'Subscriptions are served over WebSocket (the graphql-transport-ws protocol) at /graphql, not by HTTP POST',
        extensions: { code: 'BAD_REQUEST' },
      },
    ]);
  });

  it('answers a persisted-query hash that does not match its query with BAD_REQUEST', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const query = '{ me { role } }';
    const wrong = createHash('sha256').update('{ me { kind } }').digest('hex');
    const res = await post(hub, worker.token, {
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash: wrong } },
    });
    expect(res.status).toBe(400);
    expect(res.json?.errors?.[0]).toMatchObject({
      message: 'provided sha does not match query',
      extensions: { code: 'BAD_REQUEST' },
    });
    // The right hash still works.
    const right = createHash('sha256').update(query).digest('hex');
    const ok = await post(hub, worker.token, {
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash: right } },
    });
    expect(ok.json?.data).toEqual({ me: { role: 'OUTREACH_WORKER' } });
  });

  it('answers a WebSocket subscription to a misspelled field with a validation error', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const client = connectLive(hub, worker.token);
    sockets.push(client);
    subscribe(client, 'subscription { caseRoutd { id } }');
    await waitFor(() => client.received.length === 1);
    const [errors] = client.received[0].errors as Array<Array<Record<string, unknown>>>;
    expect(errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^Cannot query field "caseRoutd" on type "Subscription"\.$/),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
  });

  it('answers a WebSocket subscription that does not parse with GRAPHQL_PARSE_FAILED', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const client = connectLive(hub, worker.token);
    sockets.push(client);
    subscribe(client, 'subscription { caseRouted { id }');
    await waitFor(() => client.received.length === 1);
    const [errors] = client.received[0].errors as Array<Array<Record<string, unknown>>>;
    expect(errors).toEqual([
      expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
    ]);
  });
});

describe('probing by id', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const AUDIT = `query($id: ID!) {
    auditEvents(filter: { entityId: $id }, first: 10) {
      edges { node { action outcome errorCode actorUserId entityIds } }
    }
  }`;

  it('audits by-id reads answered NOT_FOUND: who asked for which id shows in auditEvents', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const otherAgencysCase = randomUUID();
    const probe = await post(hub, worker.token, {
      query: 'query($id: ID!) { case(id: $id) { id } }',
      variables: { id: otherAgencysCase },
    });
    expect(probe.json?.errors?.[0].extensions?.code).toBe('NOT_FOUND');

    const operator = await makeUser(hub, Role.HUB_ADMIN);
    const trail = await hub.gql<{
      auditEvents: { edges: Array<{ node: Record<string, unknown> }> };
    }>(AUDIT, { id: otherAgencysCase }, operator.token);
    expect(trail.data?.auditEvents.edges.map((e) => e.node)).toEqual([
      {
        action: 'Query.case',
        outcome: 'DENIED',
        errorCode: 'NOT_FOUND',
        actorUserId: worker.user.id,
        entityIds: [otherAgencysCase],
      },
    ]);
  });

  it('records a mutation on a record it cannot find as denied too', async () => {
    const worker = await makeUser(hub, Role.OUTREACH_WORKER);
    const id = randomUUID();
    const res = await post(hub, worker.token, {
      query: 'mutation($id: ID!) { acceptCase(caseId: $id, version: 1) { id } }',
      variables: { id },
    });
    expect(res.json?.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const operator = await makeUser(hub, Role.HUB_ADMIN);
    const trail = await hub.gql<{
      auditEvents: { edges: Array<{ node: Record<string, unknown> }> };
    }>(AUDIT, { id }, operator.token);
    expect(trail.data?.auditEvents.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        action: 'Mutation.acceptCase',
        outcome: 'DENIED',
        errorCode: 'NOT_FOUND',
      }),
    ]);
  });
});
