import { openText } from '../../crypto/encrypted-number.type';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { Cursor } from '../../common/pagination';
import { Role } from '../../common/role';
import { and, assignedToCaller, pgArray, sql, type Sql } from '../../common/sql';
import { consentInForceCondition, consentInForceSql } from '../outreach/consent-query';
import { ConsentScope } from '../outreach/outreach-codes';
import { LeadStatus } from './lead-codes';
import type { LeadReferralFilterInput } from './lead.input';
import type { LeadReferralFlagType, LeadReferralType } from './lead.types';

/** Until intake is done the deadline runs; past it the referral is overdue. */
export const AWAITING_INTAKE: readonly LeadStatus[] = [
  LeadStatus.REFERRED,
  LeadStatus.INTAKE_PENDING,
];
/** "Enrolled" for the referring agency's flag. */
export const ENROLLED: readonly LeadStatus[] = [LeadStatus.ACTIVE, LeadStatus.INACTIVE];

/** The release that lets the program see identity: SHARE_WITH_LEAD naming it, in force. */
const RELEASE = `(l.person_id is not null
  and ${consentInForceSql('l.person_id', ConsentScope.SHARE_WITH_LEAD, 'l.program_id')})`;

/**
 * Which referrals a program's staff see: their own program's. Nobody else sees any here (the
 * referring agency reads its flags through queryLeadFlags).
 */
function programScope(viewer: Viewer): Sql {
  return viewer.role === Role.LEAD_CASE_MANAGER || viewer.role === Role.AGENCY_ADMIN
    ? sql('l.program_id = ?::uuid', viewer.agencyId)
    : sql('false');
}

function plainFilters(viewer: Viewer, filter?: LeadReferralFilterInput, id?: string): Sql[] {
  const parts: Sql[] = [];
  if (id) parts.push(sql('l.id = ?::uuid', id));
  if (filter?.status) parts.push(sql('l.status = any(?::lead_status[])', pgArray(filter.status)));
  if (filter?.door) parts.push(sql('l.door = ?::lead_door', filter.door));
  if (filter?.assignedToMe !== undefined && filter.assignedToMe !== null) {
    parts.push(assignedToCaller('l.case_manager_id', viewer.userId, filter.assignedToMe));
  }
  return parts;
}

export interface LeadQuery {
  id?: string;
  filter?: LeadReferralFilterInput;
  after?: Cursor;
  limit: number;
}

/**
 * One statement for a page of a program's referrals: scope, filters, the overdue flag, whether
 * a release is in force, and the incident summary, ordered by intake deadline then id. Identity
 * (the person id) and the incident's address leave the database only for a case manager while a
 * release is in force.
 */
export async function queryLeadReferrals(
  em: EntityManager,
  viewer: Viewer,
  query: LeadQuery,
): Promise<{ rows: LeadReferralType[]; totalCount: number }> {
  const now = new Date().toISOString();
  const where = and([programScope(viewer), ...plainFilters(viewer, query.filter, query.id)]);
  const overdue = query.filter?.intakeOverdue;
  const flags =
    overdue === undefined || overdue === null ? sql('true') : sql('s.intake_overdue = ?', overdue);
  const cursor = query.after
    ? sql(
        '(f.intake_deadline, f.id) > (?::timestamptz, ?::uuid)',
        query.after.at.toISOString(),
        query.after.id,
      )
    : sql('true');
  const mayIdentify = viewer.role === Role.LEAD_CASE_MANAGER;

  const statement = sql(
    `with filtered as (
       select * from (
         select l.id, l.door, l.status, l.exit_reason, l.intake_deadline, l.program_id,
                l.case_manager_id, l.person_id, l.created_at, l.updated_at, l.version,
                l.county as referral_county, l.referring_agency_id, l.referred_by_id,
                l.subject_first_name, l.subject_last_name, l.subject_date_of_birth,
                l.where_to_find, l.contact,
                (l.status = any(?::lead_status[]) and l.intake_deadline < ?::timestamptz)
                  as intake_overdue,
                (?::boolean and ${RELEASE}) as release_in_force,
                i.id as incident_id, i.occurred_at, i.county, i.fatal, i.street, i.city, i.state,
                i.zip
           from lead_referral l
           left join overdose_case lc on lc.id = l.case_id
           left join overdose_incident i on i.id = coalesce(l.source_incident_id, lc.index_incident_id)
          where ${where.text}
       ) s
       where ${flags.text}
     )
     select t.total_count, p.*
       from (select count(*)::int as total_count from filtered) t
       left join lateral (
         select f.id, f.door, f.status, f.exit_reason, f.intake_deadline, f.program_id,
                f.case_manager_id, f.created_at, f.updated_at, f.version, f.intake_overdue,
                f.release_in_force, f.occurred_at, f.county, f.fatal,
                coalesce(f.referral_county, f.county) as referral_county,
                -- What the referrer entered leaves the database for a case manager only.
                case when ?::boolean then f.referring_agency_id end as referring_agency_id,
                case when ?::boolean then
                  (select u.display_name from app_user u where u.id = f.referred_by_id) end
                  as referring_officer,
                case when ?::boolean then f.subject_first_name end as subject_first_name,
                case when ?::boolean then f.subject_last_name end as subject_last_name,
                case when ?::boolean then f.subject_date_of_birth end as subject_date_of_birth,
                case when ?::boolean then f.where_to_find end as where_to_find,
                case when ?::boolean then f.contact end as contact,
                exists (select 1 from naloxone_administration n where n.incident_id = f.incident_id)
                  as naloxone_given,
                case when f.release_in_force then f.person_id end as person_id,
                case when f.release_in_force then f.incident_id end as referred_incident_id,
                case when f.release_in_force then f.street end as street,
                case when f.release_in_force then f.city end as city,
                case when f.release_in_force then f.state end as state,
                case when f.release_in_force then f.zip end as zip
           from filtered f
          where ${cursor.text}
          order by f.intake_deadline, f.id
          limit ?
       ) p on true`,
    pgArray(AWAITING_INTAKE),
    now,
    mayIdentify,
    ...where.bindings,
    ...flags.bindings,
    ...Array<boolean>(7).fill(mayIdentify),
    ...cursor.bindings,
    query.limit,
  );
  const result = await em
    .getConnection()
    .execute<LeadRow[]>(statement.text, statement.bindings, 'all', em.getTransactionContext());
  return {
    rows: result.filter((r) => r.id !== null).map(toLeadReferral),
    totalCount: result[0]?.total_count ?? 0,
  };
}

interface LeadRow {
  total_count: number;
  id: string;
  door: LeadReferralType['door'];
  status: LeadReferralType['status'];
  exit_reason: LeadReferralType['exitReason'] | null;
  intake_deadline: Date | string;
  program_id: string;
  case_manager_id: string | null;
  person_id: string | null;
  referred_incident_id: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  version: number;
  intake_overdue: boolean;
  release_in_force: boolean;
  occurred_at: Date | string | null;
  county: string | null;
  fatal: boolean | null;
  naloxone_given: boolean;
  street: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  referral_county: string | null;
  referring_agency_id: string | null;
  referring_officer: string | null;
  subject_first_name: string | null;
  subject_last_name: string | null;
  subject_date_of_birth: string | null;
  where_to_find: string | null;
  contact: string | null;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

function toLeadReferral(row: LeadRow): LeadReferralType {
  return {
    id: row.id,
    door: row.door,
    status: row.status,
    exitReason: row.exit_reason ?? undefined,
    intakeDeadline: toDate(row.intake_deadline),
    intakeOverdue: row.intake_overdue,
    releaseInForce: row.release_in_force,
    incidentSummary:
      row.occurred_at && row.county !== null && row.fatal !== null
        ? {
            occurredAt: toDate(row.occurred_at),
            county: row.county,
            fatal: row.fatal,
            naloxoneGiven: row.naloxone_given,
          }
        : undefined,
    incidentAddress: row.release_in_force
      ? {
          // Stored encrypted (incident.entity.ts); read here by SQL, so opened here.
          street: openText(row.street),
          city: openText(row.city),
          state: row.state ?? undefined,
          zip: openText(row.zip),
        }
      : undefined,
    county: row.referral_county ?? undefined,
    referralDetails: row.referring_agency_id
      ? {
          firstName: openText(row.subject_first_name),
          lastName: openText(row.subject_last_name),
          dateOfBirth: openText(row.subject_date_of_birth),
          whereToFind: openText(row.where_to_find),
          contact: openText(row.contact),
          referringOfficer: row.referring_officer ?? undefined,
          referringAgencyId: row.referring_agency_id,
        }
      : undefined,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    version: row.version,
    programId: row.program_id,
    caseManagerId: row.case_manager_id ?? undefined,
    personId: row.person_id ?? undefined,
    referredIncidentId: row.referred_incident_id ?? undefined,
  };
}

/**
 * The referring agency's own referrals, newest first: id, time, door, and whether the person is
 * enrolled — computed only while a release naming the program is in force that (for police)
 * also covers the police. The status never leaves the database otherwise.
 */
export async function queryLeadFlags(
  em: EntityManager,
  viewer: Viewer,
  query: { id?: string; after?: Cursor; limit: number },
): Promise<{ rows: LeadReferralFlagType[]; totalCount: number }> {
  const scope =
    viewer.role === Role.POLICE_OFFICER || viewer.role === Role.OUTREACH_WORKER
      ? sql('l.referring_agency_id = ?::uuid', viewer.agencyId)
      : sql('false');
  const where = and([scope, ...(query.id ? [sql('l.id = ?::uuid', query.id)] : [])]);
  const cursor = query.after
    ? sql(
        '(l.created_at, l.id) < (?::timestamptz, ?::uuid)',
        query.after.at.toISOString(),
        query.after.id,
      )
    : sql('true');
  const policeOnly = viewer.role === Role.POLICE_OFFICER ? 'and cn.covers_police' : '';
  const visible = `(l.person_id is not null and exists (select 1 from consent cn
    where cn.person_id = l.person_id
      and cn.scope = '${ConsentScope.SHARE_WITH_LEAD}'
      and cn.granted_to_id = l.program_id
      ${policeOnly}
      and ${consentInForceCondition('cn')}))`;

  const statement = sql(
    `select t.total_count, p.*
       from (select count(*)::int as total_count from lead_referral l where ${where.text}) t
       left join lateral (
         select v.id, v.created_at, v.door, v.enrolled_visible,
                case when v.enrolled_visible then v.status = any(?::lead_status[]) end as enrolled,
                case when v.intake_completed_at is not null
                       then v.intake_completed_at <= v.intake_deadline
                     when v.intake_deadline < now() then false
                end as intake_completed_by_deadline
           from (
             select l.id, l.created_at, l.door, l.status, l.intake_completed_at,
                    l.intake_deadline, ${visible} as enrolled_visible
               from lead_referral l
              where ${where.text} and ${cursor.text}
              order by l.created_at desc, l.id desc
              limit ?
           ) v
       ) p on true
      order by p.created_at desc, p.id desc`,
    ...where.bindings,
    pgArray(ENROLLED),
    ...where.bindings,
    ...cursor.bindings,
    query.limit,
  );
  const result = await em
    .getConnection()
    .execute<FlagRow[]>(statement.text, statement.bindings, 'all', em.getTransactionContext());
  return {
    rows: result
      .filter((r) => r.id !== null)
      .map((r) => ({
        id: r.id,
        createdAt: toDate(r.created_at),
        door: r.door,
        enrolledVisible: r.enrolled_visible,
        enrolled: r.enrolled ?? undefined,
        intakeCompletedByDeadline: r.intake_completed_by_deadline ?? undefined,
      })),
    totalCount: result[0]?.total_count ?? 0,
  };
}

interface FlagRow {
  total_count: number;
  id: string;
  created_at: Date | string;
  door: LeadReferralFlagType['door'];
  enrolled_visible: boolean;
  enrolled: boolean | null;
  intake_completed_by_deadline: boolean | null;
}
