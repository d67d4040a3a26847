import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { encodeCursor } from '../src/common/cursor';

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const iso = (column: string) => `to_char(${column} at time zone 'UTC', ${ISO})`;

/**
 * The dashboard page written by hand: one statement, the same scope (cases routed to the
 * caller's agency), flags, nested incident, naloxone doses, attempt count and latest attempt,
 * routed agency, and the total. The "raw" side of the list comparison.
 */
export const CASE_PAGE_SQL = `
  select (select count(*)::int from overdose_case where routed_agency_id = $1) as total_count,
         p.*
    from (
      select c.id, c.status, c.county, ${iso('c.follow_up_due_at')} as due, c.follow_up_due_at,
             (c.follow_up_due_at < now() and c.status in ('REFERRED', 'ASSIGNED')) as overdue,
             (c.person_id is not null and not exists (
                select 1 from data_sharing_agreement d
                 where d.source_agency_id = i.reporting_agency_id
                   and d.recipient_agency_id = c.routed_agency_id
                   and d.purpose = 'FOLLOW_UP_OUTREACH' and c.county = any(d.counties)
                   and d.ended_at is null and d.effective_from <= now()
                   and (d.effective_to is null or d.effective_to > now()))) as sealed,
             a.attempt_count, ${iso('a.last_attempt_at')} as last_attempt_at,
             ag.id as agency_id, ag.name as agency_name,
             i.id as incident_id, ${iso('i.occurred_at')} as occurred_at, i.fatal,
             (select coalesce(json_agg(json_build_object(
                       'administeredAt', ${iso('n.administered_at')}, 'doseMg', n.dose_mg::float8,
                       'response', n.response)
                     order by n.administered_at, n.id), '[]')
                from naloxone_administration n where n.incident_id = i.id) as naloxone
        from overdose_case c
        join overdose_incident i on i.id = c.index_incident_id
        join agency ag on ag.id = c.routed_agency_id
        cross join lateral (
          select count(*)::int as attempt_count, max(oa.attempted_at) as last_attempt_at
            from outreach_attempt oa where oa.case_id = c.id) a
       where c.routed_agency_id = $1
       order by c.follow_up_due_at, c.id
       limit $2
    ) p
   right join (select 1) one on true`;

interface PageRow {
  total_count: number;
  id: string | null;
  status: string;
  county: string;
  due: string;
  follow_up_due_at: Date;
  overdue: boolean;
  sealed: boolean;
  attempt_count: number;
  last_attempt_at: string | null;
  agency_id: string;
  agency_name: string;
  incident_id: string;
  occurred_at: string;
  fatal: boolean;
  naloxone: unknown[];
}

/** The JSON the hub answers for the benchmark's case-list query, built from CASE_PAGE_SQL rows. */
export function casePageJson(rows: PageRow[], first: number): string {
  const found = rows.filter((r) => r.id !== null);
  const page = found.slice(0, first);
  const edges = page.map((r) => ({
    cursor: encodeCursor('cases', { at: r.follow_up_due_at, id: r.id! }),
    node: {
      id: r.id,
      status: r.status,
      county: r.county,
      followUpDueAt: r.due,
      overdue: r.overdue,
      identitySealed: r.sealed,
      attemptCount: r.attempt_count,
      lastAttemptAt: r.last_attempt_at,
      routedAgency: { id: r.agency_id, name: r.agency_name },
      indexIncident: {
        id: r.incident_id,
        occurredAt: r.occurred_at,
        fatal: r.fatal,
        naloxoneAdministrations: r.naloxone,
      },
    },
  }));
  return JSON.stringify({
    data: {
      cases: {
        totalCount: rows[0]?.total_count ?? 0,
        pageInfo: { hasNextPage: found.length > first, endCursor: edges.at(-1)?.cursor ?? null },
        edges,
      },
    },
  });
}

export interface RawRoutes {
  /** Path → handler returning the JSON text. */
  [path: string]: (query: URLSearchParams) => Promise<string>;
}

/** A minimal node:http server: no framework, no GraphQL, no authentication. */
export async function startRawServer(routes: RawRoutes): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://raw');
    const handler = routes[url.pathname];
    // Drain the body (the load client posts the same way to both servers).
    req.resume();
    req.on('end', () => {
      if (!handler) {
        res.writeHead(404).end();
        return;
      }
      handler(url.searchParams).then(
        (json) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(json);
        },
        (error: unknown) => {
          res.writeHead(500).end(String(error));
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export function casePageRoute(pool: Pool, agencyId: string) {
  return async (query: URLSearchParams): Promise<string> => {
    const first = Number(query.get('first') ?? 50);
    const { rows } = await pool.query<PageRow>(CASE_PAGE_SQL, [agencyId, first + 1]);
    return casePageJson(rows, first);
  };
}
