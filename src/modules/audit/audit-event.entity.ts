import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { ActorKind, AuditOutcome } from './audit-codes';

/**
 * One audited event: who (actor, agency, role) did what (action) to which records, which identity
 * fields left the hub (names only, never values), why (purpose), in which request, and whether it
 * was allowed. Append-only: a trigger rejects UPDATE, DELETE and TRUNCATE (migration
 * Migration20261128194253_audit_event). No foreign keys on purpose: an audit row must outlive and
 * never block a change to the rows it names. Written with raw SQL (audit-writer.ts), never
 * through the unit of work, so it cannot be changed by a later flush.
 */
@Entity({ tableName: 'audit_event' })
@Index({ name: 'audit_event_time_idx', properties: ['occurredAt', 'id'] })
@Index({ name: 'audit_event_agency_time_idx', properties: ['agencyId', 'occurredAt'] })
@Index({
  name: 'audit_event_person_ids_idx',
  expression: 'create index "audit_event_person_ids_idx" on "audit_event" using gin ("person_ids")',
})
@Index({
  name: 'audit_event_entity_ids_idx',
  expression: 'create index "audit_event_entity_ids_idx" on "audit_event" using gin ("entity_ids")',
})
export class AuditEvent {
  @PrimaryKey({ type: 'uuid' })
  id: Opt<string> = randomUUID();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  occurredAt: Opt<Date> = new Date();

  @Enum({ items: () => ActorKind, nativeEnumName: 'audit_actor_kind' })
  actorKind!: ActorKind;

  @Property({ type: 'uuid', nullable: true })
  actorUserId?: string;

  @Property({ type: 'uuid', nullable: true })
  actorApiKeyId?: string;

  @Property({ type: 'uuid', nullable: true })
  agencyId?: string;

  @Property({ type: 'text', nullable: true })
  role?: string;

  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text', nullable: true })
  entityType?: string;

  @Property({ type: 'uuid[]', columnType: 'uuid[]' })
  entityIds: Opt<string[]> = [];

  /** The people whose identity the event concerns, for `disclosuresForPerson` (GIN index). */
  @Property({ type: 'uuid[]', columnType: 'uuid[]' })
  personIds: Opt<string[]> = [];

  /** Names of the identity fields returned; never their values. */
  @Property({ type: 'text[]', columnType: 'text[]' })
  fields: Opt<string[]> = [];

  @Property({ type: 'text', nullable: true })
  purpose?: string;

  @Property({ type: 'text', nullable: true })
  requestId?: string;

  @Enum({ items: () => AuditOutcome, nativeEnumName: 'audit_outcome' })
  outcome!: AuditOutcome;

  /** The error code when the request did not succeed (FORBIDDEN, CONFLICT, BAD_USER_INPUT…). */
  @Property({ type: 'text', nullable: true })
  errorCode?: string;

  /** Counts and other non-personal facts (e.g. a purge's row counts). */
  @Property({ type: 'jsonb', nullable: true })
  details?: Record<string, unknown>;
}
