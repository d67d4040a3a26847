import type { Viewer } from '../auth/viewer';
import type { Logger } from '../logger';

/** What one research request did, in terms that identify the caller and nobody else. */
export interface ResearchAccess {
  actor: Viewer;
  /** `research.extract`, or `research.query` for anything else asked of the endpoint. */
  action: string;
  channel: 'graphql' | 'cli';
  requestId: string;
  /** Root fields asked for; arguments are never recorded. */
  fields?: string[];
  /** The filter's shape only: how many months and counties, never which person or value. */
  filter?: { fromMonth?: string; toMonth?: string; months?: number; countyCount?: number | null };
  extractId?: string;
  rowCount?: number;
  suppressedRowCount?: number;
  /** `ok`, or the error codes the request ended with (FORBIDDEN, BAD_USER_INPUT…). */
  outcome: string;
}

/**
 * The one place research access is recorded. For now a structured log line (no personal data:
 * ids of the caller, counts, the months asked for); at merge it is pointed at the AuditEvent
 * table, so callers never change.
 */
export function recordResearchAccess(logger: Logger, access: ResearchAccess): void {
  const { actor, ...rest } = access;
  logger.info(
    {
      audit: 'research',
      actor: {
        kind: actor.kind,
        userId: actor.userId,
        apiKeyId: actor.apiKeyId,
        agencyId: actor.agencyId,
        role: actor.role,
      },
      ...rest,
    },
    'research access',
  );
}
