import { Role } from '../../src/common/role';
import { AgencyKind } from '../../src/modules/agency/agency-kind';
import type { Agency } from '../../src/modules/agency/agency.entity';
import { makeAgency, makeUser, unique, uniqueCounty, type Actor } from './factories';
import type { TestHub } from './hub';
import { seedCases } from './stats-factory';

const HOUR = 3_600_000;

export interface DashboardWorld {
  county: string;
  outreach: Agency;
  admin: Actor;
  worker: Actor;
  analyst: Actor;
  /** First of the month `k` months before the current one (UTC), at day 5 10:00. */
  month(k: number): Date;
}

/**
 * A demo-like outreach agency for the dashboard page, with every number known in advance:
 *
 * - 4 months ago: 11 cases, all contacted 40 h after the overdose, a warm hand-off at the visit;
 * - 3 months ago: 24 cases, 20 contacted at 30 h with no officer present, 12 of them closed
 *   LINKED_TO_CARE with a TREATMENT_ADMITTED outcome;
 * - 2 months ago: 16 cases, all contacted at 50 h with a uniformed officer;
 * - 1 month ago: 12 cases, 3 contacted at 20 h in plain clothes (a small cell: suppressed);
 * - now: 13 cases assigned and overdue (4 days old, no attempt) and 2 due (30 h old).
 *
 * Statuses: 12 CLOSED, 15 ASSIGNED, the other 51 OUTREACH.
 */
export async function makeDashboardWorld(hub: TestHub): Promise<DashboardWorld> {
  const county = uniqueCounty();
  const outreach = await makeAgency(hub, AgencyKind.HARM_REDUCTION, {
    name: `Harbor Harm Reduction ${unique()}`,
    serviceCounties: [county],
  });
  const reporter = await makeAgency(hub, AgencyKind.EMS, { serviceCounties: [county] });
  const health = await makeAgency(hub, AgencyKind.PUBLIC_HEALTH, { serviceCounties: [county] });
  const admin = await makeUser(hub, Role.AGENCY_ADMIN, { agency: outreach });
  const worker = await makeUser(hub, Role.OUTREACH_WORKER, { agency: outreach });
  const analyst = await makeUser(hub, Role.ANALYST, { agency: health });

  const now = new Date();
  const month = (k: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - k, 5, 10));
  const seed = (occurredAt: Date, count: number, contacted = 0, attemptAfterHours = 30) =>
    seedCases(hub, {
      agencyId: reporter.id,
      routedAgencyId: outreach.id,
      county,
      occurredAt,
      count,
      contacted,
      attemptAfterHours,
      workerId: worker.user.id,
    });

  const warm = await seed(month(4), 11, 11, 40);
  const none = await seed(month(3), 24, 20, 30);
  const uniformed = await seed(month(2), 16, 16, 50);
  const plain = await seed(month(1), 12, 3, 20);
  const overdue = await seed(new Date(now.getTime() - 96 * HOUR), 13);
  const due = await seed(new Date(now.getTime() - 30 * HOUR), 2);

  const sql = hub.em().getConnection();
  const ids = (list: string[]) => `{${list.join(',')}}`;
  const presence = (incidents: string[], value: string) =>
    sql.execute(
      `update outreach_attempt a set officer_presence = ?::officer_presence
         from overdose_case c where a.case_id = c.id and c.index_incident_id = any(?::uuid[])`,
      [value, ids(incidents)],
    );
  await presence(warm, 'WARM_HANDOFF_ONLY');
  await presence(none, 'NONE');
  await presence(uniformed, 'UNIFORMED');
  await presence(plain, 'PLAIN_CLOTHES');

  const linked = none.slice(0, 12);
  await sql.execute(
    `update overdose_case set status = 'CLOSED', close_reason = 'LINKED_TO_CARE', closed_at = now()
      where index_incident_id = any(?::uuid[])`,
    [ids(linked)],
  );
  await sql.execute(
    `insert into outcome (id, created_at, updated_at, case_id, type, occurred_at, recorded_by_id)
     select gen_random_uuid(), now(), now(), c.id, 'TREATMENT_ADMITTED', i.occurred_at + interval '5 days', ?::uuid
       from overdose_case c join overdose_incident i on i.id = c.index_incident_id
      where i.id = any(?::uuid[])`,
    [worker.user.id, ids(linked)],
  );
  await sql.execute(
    `update overdose_case set status = 'ASSIGNED', assigned_worker_id = ?::uuid
      where index_incident_id = any(?::uuid[])`,
    [worker.user.id, ids([...overdue, ...due])],
  );
  return { county, outreach, admin, worker, analyst, month };
}
