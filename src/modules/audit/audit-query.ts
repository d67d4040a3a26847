import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { decodeCursor, toPage } from '../../common/cursor';
import { pageSize, type Page } from '../../common/pagination';
import { Role } from '../../common/role';
import { and, sql, type Sql } from '../../common/sql';
import { isUuid } from '../../common/uuid';
import { AuditAction, AuditOutcome, type ActorKind } from './audit-codes';
import type { AuditEventFilterInput } from './audit.input';
import type { AuditEventType } from './audit.types';

/**
 * Which events the caller may review: the hub operator all of them; an agency admin those whose
 * actor belongs to their agency (so hub-made events, such as purges, are the operator's alone).
 */
function auditScope(viewer: Viewer): Sql {
  switch (viewer.role) {
    case Role.HUB_ADMIN:
      return sql('true');
    case Role.AGENCY_ADMIN:
      return sql('e.agency_id = ?::uuid', viewer.agencyId);
    default:
      return sql('false');
  }
}

function filters(filter: AuditEventFilterInput | undefined): Sql[] {
  const parts: Sql[] = [];
  if (!filter) return parts;
  if (filter.actorId) {
    parts.push(
      sql(
        '(e.actor_user_id = ?::uuid or e.actor_api_key_id = ?::uuid)',
        filter.actorId,
        filter.actorId,
      ),
    );
  }
  if (filter.agencyId) parts.push(sql('e.agency_id = ?::uuid', filter.agencyId));
  if (filter.action) parts.push(sql('e.action = ?', filter.action));
  if (filter.entityType) parts.push(sql('e.entity_type = ?', filter.entityType));
  if (filter.entityId) {
    parts.push(
      sql(
        '(e.entity_ids @> array[?::uuid] or e.person_ids @> array[?::uuid])',
        filter.entityId,
        filter.entityId,
      ),
    );
  }
  if (filter.outcome) parts.push(sql('e.outcome = ?::audit_outcome', filter.outcome));
  if (filter.from) parts.push(sql('e.occurred_at >= ?::timestamptz', filter.from.toISOString()));
  if (filter.to) parts.push(sql('e.occurred_at < ?::timestamptz', filter.to.toISOString()));
  return parts;
}

interface Row {
  total_count: number;
  id: string | null;
  occurred_at: Date;
  actor_kind: ActorKind;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  agency_id: string | null;
  role: string | null;
  action: string;
  entity_type: string | null;
  entity_ids: string[];
  person_ids: string[];
  fields: string[];
  purpose: string | null;
  request_id: string | null;
  outcome: AuditOutcome;
  error_code: string | null;
  details: unknown;
}

const toEvent = (r: Row): AuditEventType => ({
  id: r.id!,
  occurredAt: new Date(r.occurred_at),
  actorKind: r.actor_kind,
  actorUserId: r.actor_user_id ?? undefined,
  actorApiKeyId: r.actor_api_key_id ?? undefined,
  agencyId: r.agency_id ?? undefined,
  role: r.role ?? undefined,
  action: r.action,
  entityType: r.entity_type ?? undefined,
  entityIds: r.entity_ids ?? [],
  personIds: r.person_ids ?? [],
  fields: r.fields ?? [],
  purpose: r.purpose ?? undefined,
  requestId: r.request_id ?? undefined,
  outcome: r.outcome,
  errorCode: r.error_code ?? undefined,
  details: r.details === null || r.details === undefined ? undefined : JSON.stringify(r.details),
});

/** One statement: the page (newest first, then id) and the total in scope. */
async function queryEvents(
  em: EntityManager,
  where: Sql,
  first: number | undefined,
  after: string | undefined,
): Promise<Page<AuditEventType>> {
  const size = pageSize(first);
  const cursor = decodeCursor('auditEvents', after);
  const page = cursor
    ? sql('(f.occurred_at, f.id) < (?::timestamptz, ?::uuid)', cursor.at.toISOString(), cursor.id)
    : sql('true');
  const rows = await em.execute<Row[]>(
    `with filtered as (select e.* from audit_event e where ${where.text})
     select t.total_count, p.*
       from (select count(*)::int as total_count from filtered) t
       left join lateral (
         select f.* from filtered f where ${page.text}
          order by f.occurred_at desc, f.id desc limit ?
       ) p on true`,
    [...where.bindings, ...page.bindings, size + 1],
  );
  const totalCount = rows[0]?.total_count ?? 0;
  const events = rows.filter((r) => r.id !== null).map(toEvent);
  return toPage('auditEvents', events, size, totalCount, (e) => ({ at: e.occurredAt, id: e.id }));
}

export function listAuditEvents(
  em: EntityManager,
  viewer: Viewer,
  args: { filter?: AuditEventFilterInput; first?: number; after?: string },
): Promise<Page<AuditEventType>> {
  return queryEvents(
    em,
    and([auditScope(viewer), ...filters(args.filter)]),
    args.first,
    args.after,
  );
}

/**
 * Who was shown this person's identity, when and for what purpose (42 CFR 2.24-style list of
 * disclosures). An id that names nobody gives an empty list, exactly like a person never
 * disclosed, so the answer never tells whether a person exists.
 */
export function listDisclosures(
  em: EntityManager,
  viewer: Viewer,
  args: { personId: string; first?: number; after?: string },
): Promise<Page<AuditEventType>> {
  const personId = isUuid(args.personId) ? args.personId : '00000000-0000-0000-0000-000000000000';
  const where = and([
    auditScope(viewer),
    sql('e.person_ids @> array[?::uuid]', personId),
    sql('e.action = ?', AuditAction.READ_IDENTITY),
    sql('e.outcome = ?::audit_outcome', AuditOutcome.ALLOWED),
  ]);
  return queryEvents(em, where, args.first, args.after);
}
