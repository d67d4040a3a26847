import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { Cursor } from '../../common/pagination';
import { Role } from '../../common/role';
import { and, assignedToCaller, pgArray, sql, type Sql } from '../../common/sql';
import { activeAgreementExistsSql } from '../agency/agreement-query';
import { CONSENT_IN_FORCE } from '../../rules/consent-in-force';
import { inForceSql } from '../../rules/in-force-window';
import { caseScopeSql } from './case-scope';
import {
  AWAITING_FIRST_ATTEMPT,
  CaseStatus,
  CloseReason,
  FollowUpBucket,
  ReferralType,
  SealedReason,
} from './case-codes';
import { relationColumns, toLoadedRelations, type CaseRelations } from './case-list-relations';
import type { CaseFilterInput } from './case.input';
import { CaseType } from './case.types';
import type { CaseReferralType } from './referral.types';

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

/** The columns the identity rules read, under the aliases of the statement that asks. */
interface SealColumns {
  personId: string;
  closeReason: string;
  routedAgencyId: string;
  reportingAgencyId: string;
  county: string;
}

const CASE_COLUMNS: SealColumns = {
  personId: 'c.person_id',
  closeReason: 'c.close_reason',
  routedAgencyId: 'c.routed_agency_id',
  // A referral case has no report: the agency that took the referral in holds its identity.
  reportingAgencyId: 'coalesce(i.reporting_agency_id, c.intake_agency_id)',
  county: 'c.county',
};

/**
 * Revoking consent to follow-up re-seals identity for everyone but the holder of the record:
 * the agency the case is routed to keeps what it recorded; no other reader is served identity.
 */
function revokedSql(viewer: Viewer, col: SealColumns): Sql {
  return sql(
    `${col.personId} is not null and ${col.closeReason} = ?::close_reason
       and ${col.routedAgencyId} is distinct from ?::uuid`,
    CloseReason.CONSENT_REVOKED,
    viewer.agencyId,
  );
}

/** Identity is withheld: no agreement lets it flow to the routed agency, or consent was revoked. */
function sealedSql(viewer: Viewer, col: SealColumns): Sql {
  const revoked = revokedSql(viewer, col);
  return {
    // The routed agency's own report or referral is never sealed from it (its own values).
    text: `(${col.personId} is not null
             and ${col.reportingAgencyId} is distinct from ${col.routedAgencyId}
             and not ${activeAgreementExistsSql(
               col.reportingAgencyId,
               col.routedAgencyId,
               col.county,
             )}) or (${revoked.text})`,
    bindings: revoked.bindings,
  };
}

const awaitingFirstAttempt = (): Sql =>
  sql('c.status = any(?::case_status[])', pgArray(AWAITING_FIRST_ATTEMPT));

/** Overdue, as SQL on `c`: past the due time with no outreach attempt yet. */
export const overdueSql = (now: Date): Sql =>
  and([awaitingFirstAttempt(), sql('c.follow_up_due_at < ?::timestamptz', now.toISOString())]);

/**
 * The case's place in the follow-up window (see FollowUpBucket), as SQL on `c`. A case on hold
 * with a resume date comes back by itself: due from that date (opening today before it), never
 * overdue (the person said when).
 */
function bucketSql(now: Date, timeZone: string): Sql {
  const at = now.toISOString();
  const awaiting = awaitingFirstAttempt();
  return {
    text: `case when c.status = '${CaseStatus.ON_HOLD}' and c.resume_on is not null then
                   case when c.resume_on <= ?::timestamptz then '${FollowUpBucket.DUE}'
                        when c.resume_on < ${endOfDay.text} then '${FollowUpBucket.OPENS_TODAY}'
                   end
                 when not (${awaiting.text}) then null
                 when c.follow_up_due_at < ?::timestamptz then '${FollowUpBucket.OVERDUE}'
                 when c.follow_up_opens_at <= ?::timestamptz then '${FollowUpBucket.DUE}'
                 when c.follow_up_opens_at < ${endOfDay.text} then '${FollowUpBucket.OPENS_TODAY}'
            end`,
    bindings: [
      at,
      ...endOfDayBindings(at, timeZone),
      ...awaiting.bindings,
      at,
      at,
      ...endOfDayBindings(at, timeZone),
    ],
  };
}

/** The next local midnight after `now` in `timeZone` (an IANA name checked by the caller). */
const endOfDay = sql(
  `((date_trunc('day', ?::timestamptz at time zone ?) + interval '1 day') at time zone ?)`,
);
const endOfDayBindings = (at: string, timeZone: string) => [at, timeZone, timeZone];

/**
 * The follow-up queue: cases awaiting a first attempt whose window opens by the end of today,
 * and cases on hold whose resume date comes by then.
 */
function queueFilter(now: Date, queue: FollowUpQueueScope): Sql {
  const bucket = bucketSql(now, queue.timeZone);
  const at = now.toISOString();
  const awaiting = awaitingFirstAttempt();
  const eod = endOfDayBindings(at, queue.timeZone);
  return and([
    {
      text: `((${awaiting.text}) and c.follow_up_opens_at < ${endOfDay.text})
             or (c.status = '${CaseStatus.ON_HOLD}' and c.resume_on < ${endOfDay.text})`,
      bindings: [...awaiting.bindings, ...eod, ...eod],
    },
    {
      text: `(${bucket.text}) = any(?::text[])`,
      bindings: [...bucket.bindings, pgArray(queue.buckets)],
    },
  ]);
}

/**
 * The filter as SQL on `c` and `i` (the index incident). `joinsIncident` tells whether the
 * count needs the incident table.
 */
function filterSql(
  viewer: Viewer,
  filter: CaseFilterInput | undefined,
  now: Date,
): { where: Sql[]; joinsIncident: boolean } {
  const at = now.toISOString();
  const where: Sql[] = [];
  let joinsIncident = false;
  if (!filter) return { where, joinsIncident };
  if (filter.status) where.push(sql('c.status = any(?::case_status[])', pgArray(filter.status)));
  if (filter.county) where.push(sql('c.county = ?', filter.county));
  if (filter.agencyId) where.push(sql('c.routed_agency_id = ?::uuid', filter.agencyId));
  if (filter.assignedWorkerId) {
    where.push(sql('c.assigned_worker_id = ?::uuid', filter.assignedWorkerId));
  }
  if (filter.assignedToMe !== undefined && filter.assignedToMe !== null) {
    where.push(assignedToCaller('c.assigned_worker_id', viewer.userId, filter.assignedToMe));
  }
  if (filter.occurredFrom) {
    where.push(sql('i.occurred_at >= ?::timestamptz', filter.occurredFrom.toISOString()));
    joinsIncident = true;
  }
  if (filter.occurredTo) {
    where.push(sql('i.occurred_at < ?::timestamptz', filter.occurredTo.toISOString()));
    joinsIncident = true;
  }
  if (filter.overdue !== undefined && filter.overdue !== null) {
    const overdue = overdueSql(now);
    where.push(filter.overdue ? overdue : { ...overdue, text: `not (${overdue.text})` });
  }
  if (filter.due !== undefined && filter.due !== null) {
    const due = and([
      awaitingFirstAttempt(),
      sql('c.follow_up_opens_at <= ?::timestamptz', at),
      sql('c.follow_up_due_at >= ?::timestamptz', at),
    ]);
    where.push(filter.due ? due : { ...due, text: `not (${due.text})` });
  }
  if (filter.sealed !== undefined && filter.sealed !== null) {
    const sealed = sealedSql(viewer, CASE_COLUMNS);
    where.push({
      ...sealed,
      text: `${filter.sealed ? '' : 'not '}coalesce(${sealed.text}, false)`,
    });
    joinsIncident = true;
  }
  return { where, joinsIncident };
}

export interface FollowUpQueueScope {
  buckets: FollowUpBucket[];
  timeZone: string;
}

export interface CaseQuery {
  id?: string;
  filter?: CaseFilterInput;
  /** Only the follow-up queue (and "today" in this time zone). */
  queue?: FollowUpQueueScope;
  after?: Cursor;
  limit: number;
  /** Related records to fetch in the same statement. */
  relations?: CaseRelations;
  /** Whether to count the whole filtered set (lists) or not (one case by id). */
  count?: boolean;
}

/**
 * One statement for a page of cases. The count runs over the scope and filter alone (cheap
 * columns, on indexes); the page is the first `limit` cases after the cursor in (due time, id)
 * order, read through the (routed agency, due time, id) index; only those rows get the computed
 * parts: sealed flags, consent, linked cases, the caller's referrals, the attempt count and, when
 * selected, the related records as JSON (see case-list-relations.ts).
 */
export async function queryCases(
  em: EntityManager,
  viewer: Viewer,
  query: CaseQuery,
): Promise<{ rows: CaseType[]; totalCount: number }> {
  const now = new Date();
  const timeZone = query.queue?.timeZone ?? 'UTC';
  const filters = filterSql(viewer, query.filter, now);
  const scope = [
    caseScopeSql(viewer),
    ...(query.id ? [sql('c.id = ?::uuid', query.id)] : []),
    ...filters.where,
    ...(query.queue ? [queueFilter(now, query.queue)] : []),
  ];
  const where = and(scope);
  const cursor = query.after
    ? sql(
        '(c.follow_up_due_at, c.id) > (?::timestamptz, ?::uuid)',
        query.after.at.toISOString(),
        query.after.id,
      )
    : sql('true');
  const pageWhere = and([...scope, cursor]);
  const count =
    query.count === false
      ? sql('select null::int as total_count')
      : {
          text: `select count(*)::int as total_count from overdose_case c
                 ${filters.joinsIncident ? 'left join overdose_incident i on i.id = c.index_incident_id' : ''}
                 where ${where.text}`,
          bindings: where.bindings,
        };
  const bucket = bucketSql(now, timeZone);
  const pageColumns: SealColumns = {
    personId: 'f.person_id',
    closeReason: 'f.close_reason',
    routedAgencyId: 'f.routed_agency_id',
    reportingAgencyId: 'f.reporting_agency_id',
    county: 'f.county',
  };
  const sealed = sealedSql(viewer, pageColumns);
  const revoked = revokedSql(viewer, pageColumns);
  const referrals = referralScope(viewer);
  const relations = relationColumns(viewer, query.relations ?? {}, 'f');
  const awaiting = awaitingFirstAttempt();

  const statement = sql(
    `select t.total_count, p.*
       from (${count.text}) t
       left join lateral (
         select f.*,
                (${sealed.text}) as identity_sealed,
                (${revoked.text}) as sealed_by_revocation,
                exists (select 1 from consent cn
                          join app_user u on u.id = cn.recorded_by_id
                                         and u.agency_id = f.routed_agency_id
                         where cn.case_id = f.id and ${inForceSql(CONSENT_IN_FORCE, 'cn')})
                  as consent_on_file,
                (select count(*)::int from case_link cl where cl.case_id = f.id)
                  as prior_case_count,
                (select max(pc.closed_at) from case_link cl
                   join overdose_case pc on pc.id = cl.prior_case_id
                  where cl.case_id = f.id and pc.close_reason = 'DECLINED_SERVICES')
                  as declined_services_on,
                (select coalesce(json_agg(json_build_object(
                          'id', r.id, 'toAgencyId', r.to_agency_id, 'type', r.type,
                          'status', r.status, 'statusReason', r.status_reason,
                          'createdAt', r.created_at, 'respondedAt', r.responded_at)
                          order by r.created_at, r.id), '[]'::json)
                   from referral r where r.case_id = f.id and (${referrals.text})) as referrals,
                a.attempt_count, a.last_attempt_at
                ${relations.text}
           from (
             select c.id, c.status, c.close_reason, c.triage_reason, c.county,
                    c.routed_agency_id, c.assigned_worker_id, c.person_id, c.index_incident_id,
                    c.follow_up_opens_at, c.follow_up_due_at, c.hold_reason, c.resume_on,
                    c.version, c.created_at, c.updated_at, c.referral_source, c.referred_at,
                    c.peer_contact_declined_at, c.part2_program_id,
                    coalesce(i.reporting_agency_id, c.intake_agency_id) as reporting_agency_id,
                    ((${awaiting.text}) and c.follow_up_due_at < ?::timestamptz) as overdue,
                    (${bucket.text}) as follow_up_bucket
               from overdose_case c
               left join overdose_incident i on i.id = c.index_incident_id
              where ${pageWhere.text}
              order by c.follow_up_due_at, c.id
              limit ?
           ) f
           cross join lateral (
             select count(*)::int as attempt_count, max(oa.attempted_at) as last_attempt_at
               from outreach_attempt oa where oa.case_id = f.id
           ) a
          order by f.follow_up_due_at, f.id
       ) p on true`,
    ...count.bindings,
    ...sealed.bindings,
    ...revoked.bindings,
    ...referrals.bindings,
    ...relations.bindings,
    ...awaiting.bindings,
    now.toISOString(),
    ...bucket.bindings,
    ...pageWhere.bindings,
    query.limit,
  );

  const result = await em
    .getConnection()
    .execute<CaseRow[]>(statement.text, statement.bindings, 'all', em.getTransactionContext());
  const totalCount = result[0]?.total_count ?? 0;
  return {
    rows: result.filter((r) => r.id !== null).map((r) => toCaseType(r, em, query.relations ?? {})),
    totalCount,
  };
}

interface CaseRow extends Record<string, unknown> {
  total_count: number;
  id: string;
  status: CaseType['status'];
  close_reason: CaseType['closeReason'] | null;
  triage_reason: CaseType['triageReason'] | null;
  county: string;
  routed_agency_id: string | null;
  assigned_worker_id: string | null;
  person_id: string | null;
  index_incident_id: string | null;
  referral_source: CaseType['referralSource'] | null;
  referred_at: Date | string | null;
  peer_contact_declined_at: Date | string | null;
  follow_up_opens_at: Date | string;
  follow_up_due_at: Date | string;
  hold_reason: CaseType['holdReason'] | null;
  resume_on: Date | string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
  overdue: boolean;
  declined_services_on: Date | string | null;
  follow_up_bucket: FollowUpBucket | null;
  identity_sealed: boolean;
  sealed_by_revocation: boolean;
  consent_on_file: boolean;
  prior_case_count: number;
  attempt_count: number;
  last_attempt_at: Date | string | null;
  referrals: string | Array<Omit<CaseReferralType, 'createdAt' | 'respondedAt'> & JsonDates>;
  part2_program_id: string | null;
}

interface JsonDates {
  createdAt: string;
  respondedAt: string | null;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

/**
 * A CaseType instance, not a look-alike: type-graphql hands a field resolver's `@Root() kase:
 * CaseType` over as it is only when it is one, and otherwise copies it into a new CaseType for
 * every field resolved on it (two or three per row of a list page).
 */
function toCaseType(row: CaseRow, em: EntityManager, relations: CaseRelations): CaseType {
  const referrals = typeof row.referrals === 'string' ? JSON.parse(row.referrals) : row.referrals;
  return Object.assign(Object.create(CaseType.prototype) as CaseType, {
    id: row.id,
    status: row.status,
    closeReason: row.close_reason ?? undefined,
    triageReason: row.triage_reason ?? undefined,
    county: row.county,
    followUpOpensAt: toDate(row.follow_up_opens_at),
    followUpDueAt: toDate(row.follow_up_due_at),
    overdue: row.overdue,
    followUpBucket: row.follow_up_bucket ?? undefined,
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
    declinedServicesOn: row.declined_services_on ? toDate(row.declined_services_on) : undefined,
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
    indexIncidentId: row.index_incident_id ?? undefined,
    part2ProgramId: row.part2_program_id ?? undefined,
    referralSource: row.referral_source ?? undefined,
    referredAt: row.referred_at ? toDate(row.referred_at) : undefined,
    peerContactDeclinedAt: row.peer_contact_declined_at
      ? toDate(row.peer_contact_declined_at)
      : undefined,
    loaded: toLoadedRelations(row, relations, em),
  } satisfies CaseType);
}
