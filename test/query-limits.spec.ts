import { Role } from '../src/common/role';
import { makeUser } from './support/factories';
import { errorCodes, startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

/** A refusal before anything ran: one error of a public code, no data, and no number in it. */
const expectRefusedWithoutLimit = (response: GraphQLResponse<unknown>, code: string) => {
  expect(response.status).toBe(400);
  expect(errorCodes(response)).toEqual([code]);
  expect(response.data).toBeUndefined();
  // The configured limits (and the measured size) stay on the server.
  expect(response.errors?.[0].message).not.toMatch(/\d/);
};

const repeat = (n: number, make: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => make(i)).join(' ');

/** What a dashboard asks for: a full page of cases with their incident, attempts and timeline. */
const DASHBOARD_PAGE = `
  query Dashboard($after: String) {
    cases(first: 100, after: $after) {
      totalCount
      pageInfo { endCursor hasNextPage }
      edges {
        cursor
        node {
          id status version county overdue repeatOverdose priorCaseCount attemptCount
          lastAttemptAt followUpOpensAt followUpDueAt identitySealed sealedReason
          triageReason holdReason resumeOn closeReason consentOnFile createdAt updatedAt
          routedAgency { id name kind }
          assignedWorker { id displayName }
          person { id firstName lastName dateOfBirth phone street city state zip doNotContact }
          indexIncident {
            id externalId occurredAt county city street zip fatal naloxoneGiven
            emsDisposition officerWarmHandoff substanceCategories
            reportingAgency { id name }
            naloxoneAdministrations { administeredAt doseMg route administeredBy response }
          }
          outreachAttempts {
            id attemptedAt method outcome officerPresence naloxoneKitsForPerson
            naloxoneKitsForFamily fentanylTestStrips overdosePreventionLiterature
            peerSupportContactCard syringeServicesInformation notes worker { id displayName }
          }
          timeline { at fromStatus toStatus reason actor }
          outcomes { id }
          consents { id }
        }
      }
    }
  }`;

describe('query limits with the default settings', () => {
  let hub: TestHub;
  let token: string;
  beforeAll(async () => {
    hub = await startTestHub();
    token = (await makeUser(hub, Role.OUTREACH_WORKER)).token;
  });
  afterAll(() => hub.stop());

  it('lets a dashboard page of 100 cases with nested incident, attempts and timeline through', async () => {
    const response = await hub.gql(DASHBOARD_PAGE, {}, token);
    expect(response.errors).toBeUndefined();
    expect(errorCodes(response)).not.toContain('GRAPHQL_VALIDATION_FAILED');
    expect(errorCodes(response)).not.toContain('GRAPHQL_PARSE_FAILED');
    expect(response.status).toBe(200);
  });

  it('refuses a 100-alias enumeration before running any of it', async () => {
    const query = `{ ${repeat(100, (i) => `c${i}: case(id: "00000000-0000-4000-8000-${String(i).padStart(12, '0')}") { id }`)} }`;
    expectRefusedWithoutLimit(await hub.gql(query, {}, token), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('hides field suggestions', async () => {
    const response = await hub.gql('{ cases { edges { node { statu } } } }', {}, token);
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(JSON.stringify(response.errors)).not.toMatch(/did you mean|"status"/i);
  });

  it('refuses a document over the default token limit without naming it', async () => {
    const query = `{ me { ${repeat(2100, () => 'role')} } }`;
    const response = await hub.gql(query, {}, token);
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(response.errors?.[0].message).toBe('Syntax Error: The document is too large.');
  });

  it('sets the statement timeout on the database connection', async () => {
    const [row] = await hub.server.orm.em
      .getConnection()
      .execute<Array<{ statement_timeout: string }>>('show statement_timeout');
    expect(row.statement_timeout).toBe('15s');
  });
});

describe('query limits set low', () => {
  let hub: TestHub;
  let token: string;
  beforeAll(async () => {
    hub = await startTestHub({
      QUERY_MAX_DEPTH: '4',
      QUERY_MAX_ALIASES: '3',
      QUERY_MAX_DIRECTIVES: '3',
      QUERY_MAX_TOKENS: '300',
      QUERY_MAX_COST: '100',
    });
    token = (await makeUser(hub, Role.OUTREACH_WORKER)).token;
  });
  afterAll(() => hub.stop());

  it('answers a query within every limit', async () => {
    const response = await hub.gql('{ me { role } }', {}, token);
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
  });

  it('refuses a query deeper than QUERY_MAX_DEPTH', async () => {
    const query = '{ cases { edges { node { indexIncident { reportingAgency { id } } } } } }';
    expectRefusedWithoutLimit(await hub.gql(query, {}, token), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('counts depth through fragments', async () => {
    const query = `
      { cases { ...page } }
      fragment page on CaseConnection { edges { node { indexIncident { reportingAgency { id } } } } }`;
    expectRefusedWithoutLimit(await hub.gql(query, {}, token), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses more aliases than QUERY_MAX_ALIASES', async () => {
    const query = `{ me { ${repeat(4, (i) => `r${i}: role`)} } }`;
    expectRefusedWithoutLimit(await hub.gql(query, {}, token), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses more directives than QUERY_MAX_DIRECTIVES', async () => {
    const query = `{ me { ${repeat(4, () => 'role @skip(if: false)')} } }`;
    expectRefusedWithoutLimit(await hub.gql(query, {}, token), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a document over QUERY_MAX_TOKENS', async () => {
    const query = `{ me { ${repeat(320, () => 'role')} } }`;
    expectRefusedWithoutLimit(await hub.gql(query, {}, token), 'GRAPHQL_PARSE_FAILED');
  });

  it('refuses a query costing more than QUERY_MAX_COST', async () => {
    // Shallow (depth 4) and alias-free, but wide: its cost alone is over the limit.
    const fields = repeat(12, () => 'id status county overdue version');
    const query = `{ cases { edges { node { ${fields} } } } }`;
    const response = await hub.gql(query, {}, token);
    expectRefusedWithoutLimit(response, 'GRAPHQL_VALIDATION_FAILED');
  });
});

describe('statement timeout', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ DB_STATEMENT_TIMEOUT_MS: '200' });
  });
  afterAll(() => hub.stop());

  // PGlite runs in this thread and has no timer to interrupt a statement with: it accepts the
  // setting (checked above) but cannot enforce it.
  const onPostgres = process.env.DATABASE_URL ? it : it.skip;

  onPostgres(
    'cancels a statement that runs longer than DB_STATEMENT_TIMEOUT_MS (PostgreSQL only)',
    async () => {
      const connection = hub.server.orm.em.getConnection();
      // Several statements so that more than one pooled connection is checked.
      const results = await Promise.allSettled(
        [1, 2, 3].map(() => connection.execute('select pg_sleep(2)')),
      );
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toMatchObject({ code: '57014' });
      }
    },
  );
});
