import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import type { Logger } from '../logger';
import { AuditOutcome } from '../modules/audit/audit-codes';
import { recordAuditEvent } from '../modules/audit/audit-writer';

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
  generalisedRowCount?: number;
  /** `ok`, or the error codes the request ended with (FORBIDDEN, BAD_USER_INPUT…). */
  outcome: string;
}

/**
 * The one place research access is recorded: an AuditEvent row (ids of the caller, counts, the
 * months asked for; never a value) and a log line. Throws when the row cannot be written, so a
 * caller can withhold the extract rather than release it unaudited.
 */
export async function recordResearchAccess(
  em: EntityManager,
  logger: Logger,
  access: ResearchAccess,
): Promise<void> {
  const { actor, action, requestId, outcome, extractId, ...shape } = access;
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
      action,
      requestId,
      outcome,
      extractId,
      ...shape,
    },
    'research access',
  );
  await recordAuditEvent(em.fork(), {
    viewer: actor,
    action,
    entityType: extractId ? 'ResearchExtract' : undefined,
    entityIds: extractId ? [extractId] : undefined,
    purpose: 'RESEARCH',
    requestId,
    outcome: outcome === 'ok' ? AuditOutcome.ALLOWED : AuditOutcome.DENIED,
    errorCode: outcome === 'ok' ? undefined : outcome,
    details: {
      channel: shape.channel,
      fields: shape.fields,
      fromMonth: shape.filter?.fromMonth,
      toMonth: shape.filter?.toMonth,
      months: shape.filter?.months,
      countyCount: shape.filter?.countyCount,
      rowCount: shape.rowCount,
      suppressedRowCount: shape.suppressedRowCount,
      generalisedRowCount: shape.generalisedRowCount,
    },
  });
}
