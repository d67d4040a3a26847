/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers are checked by shape here */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { getNamedType, isNonNullType, type GraphQLSchema } from 'graphql';
import { PERMISSIONS } from '../src/permissions';
import { buildBareSchema } from '../src/schema';
import { unique } from './support/factories';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { buildWorld, type World } from './support/hostile-world';
import { request } from './support/http';

/**
 * Hostile requests over HTTP against a running hub: forbidden fields through every GraphQL
 * construct, alias enumeration, totalCount against hidden rows, mass assignment, operator and
 * SQL injection, CSRF, and what errors leak. Two programs (worlds) share the hub; A attacks.
 */

let hub: TestHub;
let a: World;
let b: World;
let schema: GraphQLSchema;
let sent = 0;
/** The survivor's name, phone and street as the outreach worker of A reads them: never elsewhere. */
let secrets: string[] = [];

const as = async (
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<any>> => {
  sent++;
  return hub.gql(query, variables, token);
};
const codesAt = (r: GraphQLResponse<unknown>) =>
  (r.errors ?? []).map((e) => `${(e.path ?? []).join('.')} ${String(e.extensions?.code)}`).sort();
const leaks = (r: unknown) => secrets.filter((s) => JSON.stringify(r).includes(s));

beforeAll(async () => {
  hub = await startTestHub();
  a = await buildWorld(hub);
  b = await buildWorld(hub);
  schema = await buildBareSchema();
  const person = await as(
    a.actors.OUTREACH_WORKER[0].token,
    `query($id: ID!) { case(id: $id) { person { firstName lastName phone street } } }`,
    { id: a.ids.case },
  );
  secrets = Object.values(person.data.case.person as Record<string, string>);
  expect(secrets.every(Boolean)).toBe(true);
}, 240_000);

afterAll(async () => {
  await hub?.stop();
  process.stdout.write(`hostile requests: ${sent} sent\n`);
});

describe('forbidden fields stay forbidden through every construct', () => {
  const admin = () => a.actors.AGENCY_ADMIN[0].token;
  const constructs: Array<[string, string]> = [
    ['an alias', `query($id: ID!) { case(id: $id) { id who: person { firstName phone } } }`],
    [
      'a fragment',
      `query($id: ID!) { case(id: $id) { id ...P } } fragment P on Case { person { firstName phone } }`,
    ],
    [
      'an inline fragment',
      `query($id: ID!) { case(id: $id) { id ... on Case { person { firstName phone } } } }`,
    ],
    [
      'a nested fragment in an aliased list',
      `{ q: cases(first: 100) { edges { node { id ... on Case { ...P } } } } } fragment P on Case { person { firstName } indexIncident { street } }`,
    ],
  ];
  it.each(constructs)(
    'agency admin asks for the person through %s: null + FORBIDDEN, no value',
    async (_what, query) => {
      const answer = await as(admin(), query, { id: a.ids.case });
      expect(answer.errors?.length).toBeGreaterThan(0);
      expect(answer.errors?.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
      expect(leaks(answer)).toEqual([]);
      // The parent and its allowed sibling survive.
      expect(JSON.stringify(answer.data)).toContain(a.ids.case);
    },
  );

  it('outreach worker walks back from the case to the reporter’s record: reporter-only fields refused', async () => {
    const answer = await as(
      a.actors.OUTREACH_WORKER[0].token,
      `query($id: ID!) { case(id: $id) { id indexIncident { id externalId suspectedSubstances
        reportedIdentity { firstName } reportingAgency { id part2Program active } } routedAgency { active } } }`,
      { id: a.ids.case },
    );
    expect(codesAt(answer)).toEqual([
      'case.indexIncident.externalId FORBIDDEN',
      'case.indexIncident.reportedIdentity FORBIDDEN',
      'case.indexIncident.reportingAgency.active FORBIDDEN',
      'case.indexIncident.reportingAgency.part2Program FORBIDDEN',
      'case.indexIncident.suspectedSubstances FORBIDDEN',
      'case.routedAgency.active FORBIDDEN',
    ]);
    expect(answer.data.case.indexIncident.id).toBe(a.ids.emsIncident);
  });

  it('police walk from their LEAD referral flag: nothing downstream, no person anywhere', async () => {
    const answer = await as(
      a.actors.POLICE_OFFICER[0].token,
      `{ myLeadReferrals { totalCount edges { node { id door enrolled } } } me { agency { id } } }`,
    );
    expect(answer.errors ?? []).toEqual([]);
    expect(leaks(answer)).toEqual([]);
    const node = answer.data.myLeadReferrals.edges.map((e: any) => e.node);
    expect(node.map((n: any) => n.id)).toEqual([a.ids.policeLeadReferral]);
  });
});

describe('enumeration', () => {
  it('100 aliases probing other agencies’ incidents are refused as a whole, revealing nothing', async () => {
    const ids = [
      ...b.idsByType.OverdoseIncident,
      ...Array.from({ length: 98 }, () => randomUUID()),
    ];
    const query = `{ ${ids.map((id, i) => `a${i}: incident(id: "${id}") { id street }`).join(' ')} }`;
    const answer = await as(a.actors.EMS_PROVIDER[0].token, query);
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors![0].message).not.toMatch(/\d/); // the limit is not echoed
  });

  it('under the alias limit, other agencies’ ids answer exactly like random ones', async () => {
    const theirs = b.idsByType.OverdoseIncident;
    const query = (ids: string[]) =>
      `{ ${ids.map((id, i) => `a${i}: incident(id: "${id}") { id }`).join(' ')} }`;
    const other = await as(a.actors.EMS_PROVIDER[0].token, query(theirs));
    const random = await as(a.actors.EMS_PROVIDER[0].token, query(theirs.map(() => randomUUID())));
    // Aliases resolve concurrently: compare the errors in path order, each one whole.
    const byPath = (errors: GraphQLResponse['errors']) =>
      JSON.stringify(
        [...(errors ?? [])].sort((x, y) => String(x.path).localeCompare(String(y.path))),
      );
    expect(byPath(other.errors)).toBe(byPath(random.errors));
    expect(other.data).toEqual(random.data);
  });
});

describe('totalCount never counts hidden rows', () => {
  it('every connection, for every role that may list it: totalCount = the rows it pages through', async () => {
    const query = schema.getQueryType()!;
    // Lists that need an argument to exist (disclosuresForPerson) are covered by their own tests.
    const connections = Object.values(query.getFields()).filter(
      (f) =>
        getNamedType(f.type).name.endsWith('Connection') &&
        !f.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined) &&
        // The audit log grows with every request, this one's pages included; audit-queries
        // checks its scope.
        f.name !== 'auditEvents',
    );
    expect(connections.length).toBeGreaterThanOrEqual(5);
    const mismatches: string[] = [];
    let checked = 0;
    for (const field of connections) {
      for (const role of PERMISSIONS.Query[field.name].roles) {
        for (const actor of a.actors[role]) {
          let after: string | null = null;
          let seen = 0;
          let total = -1;
          const foreign: string[] = [];
          let refused = false;
          for (let page = 0; page < 50; page++) {
            const answer: GraphQLResponse<any> = await as(
              actor.token,
              `query($after: String) { c: ${field.name}(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
              { after },
            );
            // A list refused whole for this actor (followUpQueue outside a harm-reduction
            // agency) counts nothing: nothing to compare.
            const refusedWhole =
              answer.data?.c === null &&
              answer.errors?.every((e) => e.extensions?.code === 'FORBIDDEN');
            if (refusedWhole) {
              refused = true;
              break;
            }
            if (answer.errors)
              throw new Error(`${field.name} as ${role}: ${JSON.stringify(answer.errors)}`);
            total = answer.data.c.totalCount;
            const nodes = answer.data.c.edges.map((e: any) => e.node.id as string);
            seen += nodes.length;
            foreign.push(...nodes.filter((id: string) => Object.values(b.ids).includes(id)));
            if (!answer.data.c.pageInfo.hasNextPage) break;
            after = answer.data.c.pageInfo.endCursor;
          }
          if (refused) continue;
          checked++;
          if (total !== seen)
            mismatches.push(`${field.name} as ${role}: totalCount ${total}, rows ${seen}`);
          // The directory is shared by design, and the hub administrator sees every case; every
          // other list must hold none of B's rows.
          if (field.name !== 'resources' && role !== 'HUB_ADMIN' && foreign.length)
            mismatches.push(`${field.name} as ${role}: lists B's ${foreign.join(', ')}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect(mismatches).toEqual([]);
  }, 300_000);
});

describe('mass assignment', () => {
  it('fields an input does not declare (agency, status, version, ids) are rejected before anything runs', async () => {
    const worker = a.actors.OUTREACH_WORKER[0];
    const answer = await as(
      worker.token,
      `mutation($input: OutcomeInput!) { recordOutcome(caseId: "${a.ids.case}", version: 1, input: $input) { id } }`,
      {
        input: {
          type: 'DETOX',
          occurredAt: new Date().toISOString(),
          status: 'CLOSED',
          agencyId: b.agencies.outreach.id,
          version: 99,
          id: randomUUID(),
        },
      },
    );
    // One refusal per undeclared field, and nothing ran.
    expect(new Set(codesAt(answer))).toEqual(new Set([' BAD_USER_INPUT']));
    expect(answer.errors).toHaveLength(4);
    expect(answer.data ?? null).toBeNull();
  });

  it('an agency admin cannot place a user, key or listing in another agency, nor mint a hub admin', async () => {
    const admin = a.actors.AGENCY_ADMIN[0];
    const other = b.agencies.outreach.id;
    const attempts: Array<[string, string, Record<string, unknown>]> = [
      [
        'createUser',
        `mutation($input: CreateUserInput!) { createUser(input: $input) { id agency { id } role } }`,
        {
          input: {
            agencyId: other,
            displayName: 'Mallory',
            email: `${unique()}@evil.example`,
            role: 'OUTREACH_WORKER',
          },
        },
      ],
      [
        'createUser',
        `mutation($input: CreateUserInput!) { createUser(input: $input) { id agency { id } role } }`,
        { input: { displayName: 'Mallory', email: `${unique()}@evil.example`, role: 'HUB_ADMIN' } },
      ],
      [
        'createApiKey',
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id agency { id } } } }`,
        { input: { agencyId: other, label: 'k', role: 'ANALYST' } },
      ],
      [
        'createResource',
        `mutation($input: CreateResourceInput!) { createResource(input: $input) { id agency { id } } }`,
        {
          input: {
            agencyId: other,
            name: `Clinic ${unique()}`,
            county: a.county,
            services: ['OUTPATIENT'],
            timeZone: 'America/New_York',
          },
        },
      ],
      [
        'updateUser',
        `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id role } }`,
        { id: a.actors.OUTREACH_WORKER[0].user.id, input: { role: 'HUB_ADMIN' } },
      ],
    ];
    for (const [name, query, variables] of attempts) {
      const answer = await as(admin.token, query, variables);
      const json = JSON.stringify(answer.data);
      if (!answer.errors) {
        // Accepted only by ignoring the field: the record is the admin's own agency's, no hub admin.
        expect([name, json.includes(other) || json.includes('HUB_ADMIN')]).toEqual([name, false]);
      } else {
        expect([name, answer.data?.[name] ?? null]).toEqual([name, null]);
      }
    }
  });

  it('a reporter cannot file a report for another agency or choose its case status', async () => {
    const answer = await as(
      a.actors.EMS_PROVIDER[0].token,
      `mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { status } }`,
      {
        input: {
          externalId: `X-${unique()}`,
          occurredAt: new Date().toISOString(),
          county: a.county,
          fatal: false,
          reportingAgencyId: b.agencies.ems.id,
          status: 'CLOSED',
        },
      },
    );
    expect(codesAt(answer)).toEqual([' BAD_USER_INPUT', ' BAD_USER_INPUT']);
    expect(answer.data ?? null).toBeNull();
  });
});

describe('injection', () => {
  it('an operator object where a string belongs is refused by GraphQL, not passed to a query', async () => {
    for (const county of [{ $ne: null }, { $gt: '' }, ['37021'], { $in: [a.county, b.county] }]) {
      const answer = await as(
        a.actors.OUTREACH_WORKER[0].token,
        `query($f: CaseFilter) { cases(filter: $f) { totalCount } }`,
        { f: { county } },
      );
      expect(codesAt(answer)).toEqual([' BAD_USER_INPUT']);
      expect(answer.data ?? null).toBeNull();
    }
  });

  it('SQL and LIKE wildcards in strings match nothing and break nothing', async () => {
    const worker = a.actors.OUTREACH_WORKER[0].token;
    for (const county of [
      "' OR '1'='1",
      "37021' --",
      '%',
      '_____',
      `${a.county}' OR county <> '`,
    ]) {
      const answer = await as(
        worker,
        `query($c: String) { cases(filter: { county: $c }) { totalCount } }`,
        { c: county },
      );
      const fine = answer.errors
        ? codesAt(answer).join() === 'cases BAD_USER_INPUT'
        : answer.data.cases.totalCount === 0;
      expect([county, fine]).toEqual([county, true]);
    }
    for (const language of ['%', '_', 'e%', "en' OR '1'='1"]) {
      const answer = await as(
        worker,
        `query($l: String) { resources(filter: { language: $l }) { totalCount } }`,
        { l: language },
      );
      expect([language, codesAt(answer)]).toEqual([language, ['resources BAD_USER_INPUT']]);
    }
  });
});

describe('CSRF: only a JSON POST (or a preflighted request) runs an operation', () => {
  const mutation = () =>
    `mutation { createUser(input: { displayName: "CSRF", email: "${unique()}@csrf.example", role: OUTREACH_WORKER }) { id } }`;
  const userCount = async (email: string) =>
    Number(
      (
        await hub
          .em()
          .getConnection()
          .execute(`select count(*)::int as n from app_user where email = ?`, [email])
      )[0].n,
    );

  it('a mutation over GET is refused and changes nothing', async () => {
    const query = mutation();
    const email = /"(.+@csrf\.example)"/.exec(query)![1];
    const url = `?query=${encodeURIComponent(query)}`;
    const response = await request(hub, `/graphql${url}`, {
      headers: {
        authorization: `Bearer ${a.actors.AGENCY_ADMIN[0].token}`,
        'apollo-require-preflight': 'true',
      },
    });
    sent++;
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await userCount(email)).toBe(0);
  });

  it.each([
    ['application/x-www-form-urlencoded', (q: string) => `query=${encodeURIComponent(q)}`],
    ['text/plain', (q: string) => JSON.stringify({ query: q })],
    [
      'multipart/form-data; boundary=x',
      (q: string) => `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${q}\r\n--x--\r\n`,
    ],
  ])('a %s POST is refused and changes nothing', async (type, body) => {
    const query = mutation();
    const email = /"(.+@csrf\.example)"/.exec(query)![1];
    const response = await request(hub, '/graphql', {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${a.actors.AGENCY_ADMIN[0].token}` },
      body: body(query),
    });
    sent++;
    expect(response.status).toBe(400);
    expect(response.text).not.toContain('"data"');
    expect(await userCount(email)).toBe(0);
  });
});

describe('errors leak no SQL, stack, constraint name or submitted value', () => {
  const clean = (answer: GraphQLResponse<unknown>, submitted: string[]) => {
    const text = JSON.stringify(answer.errors);
    expect(text).not.toMatch(
      /select |insert |update |constraint|_key\b|_fkey|_pkey|violates|duplicate key|\bat .*\.(js|ts):\d+|stack/i,
    );
    for (const value of submitted) expect(text).not.toContain(value);
  };

  it('a unique violation (a second user with the same email)', async () => {
    const email = `${unique()}@dup.example`;
    const create = `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`;
    const input = { displayName: 'Dup', email, role: 'OUTREACH_WORKER' };
    const admin = a.actors.AGENCY_ADMIN[0].token;
    expect((await as(admin, create, { input })).errors).toBeUndefined();
    const again = await as(admin, create, { input });
    expect(codesAt(again)).toEqual(['createUser CONFLICT']);
    clean(again, [email]);
  });

  it('a foreign-key violation (an API key for an agency that does not exist)', async () => {
    const missing = randomUUID();
    const answer = await as(
      a.actors.HUB_ADMIN[0].token,
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`,
      { input: { agencyId: missing, label: 'k', role: 'ANALYST' } },
    );
    expect(answer.errors?.[0].extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    clean(answer, [missing]);
  });

  it('an internal error thrown deep in the database layer is masked with only a request id', async () => {
    const connection = hub.server.orm.em.getConnection();
    const original = connection.execute;
    const personal = secrets[0];
    connection.execute = (async () => {
      const error = new Error(
        `select * from person where first_name = '${personal}' violates constraint person_key`,
      );
      throw error;
    }) as typeof connection.execute;
    let answer: GraphQLResponse<any>;
    try {
      answer = await as(a.actors.OUTREACH_WORKER[0].token, `{ cases { totalCount } }`);
    } finally {
      connection.execute = original;
    }
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors![0].extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: expect.any(String),
    });
    clean(answer, [personal]);
  });

  it('a failing rule (validation and an illegal transition) names the rule, not the value', async () => {
    const value = `not-an-email-${unique()}`;
    const invalid = await as(
      a.actors.AGENCY_ADMIN[0].token,
      `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      { input: { displayName: 'V', email: value, role: 'OUTREACH_WORKER' } },
    );
    expect(codesAt(invalid)).toEqual(['createUser BAD_USER_INPUT']);
    clean(invalid, [value]);
    const version = (
      await as(a.actors.OUTREACH_WORKER[0].token, `query($id: ID!) { case(id: $id) { version } }`, {
        id: a.ids.case,
      })
    ).data.case.version;
    const illegal = await as(
      a.actors.OUTREACH_WORKER[0].token,
      `mutation($id: ID!, $v: Int!) { resumeCase(caseId: $id, version: $v) { id } }`,
      { id: a.ids.case, v: version },
    );
    expect(codesAt(illegal)).toEqual(['resumeCase BAD_USER_INPUT']);
    clean(illegal, secrets);
  });

  it('a refused permission rule says only that', async () => {
    const answer = await as(a.actors.ANALYST[0].token, `query($id: ID!) { case(id: $id) { id } }`, {
      id: a.ids.case,
    });
    expect(answer.errors?.map((e) => [e.message, e.extensions])).toEqual([
      ['Not allowed for your role', { code: 'FORBIDDEN' }],
    ]);
  });
});
