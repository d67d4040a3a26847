import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { Cursor } from '../../common/pagination';
import { Role } from '../../common/role';
import { and, assignedToCaller, pgArray, sql, type Sql } from '../../common/sql';
import { activeAgreementExistsSql } from '../agency/agreement-query';
import { consentInForceCondition } from '../outreach/consent-query';
import { AWAITING_FIRST_ATTEMPT, CloseReason, ReferralType, SealedReason } from './case-codes';
import type { CaseFilterInput } from './case.input';
import type { CaseType } from './case.types';
import type { CaseReferralType } from './referral.types';

/**
 * Which cases the caller may see at all, as a SQL condition on `c` (overdose_case): the agency a
 * case is routed to sees it; the hub operator sees every case; nobody else sees any.
 */
function caseScope(viewer: Viewer): Sql {
  switch (viewer.role) {
    case Role.HUB_ADMIN:
      return sql('true');
    case Role.OUTREACH_WORKER:
    case Role.AGENCY_ADMIN:
      return sql('c.routed_agency_id = ?::uuid', viewer.agencyId);
    default:
      return sql('false');
  }
}

/**
 * Which referrals of a visible case the caller sees: only the routing ones (onward referrals to
 * treatment are Part 2 sensitive and not queue data); an agency its own, the operator all.
 */
function referralScope(viewer: Viewer): Sql {
  const routing = sql('r.type = ?::referral_type', ReferralType.FOLLOW_UP_OUTREACH);
  return viewer.role === Role.HUB_ADMIN
    ? routing
    : and([routing, sql('r.to_agency_id = ?::uuid', viewer.agencyId)]);
}

/** Conditions on the columns of `c` itself (cheap, before the computed flags). */
function plainFilters(viewer: Viewer, filter: CaseFilterInput | undefined, id?: string): Sql[] {
  const parts: Sql[] = [];
  if (id) parts.push(sql('c.id = ?::uuid', id));
  if (filter?.status) parts.push(sql('c.status = any(?::case_status[])', pgArray(filter.status)));
  if (filter?.county) parts.push(sql('c.county = ?', filter.county));
  if (filter?.assignedToMe !== undefined && filter.assignedToMe !== null) {
    parts.push(assignedToCaller('c.assigned_worker_id', viewer.userId, filter.assignedToMe));
  }
  return parts;
}

function flagFilters(filter: CaseFilterInput | undefined): Sql[] {
  const parts: Sql[] = [];
  if (filter?.overdue !== undefined && filter.overdue !== null) {
    parts.push(sql('s.overdue = ?', filter.overdue));
  }
  if (filter?.sealed !== undefined && filter.sealed !== null) {
    parts.push(sql('s.identity_sealed = ?', filter.sealed));
  }
  return parts;
}

export interface CaseQuery {
  id?: string;
  filter?: CaseFilterInput;
  after?: Cursor;
  limit: number;
}

/**
 * One statement for a page of cases: scope, filters, the overdue and sealed flags, the count of
 * linked earlier cases, the caller's referrals as JSON, the outreach attempt count and latest
 * attempt (for the page's rows only), and the total in scope. Ordered by due time, then id, so
 * pages are stable. Timelines and attempt lists are loaded per page by their field resolvers.
 */
export async function queryCases(
  em: EntityManager,
  viewer: Viewer,
  query: CaseQuery,
): Promise<{ rows: CaseType[]; totalCount: number }> {
  const now = new Date();
  const where = and([caseScope(viewer), ...plainFilters(viewer, query.filter, query.id)]);
  const flags = and(flagFilters(query.filter));
  const cursor = query.after
    ? sql(
        '(f.follow_up_due_at, f.id) > (?::timestamptz, ?::uuid)',
        query.after.at.toISOString(),
        query.after.id,
      )
    : sql('true');
  const referrals = referralScope(viewer);
  const sealed = `c.person_id is not null and not ${activeAgreementExistsSql(
    'i.reporting_agency_id',
    'c.routed_agency_id',
    'c.county',
  )}`;
  // Revoking consent to follow-up re-seals identity for everyone but the holder of the record:
  // the agency the case is routed to keeps what it recorded; no other reader is served identity.
  const revoked = sql(
    `c.person_id is not null and c.close_reason = ?::close_reason
       and c.routed_agency_id is distinct from ?::uuid`,
    CloseReason.CONSENT_REVOKED,
    viewer.agencyId,
  );
  const consentOnFile = `exists (select 1 from consent cn
    join app_user u on u.id = cn.recorded_by_id and u.agency_id = c.routed_agency_id
    where cn.case_id = c.id and ${consentInForceCondition('cn')})`;

  const statement = sql(
    `with filtered as (
       select * from (
         select c.id, c.status, c.close_reason, c.triage_reason, c.county, c.routed_agency_id,
                c.assigned_worker_id, c.person_id, c.index_incident_id, c.follow_up_opens_at,
                c.follow_up_due_at, c.hold_reason, c.resume_on, c.version, c.created_at,
                c.updated_at,
                (c.follow_up_due_at < ?::timestamptz
                  and c.status = any(?::case_status[])) as overdue,
                ((${sealed}) or (${revoked.text})) as identity_sealed,
                (${revoked.text}) as sealed_by_revocation,
                (${consentOnFile}) as consent_on_file,
                (select count(*)::int from case_link cl where cl.case_id = c.id) as prior_case_count
           from overdose_case c
           join overdose_incident i on i.id = c.index_incident_id
          where ${where.text}
       ) s
       where ${flags.text}
     )
     select t.total_count, p.*
       from (select count(*)::int as total_count from filtered) t
       left join lateral (
         select f.*,
                (select coalesce(json_agg(json_build_object(
                          'id', r.id, 'toAgencyId', r.to_agency_id, 'type', r.type,
                          'status', r.status, 'statusReason', r.status_reason,
                          'createdAt', r.created_at, 'respondedAt', r.responded_at)
                          order by r.created_at, r.id), '[]'::json)
                   from referral r where r.case_id = f.id and (${referrals.text})) as referrals,
                a.attempt_count, a.last_attempt_at
           from filtered f
           cross join lateral (
             select count(*)::int as attempt_count, max(oa.attempted_at) as last_attempt_at
               from outreach_attempt oa where oa.case_id = f.id
           ) a
          where ${cursor.text}
          order by f.follow_up_due_at, f.id
          limit ?
       ) p on true`,
    now.toISOString(),
    pgArray(AWAITING_FIRST_ATTEMPT),
    ...revoked.bindings,
    ...revoked.bindings,
    ...where.bindings,
    ...flags.bindings,
    ...referrals.bindings,
    ...cursor.bindings,
    query.limit,
  );

  const result = await em
    .getConnection()
    .execute<CaseRow[]>(statement.text, statement.bindings, 'all', em.getTransactionContext());
  const totalCount = result[0]?.total_count ?? 0;
  return { rows: result.filter((r) => r.id !== null).map(toCaseType), totalCount };
}

interface CaseRow {
  total_count: number;
  id: string;
  status: CaseType['status'];
  close_reason: CaseType['closeReason'] | null;
  triage_reason: CaseType['triageReason'] | null;
  county: string;
  routed_agency_id: string | null;
  assigned_worker_id: string | null;
  person_id: string | null;
  index_incident_id: string;
  follow_up_opens_at: Date | string;
  follow_up_due_at: Date | string;
  hold_reason: CaseType['holdReason'] | null;
  resume_on: Date | string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
  overdue: boolean;
  identity_sealed: boolean;
  sealed_by_revocation: boolean;
  consent_on_file: boolean;
  prior_case_count: number;
  attempt_count: number;
  last_attempt_at: Date | string | null;
  referrals: string | Array<Omit<CaseReferralType, 'createdAt' | 'respondedAt'> & JsonDates>;
}

interface JsonDates {
  createdAt: string;
  respondedAt: string | null;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

function toCaseType(row: CaseRow): CaseType {
  const referrals = typeof row.referrals === 'string' ? JSON.parse(row.referrals) : row.referrals;
  return {
    id: row.id,
    status: row.status,
    closeReason: row.close_reason ?? undefined,
    triageReason: row.triage_reason ?? undefined,
    county: row.county,
    followUpOpensAt: toDate(row.follow_up_opens_at),
    followUpDueAt: toDate(row.follow_up_due_at),
    overdue: row.overdue,
    identitySealed: row.identity_sealed,
    sealedReason: !row.identity_sealed
      ? undefined
      : row.sealed_by_revocation
        ? SealedReason.CONSENT_REVOKED
        : SealedReason.NO_DATA_SHARING_AGREEMENT,
    consentOnFile: row.consent_on_file,
    referrals: (
      referrals as Array<Omit<CaseReferralType, 'createdAt' | 'respondedAt'> & JsonDates>
    ).map((r) => ({
      ...r,
      statusReason: r.statusReason ?? undefined,
      createdAt: new Date(r.createdAt),
      respondedAt: r.respondedAt ? new Date(r.respondedAt) : undefined,
    })),
    priorCaseCount: row.prior_case_count,
    repeatOverdose: row.prior_case_count > 0,
    attemptCount: row.attempt_count,
    lastAttemptAt: row.last_attempt_at ? toDate(row.last_attempt_at) : undefined,
    holdReason: row.hold_reason ?? undefined,
    resumeOn: row.resume_on ? toDate(row.resume_on) : undefined,
    version: row.version,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    routedAgencyId: row.routed_agency_id ?? undefined,
    assignedWorkerId: row.assigned_worker_id ?? undefined,
    personId: row.person_id ?? undefined,
    indexIncidentId: row.index_incident_id,
  };
}
