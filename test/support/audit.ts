import type { TestHub } from './hub';

export interface AuditRow {
  id: string;
  actor_kind: string;
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
  outcome: string;
  error_code: string | null;
  details: Record<string, unknown> | null;
}

/** The audit rows one request left, oldest first. */
export function auditRowsOf(hub: TestHub, requestId: string | null): Promise<AuditRow[]> {
  return hub
    .em()
    .execute<AuditRow[]>(
      'select * from audit_event where request_id = ? order by occurred_at, action',
      [requestId],
    );
}
