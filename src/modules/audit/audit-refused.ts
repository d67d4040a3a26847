import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import type { Logger } from '../../logger';
import { ActorKind, AuditAction, AuditOutcome } from './audit-codes';
import { recordAuditEvent } from './audit-writer';

/**
 * Audits a request refused for want of a valid credential. It fails before Apollo's request
 * plugins run, so the context builder calls this. The response is a refusal anyway; if the row
 * cannot be written the refusal still goes out and the log keeps the trace.
 */
export async function auditRefusedCredential(
  em: EntityManager,
  error: unknown,
  requestId: string,
  logger: Logger,
): Promise<void> {
  if (!(error instanceof GraphQLError) || error.extensions.code !== 'UNAUTHENTICATED') return;
  try {
    await recordAuditEvent(em, {
      actorKind: ActorKind.ANONYMOUS,
      action: AuditAction.AUTHENTICATE,
      requestId,
      outcome: AuditOutcome.DENIED,
      errorCode: 'UNAUTHENTICATED',
    });
  } catch (writeError) {
    logger.error(
      {
        requestId,
        errorClass: writeError instanceof Error ? writeError.constructor.name : typeof writeError,
        action: AuditAction.AUTHENTICATE,
      },
      'audit write failed',
    );
  }
}
