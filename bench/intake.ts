import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { encryptField, type KeyRing } from '../src/crypto/field-cipher';
import { personKey } from '../src/modules/person/person-key';
import { insertRows, pgList, type Cell } from '../src/seed/synthetic/bulk-insert';
import { TABLES } from '../src/seed/synthetic/tables';

/** One report as the benchmark sends it (the GraphQL ReportIncidentInput subset it uses). */
export interface Report {
  externalId: string;
  occurredAt: string;
  county: string;
  fatal: boolean;
  suspectedSubstances: string[];
  emsDisposition: string;
  naloxone: Array<{
    administeredAt: string;
    doseMg: number;
    route: string;
    administeredBy: string;
    response: string;
  }>;
  survivor: { firstName: string; lastName: string; dateOfBirth: string; phone: string };
}

const FIRST = ['Avery', 'Jordan', 'Riley', 'Casey', 'Morgan', 'Quinn', 'Rowan', 'Emerson'];
const LAST = ['Benchley', 'Loadman', 'Perfetti', 'Latency', 'Throughput', 'Keepalive'];

/** `count` new reports from one EMS agency in `county`, unique per run (external ids, people). */
export function makeReports(count: number, county: string, tag: string): Report[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const occurredAt = new Date(now - (2 + (i % 48)) * 3_600_000).toISOString();
    return {
      externalId: `BENCH-${tag}-${i}`,
      occurredAt,
      county,
      fatal: false,
      suspectedSubstances: ['FENTANYL'],
      emsDisposition: 'REFUSED_TRANSPORT',
      naloxone: [
        {
          administeredAt: occurredAt,
          doseMg: 4,
          route: 'IN',
          administeredBy: 'EMS',
          response: 'IMPROVED',
        },
      ],
      survivor: {
        firstName: FIRST[i % FIRST.length],
        lastName: `${LAST[i % LAST.length]}${tag.replace(/[^a-z]/gi, '')}${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + (Math.floor(i / 26) % 26))}`,
        dateOfBirth: `19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`,
        phone: `9195550${String(100 + (i % 900))}`,
      },
    };
  });
}

export const REPORT_MUTATION = `mutation Report($inputs: [ReportIncidentInput!]!) {
  reportIncidents(inputs: $inputs) { createdCount alreadyReportedCount rejectedCount }
}`;

export interface RawIntakeContext {
  agencyId: string;
  reporterId: string;
  routeTo: string;
  personKeySecret: string;
  ring: KeyRing;
  opensHours: number;
  dueHours: number;
}

const HOUR = 3_600_000;

/**
 * The same rows the intake service writes for each new report (incident, doses, identity as
 * entered, person, case, its three timeline entries, the routing referral) as multi-row inserts
 * in one transaction. A re-sent report (same external id) is skipped by an upsert on
 * (agency, external id), and nothing hangs off it. Routing is a fixed agency: no caseload query.
 */
export async function rawIntake(
  client: PoolClient,
  ctx: RawIntakeContext,
  reports: Report[],
): Promise<number> {
  const now = Date.now();
  await client.query('begin');
  try {
    const incidents = reports.map((r) => ({ id: randomUUID(), r }));
    const created = await client.query<{ id: string }>(
      `insert into overdose_incident (id, created_at, updated_at, reporting_agency_id, external_id,
              occurred_at, county, fatal, suspected_substances, ems_disposition, officer_warm_handoff,
              reported_by_id, version)
       select u.id, now(), now(), $1, u.external_id, u.occurred_at, u.county, u.fatal,
              u.substances::suspected_substance[], u.disposition::ems_disposition, false, $2, 1
         from unnest($3::uuid[], $4::text[], $5::timestamptz[], $6::bpchar[], $7::bool[], $8::text[], $9::text[])
              as u(id, external_id, occurred_at, county, fatal, substances, disposition)
       on conflict (reporting_agency_id, external_id) do nothing
       returning id`,
      [
        ctx.agencyId,
        ctx.reporterId,
        incidents.map((x) => x.id),
        reports.map((r) => r.externalId),
        reports.map((r) => r.occurredAt),
        reports.map((r) => r.county),
        reports.map((r) => r.fatal),
        reports.map((r) => pgList(r.suspectedSubstances)),
        reports.map((r) => r.emsDisposition),
      ],
    );
    const fresh = new Set(created.rows.map((row) => row.id));
    const todo = incidents.filter((x) => fresh.has(x.id));
    if (todo.length > 0) {
      const ring = ctx.ring;
      const keys = todo.map(({ r }) =>
        personKey(
          ctx.personKeySecret,
          r.survivor.firstName,
          r.survivor.lastName,
          r.survivor.dateOfBirth,
        ),
      );
      // The person row links reports by key only: identity values stay with their source (the
      // report's reported_identity row), as the intake service writes them.
      const persons = await client.query<{ id: string; person_key: string }>(
        `insert into person (id, created_at, updated_at, person_key, race_ethnicity, do_not_contact)
         select u.id, now(), now(), u.k, '{}', false
           from unnest($1::uuid[], $2::text[]) as u(id, k)
         on conflict (person_key) do update set updated_at = excluded.updated_at
         returning id, person_key`,
        [todo.map(() => randomUUID()), keys],
      );
      const personOf = new Map(persons.rows.map((p) => [p.person_key, p.id]));
      await client.query(
        `update overdose_incident i set person_id = u.p from unnest($1::uuid[], $2::uuid[]) as u(i, p) where i.id = u.i`,
        [todo.map((x) => x.id), keys.map((k) => personOf.get(k!))],
      );
      await insertRows(
        client,
        'naloxone_administration',
        TABLES.naloxone_administration,
        todo.flatMap(({ id, r }) =>
          r.naloxone.map((n) => [
            randomUUID(),
            now,
            now,
            id,
            Date.parse(n.administeredAt),
            n.doseMg,
            n.route,
            n.administeredBy,
            n.response,
          ]),
        ),
      );
      await insertRows(
        client,
        'reported_identity',
        TABLES.reported_identity,
        todo.map(({ id, r }) => [
          randomUUID(),
          now,
          now,
          id,
          encryptField(ring, r.survivor.firstName),
          encryptField(ring, r.survivor.lastName),
          encryptField(ring, r.survivor.dateOfBirth),
          encryptField(ring, r.survivor.phone),
          null,
          null,
          null,
          null,
          null,
          '{}',
        ]),
      );
      const cases = todo.map(({ id, r }, i) => {
        const t = Date.parse(r.occurredAt);
        return [
          randomUUID(),
          now,
          now,
          personOf.get(keys[i]!) ?? null,
          id,
          r.county,
          'REFERRED',
          null,
          null,
          ctx.routeTo,
          null,
          t + ctx.opensHours * HOUR,
          t + ctx.dueHours * HOUR,
          null,
          1,
          null,
          null,
        ] as Cell[];
      });
      await insertRows(client, 'overdose_case', TABLES.overdose_case, cases);
      await insertRows(
        client,
        'case_event',
        TABLES.case_event,
        cases.flatMap((c) => [
          [randomUUID(), now, now, c[0], null, 'REPORTED', 'REPORT_RECEIVED', null],
          [randomUUID(), now + 1, now + 1, c[0], 'REPORTED', 'TRIAGE', 'AUTOMATIC', null],
          [randomUUID(), now + 2, now + 2, c[0], 'TRIAGE', 'REFERRED', 'ROUTED', null],
        ]),
      );
      await insertRows(
        client,
        'referral',
        TABLES.referral,
        cases.map((c) => [
          randomUUID(),
          now,
          now,
          c[0],
          ctx.routeTo,
          'FOLLOW_UP_OUTREACH',
          'REQUESTED',
          null,
          null,
          null,
        ]),
      );
    }
    await client.query('commit');
    return todo.length;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}
