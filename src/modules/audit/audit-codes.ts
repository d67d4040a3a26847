import { registerEnumType } from 'type-graphql';

/** Whether the hub let the caller do what the event records. */
export enum AuditOutcome {
  ALLOWED = 'ALLOWED',
  DENIED = 'DENIED',
}

/** Who acted: a signed-in user, a machine client's API key, the hub itself, or nobody known. */
export enum ActorKind {
  USER = 'USER',
  API_KEY = 'API_KEY',
  SYSTEM = 'SYSTEM',
  ANONYMOUS = 'ANONYMOUS',
}

/**
 * Actions that are not a GraphQL field coordinate. Everything else is recorded under the field it
 * concerns: `Mutation.acceptCase`, `Query.disclosuresForPerson`, or the denied field `Case.person`.
 */
export const AuditAction = {
  /** Identity or contact fields of one record were returned (`fields` lists their names). */
  READ_IDENTITY: 'READ_IDENTITY',
  /** A request without valid credentials. */
  AUTHENTICATE: 'AUTHENTICATE',
  /** An import (CLI or /ingest) wrote a record carrying identity (`fields` names what). */
  IMPORT_RECORD: 'IMPORT_RECORD',
  /** An import run ended: its counts are in `details`, its id in `entityIds`. */
  IMPORT_RUN: 'IMPORT_RUN',
  /** The retention job removed the identity of people whose cases closed long ago. */
  RETENTION_PURGE: 'RETENTION_PURGE',
} as const;

registerEnumType(AuditOutcome, { name: 'AuditOutcome' });
registerEnumType(ActorKind, { name: 'ActorKind' });
