import { Role } from '../src/common/role';
import { AgencyKind } from '../src/modules/agency/agency-kind';
import { recordAuditEvent } from '../src/modules/audit/audit-writer';
import { auditRowsOf } from './support/audit';
import { ConsentScope } from '../src/modules/outreach/outreach-codes';
import {
  makeConsent,
  makeLeadReferral,
  makeLeadWorld,
  makeWorkedCase,
} from './support/consent-factory';
import { makeAgency, makeUser, uniqueCounty } from './support/factories';
import { errorCodes, postGraphQL, startTestHub, type TestHub } from './support/hub';
import { REPORT_MUTATION, reportInput } from './support/reports';

const CASE_WITH_PERSON = `query ($id: ID!) {
  case(id: $id) { id status person { id firstName dateOfBirth phone } }
}`;

describe('audit trail', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  const requestIdOf = (response: { headers: Headers }) => response.headers.get('x-request-id');

  describe('append-only table', () => {
    const insertOne = async (): Promise<string> => {
      const rows = await hub.em().execute<Array<{ id: string }>>(
        `insert into audit_event (id, actor_kind, action, entity_ids, person_ids, fields, outcome)
         values (gen_random_uuid(), 'SYSTEM', 'TEST', '{}', '{}', '{}', 'ALLOWED') returning id`,
      );
      return rows[0].id;
    };

    it('refuses UPDATE', async () => {
      const id = await insertOne();
      await expect(
        hub.em().execute(`update audit_event set action = 'CHANGED' where id = ?`, [id]),
      ).rejects.toThrow(/append-only: UPDATE refused/);
    });

    it('refuses DELETE', async () => {
      const id = await insertOne();
      await expect(hub.em().execute('delete from audit_event where id = ?', [id])).rejects.toThrow(
        /append-only: DELETE refused/,
      );
    });

    it('refuses TRUNCATE', async () => {
      await insertOne();
      await expect(hub.em().execute('truncate audit_event')).rejects.toThrow(
        /append-only: TRUNCATE refused/,
      );
    });
  });

  describe('identity reads', () => {
    it('records one event per person with the field names returned, never the values', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const response = await hub.gql(CASE_WITH_PERSON, { id: routed.kase.id }, worker.token);
      expect(response.errors).toBeUndefined();

      const rows = await auditRowsOf(hub, requestIdOf(response));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: 'READ_IDENTITY',
        actor_kind: 'USER',
        actor_user_id: worker.user.id,
        agency_id: worker.agency.id,
        role: 'OUTREACH_WORKER',
        entity_type: 'Person',
        entity_ids: [routed.person!.id],
        person_ids: [routed.person!.id],
        fields: ['dateOfBirth', 'firstName', 'phone'],
        purpose: 'FOLLOW_UP_OUTREACH',
        outcome: 'ALLOWED',
      });
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(routed.person!.firstName!);
      expect(stored).not.toContain(routed.person!.phone!);
      expect(stored).not.toContain(routed.person!.dateOfBirth!);
    });

    it('records nothing for a read without identity fields', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const response = await hub.gql(
        'query ($id: ID!) { case(id: $id) { id status person { id } } }',
        { id: routed.kase.id },
        worker.token,
      );
      expect(response.errors).toBeUndefined();
      expect(await auditRowsOf(hub, requestIdOf(response))).toEqual([]);
    });

    it("records a reporter's read-back of the identity it entered, linked to the person", async () => {
      const county = uniqueCounty();
      const ems = await makeUser(hub, Role.EMS_PROVIDER, {
        agency: await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] }),
      });
      const reported = await hub.gql<{ reportIncident: { incident: { id: string } } }>(
        REPORT_MUTATION,
        { input: reportInput(county) },
        ems.token,
      );
      const incidentId = reported.data!.reportIncident.incident.id;
      const response = await hub.gql(
        'query ($id: ID!) { incident(id: $id) { id reportedIdentity { lastName } } }',
        { id: incidentId },
        ems.token,
      );
      expect(response.errors).toBeUndefined();

      const [row] = await auditRowsOf(hub, requestIdOf(response));
      const [{ person_id }] = await hub
        .em()
        .execute('select person_id from overdose_incident where id = ?', [incidentId]);
      expect(row).toMatchObject({
        action: 'READ_IDENTITY',
        entity_type: 'ReportedIdentity',
        person_ids: [person_id],
        fields: ['lastName'],
        purpose: 'REPORTING',
      });
    });

    it('files a LEAD case manager’s read of the incident address under the referral and person', async () => {
      const world = await makeLeadWorld(hub);
      const lead = await makeLeadReferral(hub, world);
      await makeConsent(hub, world.routed.kase, {
        recordedBy: world.worker,
        scope: ConsentScope.SHARE_WITH_LEAD,
        grantedTo: world.program,
      });
      const response = await hub.gql(
        `query ($id: ID!) {
          leadReferral(id: $id) { id incidentAddress { street zip } person { lastName } }
        }`,
        { id: lead.id },
        world.caseManager.token,
      );
      expect(response.errors).toBeUndefined();
      const rows = await auditRowsOf(hub, requestIdOf(response));
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            entity_type: 'LeadReferral',
            entity_ids: [lead.id],
            person_ids: [world.routed.person!.id],
            fields: ['incidentAddress.street', 'incidentAddress.zip'],
            purpose: 'LEAD_CASE_MANAGEMENT',
          }),
          expect.objectContaining({
            entity_type: 'Person',
            person_ids: [world.routed.person!.id],
            fields: ['lastName'],
          }),
        ]),
      );
      expect(rows).toHaveLength(2);
    });

    describe('when the audit row cannot be written', () => {
      // A trigger that fails inserts for one marked request id only, so no other test is touched.
      beforeAll(async () => {
        await hub.em().execute(`create or replace function audit_test_fail() returns trigger
          language plpgsql as $$ begin
            if new.request_id like 'audit-fail-%' then raise exception 'audit store down'; end if;
            return new;
          end; $$`);
        await hub.em().execute('drop trigger if exists audit_test_fail on audit_event');
        await hub.em().execute(`create trigger audit_test_fail before insert on audit_event
          for each row execute function audit_test_fail()`);
      });
      afterAll(async () => {
        await hub.em().execute('drop trigger if exists audit_test_fail on audit_event');
        await hub.em().execute('drop function if exists audit_test_fail()');
      });

      const failingRequest = async (query: string, variables: object, token: string) => {
        const response = await fetch(hub.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            'x-request-id': `audit-fail-${Date.now()}`,
          },
          body: JSON.stringify({ query, variables }),
        });
        return { status: response.status, text: await response.text() };
      };

      it('withholds identity (fail closed)', async () => {
        const { routed, worker } = await makeWorkedCase(hub);
        const { status, text } = await failingRequest(
          CASE_WITH_PERSON,
          { id: routed.kase.id },
          worker.token,
        );
        expect(status).toBe(500);
        expect(JSON.parse(text)).toEqual({
          errors: [
            {
              message: expect.any(String),
              extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) },
            },
          ],
        });
        expect(text).not.toContain(routed.person!.firstName!);
      });

      it('lets a response without identity stand', async () => {
        const { routed } = await makeWorkedCase(hub);
        const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
        // The denied Case.person is an event to write; the answer holds no identity.
        const { status, text } = await failingRequest(
          CASE_WITH_PERSON,
          { id: routed.kase.id },
          admin.token,
        );
        expect(status).toBe(200);
        const body = JSON.parse(text);
        expect(body.data).toEqual({
          case: { id: routed.kase.id, status: 'ASSIGNED', person: null },
        });
        expect(body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(
          ['FORBIDDEN'],
        );
      });
    });
  });

  describe('mutations', () => {
    const ACCEPT = `mutation ($caseId: ID!, $version: Int!) {
      acceptCase(caseId: $caseId, version: $version) { id status }
    }`;

    it('records one event per mutation field with the records it touched', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const { routed: other } = await makeWorkedCase(hub);
      const response = await hub.gql(
        `mutation ($a: ID!, $b: ID!) {
          first: acceptCase(caseId: $a, version: 1) { id }
          second: acceptCase(caseId: $b, version: 1) { id }
        }`,
        { a: routed.kase.id, b: other.kase.id },
        worker.token,
      );
      const rows = await auditRowsOf(hub, requestIdOf(response));
      expect(rows.filter((r) => r.action === 'Mutation.acceptCase')).toHaveLength(2);
      expect(rows.flatMap((r) => r.entity_ids)).toEqual(
        expect.arrayContaining([routed.kase.id, other.kase.id]),
      );
    });

    it('records an allowed mutation that failed with its error code', async () => {
      const { routed, worker } = await makeWorkedCase(hub);
      const response = await hub.gql(ACCEPT, { caseId: routed.kase.id, version: 99 }, worker.token);
      expect(response.errors).toBeDefined();
      const [row] = await auditRowsOf(hub, requestIdOf(response));
      expect(row).toMatchObject({
        action: 'Mutation.acceptCase',
        entity_type: 'Case',
        entity_ids: [routed.kase.id],
        outcome: 'ALLOWED',
        error_code: errorCodes(response)[0],
      });
    });

    it('records a refused mutation as DENIED', async () => {
      const { routed } = await makeWorkedCase(hub);
      const police = await makeUser(hub, Role.POLICE_OFFICER);
      const response = await hub.gql(ACCEPT, { caseId: routed.kase.id, version: 1 }, police.token);
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      const rows = await auditRowsOf(hub, requestIdOf(response));
      expect(rows).toEqual([
        expect.objectContaining({
          action: 'Mutation.acceptCase',
          actor_user_id: police.user.id,
          entity_ids: [routed.kase.id],
          outcome: 'DENIED',
          error_code: 'FORBIDDEN',
        }),
      ]);
    });
  });

  describe('denials', () => {
    it('records a denied field once per request with the records it was asked on', async () => {
      const { routed } = await makeWorkedCase(hub);
      const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: routed.outreach });
      const response = await hub.gql(CASE_WITH_PERSON, { id: routed.kase.id }, admin.token);
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      const rows = await auditRowsOf(hub, requestIdOf(response));
      expect(rows).toEqual([
        expect.objectContaining({
          action: 'Case.person',
          entity_type: 'Case',
          entity_ids: [routed.kase.id],
          role: 'AGENCY_ADMIN',
          outcome: 'DENIED',
          error_code: 'FORBIDDEN',
          fields: [],
        }),
      ]);
    });

    it('records a request without valid credentials as DENIED, UNAUTHENTICATED', async () => {
      const response = await postGraphQL(hub.url, '{ me { id } }', undefined, 'not-a-token');
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      const rows = await auditRowsOf(hub, requestIdOf(response));
      expect(rows).toEqual([
        expect.objectContaining({
          action: 'AUTHENTICATE',
          actor_kind: 'ANONYMOUS',
          actor_user_id: null,
          outcome: 'DENIED',
          error_code: 'UNAUTHENTICATED',
        }),
      ]);
    });
  });

  describe('recordAuditEvent (for research requests and extracts)', () => {
    it('writes the event with the caller, purpose and counts, dropping ids that are not ids', async () => {
      const researcher = await makeUser(hub, Role.RESEARCHER);
      const requestId = `research-${Date.now()}`;
      await recordAuditEvent(hub.em(), {
        viewer: {
          kind: 'USER',
          userId: researcher.user.id,
          agencyId: researcher.agency.id,
          agencyKind: researcher.agency.kind,
          role: Role.RESEARCHER,
        },
        action: 'Query.researchExtract',
        entityIds: ['not-an-id'],
        requestId,
        details: { rows: 120, suppressedCells: 3 },
      });
      const [row] = await auditRowsOf(hub, requestId);
      expect(row).toMatchObject({
        action: 'Query.researchExtract',
        actor_user_id: researcher.user.id,
        role: 'RESEARCHER',
        purpose: 'RESEARCH',
        entity_ids: [],
        outcome: 'ALLOWED',
        details: { rows: 120, suppressedCells: 3 },
      });
    });
  });
});
