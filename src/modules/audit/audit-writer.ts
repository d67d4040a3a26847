import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { pgArray } from '../../common/sql';
import { isUuid } from '../../common/uuid';
import { ActorKind, AuditOutcome } from './audit-codes';

/**
 * What a caller of `recordAuditEvent` says about one event. Only names, ids, codes and counts:
 * never a personal value (a name, a date of birth, a phone number, an address, free text).
 */
export interface AuditEventInput {
  /** The verified caller; without one the hub itself acted (SYSTEM) unless `actorKind` says otherwise. */
  viewer?: Viewer | null;
  /** Only without a viewer: SYSTEM (default) or ANONYMOUS (no valid credential). */
  actorKind?: ActorKind.SYSTEM | ActorKind.ANONYMOUS;
  /** A field coordinate (`Mutation.acceptCase`, `Query.researchExtract`) or an AuditAction. */
  action: string;
  entityType?: string;
  /** Ids of the records concerned; anything that is not a UUID is dropped. */
  entityIds?: readonly string[];
  /** People whose identity the event disclosed (drives `disclosuresForPerson`). */
  personIds?: readonly string[];
  /** Names of the identity fields returned, never their values. */
  fields?: readonly string[];
  /** Purpose of use; default: the one of the caller's role (purposeOfRole). */
  purpose?: string;
  requestId?: string;
  /** Default ALLOWED. */
  outcome?: AuditOutcome;
  errorCode?: string;
  /** Counts and codes only (e.g. `{ rows: 120, suppressedCells: 3 }`). */
  details?: Record<string, unknown>;
  occurredAt?: Date;
}

const ROLE_PURPOSE: Record<Role, string> = {
  [Role.POLICE_OFFICER]: 'REPORTING',
  [Role.EMS_PROVIDER]: 'REPORTING',
  [Role.OUTREACH_WORKER]: 'FOLLOW_UP_OUTREACH',
  [Role.LEAD_CASE_MANAGER]: 'LEAD_CASE_MANAGEMENT',
  [Role.TREATMENT_PROVIDER]: 'TREATMENT',
  [Role.AGENCY_ADMIN]: 'ADMINISTRATION',
  [Role.ANALYST]: 'SURVEILLANCE',
  [Role.RESEARCHER]: 'RESEARCH',
  [Role.HUB_ADMIN]: 'AUDIT_AND_ADMINISTRATION',
};

/**
 * The purpose of use a role's access serves (DESIGN.md roles): the matrix grants each role its
 * fields for exactly one purpose, so the role names it.
 */
export function purposeOfRole(role: Role | undefined): string | undefined {
  return role ? ROLE_PURPOSE[role] : undefined;
}

const COLUMNS = [
  'id',
  'occurred_at',
  'actor_kind',
  'actor_user_id',
  'actor_api_key_id',
  'agency_id',
  'role',
  'action',
  'entity_type',
  'entity_ids',
  'person_ids',
  'fields',
  'purpose',
  'request_id',
  'outcome',
  'error_code',
  'details',
];
const ROW = `(gen_random_uuid(), ?::timestamptz, ?::audit_actor_kind, ?::uuid, ?::uuid, ?::uuid, ?,
  ?, ?, ?::uuid[], ?::uuid[], ?::text[], ?, ?, ?::audit_outcome, ?, ?::jsonb)`;
/** A field name, or a path such as `incidentAddress.street`. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,99}$/;
/** A runaway list (a 10,000-row batch) is recorded by its first ids and counted in `details`. */
const MAX_IDS = 1000;
const MAX_ROWS_PER_INSERT = 2000;

function ids(values: readonly string[] | undefined): string {
  const unique = [...new Set((values ?? []).filter((v) => typeof v === 'string' && isUuid(v)))];
  return pgArray(unique.slice(0, MAX_IDS));
}

function bindings(event: AuditEventInput): unknown[] {
  const viewer = event.viewer ?? undefined;
  const actorKind = viewer
    ? viewer.kind === 'API_KEY'
      ? ActorKind.API_KEY
      : ActorKind.USER
    : (event.actorKind ?? ActorKind.SYSTEM);
  const fieldNames = [...new Set(event.fields ?? [])].filter((f) => FIELD_NAME.test(f)).sort();
  const details =
    (event.entityIds?.length ?? 0) > MAX_IDS
      ? { ...event.details, entityIdCount: event.entityIds!.length }
      : event.details;
  return [
    (event.occurredAt ?? new Date()).toISOString(),
    actorKind,
    viewer?.userId ?? null,
    viewer?.apiKeyId ?? null,
    viewer?.agencyId ?? null,
    viewer?.role ?? null,
    event.action,
    event.entityType ?? null,
    ids(event.entityIds),
    ids(event.personIds),
    // Field names and paths hold no comma, quote, brace or space (FIELD_NAME), so no quoting.
    `{${fieldNames.join(',')}}`,
    event.purpose ?? purposeOfRole(viewer?.role) ?? null,
    event.requestId ?? null,
    event.outcome ?? AuditOutcome.ALLOWED,
    event.errorCode ?? null,
    details ? JSON.stringify(details) : null,
  ];
}

/**
 * Writes many events in one multi-row INSERT (one round trip per request). Runs in `em`'s
 * transaction when there is one, so a caller can make its change and its audit row commit or
 * roll back together. Throws when the row cannot be written: the caller decides whether to fail
 * closed (identity reads do).
 */
export async function insertAuditEvents(
  em: EntityManager,
  events: readonly AuditEventInput[],
): Promise<void> {
  // PostgreSQL takes at most 65,535 parameters per statement (16 per row).
  for (let start = 0; start < events.length; start += MAX_ROWS_PER_INSERT) {
    const chunk = events.slice(start, start + MAX_ROWS_PER_INSERT);
    await em.execute(
      `insert into audit_event (${COLUMNS.join(', ')}) values ${chunk.map(() => ROW).join(', ')}`,
      chunk.flatMap(bindings),
      'run',
    );
  }
}

/**
 * Records one audit event, e.g. for a research request or extract:
 * `await recordAuditEvent(em, { viewer, action: 'Query.researchExtract', purpose, requestId,
 * details: { rows, suppressedCells } })`. Call it inside the transaction that produces the
 * result (or before returning it) and let an error propagate, so nothing is released unaudited.
 */
export function recordAuditEvent(em: EntityManager, event: AuditEventInput): Promise<void> {
  return insertAuditEvents(em, [event]);
}
