import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import {
  getNamedType,
  GraphQLError,
  GraphQLID,
  isInputObjectType,
  type GraphQLInputType,
  type GraphQLResolveInfo,
} from 'graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../context';
import { INTERNAL_MESSAGE } from '../../errors/format-error';
import type { Logger } from '../../logger';
import { pgArray } from '../../common/sql';
import { AuditAction, AuditOutcome } from './audit-codes';
import { insertAuditEvents, type AuditEventInput } from './audit-writer';
import { attachAuditor, observeFields, type AuditedField, type FieldAuditor } from './audit-fields';
import { incidentIdOf, personIdOf, recordIdOf } from './identity-fields';

const DENIAL_CODES = new Set(['FORBIDDEN', 'UNAUTHENTICATED']);
/**
 * A record asked for by id and answered NOT_FOUND: out of the caller's scope or not there at
 * all (the hub does not say which). Recorded as denied with the ids asked for, so probing for
 * another agency's records shows in auditEvents.
 */
const isDenial = (code: string | undefined, root: boolean): boolean =>
  code !== undefined && (DENIAL_CODES.has(code) || (root && code === 'NOT_FOUND'));

interface IdentityRead {
  type: string;
  recordId?: string;
  personId?: string;
  incidentId?: string;
  fields: Set<string>;
}

interface Denial {
  action: string;
  entityType?: string;
  ids: Set<string>;
  errorCode: string;
}

type Operation = Omit<AuditEventInput, 'viewer' | 'requestId'>;

/** What one request did that must be audited, gathered while it executes. */
class RequestAudit implements FieldAuditor {
  readonly reads = new Map<string, IdentityRead>();
  readonly denials = new Map<string, Denial>();
  readonly operations: Operation[] = [];
  /** Value objects holding identity, mapped to the record that handed them out. */
  private readonly carriers = new WeakMap<
    object,
    { type: string; field: string; parent: unknown }
  >();

  resolved(
    field: AuditedField,
    source: unknown,
    args: Record<string, unknown>,
    info: GraphQLResolveInfo,
    error: unknown,
    result: unknown,
  ): void {
    // The permission layer answers a denied field by returning its error, not throwing it.
    const failure = error ?? (result instanceof Error ? result : undefined);
    if (field.operation && info.path.prev === undefined) {
      this.operation(info, args, failure, result);
      return;
    }
    const code = failure ? codeOf(failure) : undefined;
    const type = info.parentType.name;
    if (isDenial(code, info.path.prev === undefined)) this.denied(info, source, args, code!);
    else if (field.identity && !failure) this.identityRead(type, info.fieldName, source);
    else if (field.carrier && !failure) this.carried(type, info.fieldName, source, result);
  }

  carried(type: string, field: string, parent: unknown, value: unknown): void {
    if (value !== null && typeof value === 'object')
      this.carriers.set(value, { type, field, parent });
  }

  identityRead(valueType: string, valueField: string, value: unknown): void {
    const carrier =
      value !== null && typeof value === 'object' ? this.carriers.get(value) : undefined;
    const type = carrier?.type ?? valueType;
    const field = carrier ? `${carrier.field}.${valueField}` : valueField;
    const parent = carrier ? carrier.parent : value;
    const recordId = recordIdOf(parent);
    const key = `${type}:${recordId ?? '?'}`;
    let read = this.reads.get(key);
    if (!read) {
      read = {
        type,
        recordId,
        personId: personIdOf(type, parent),
        incidentId: incidentIdOf(type, parent),
        fields: new Set(),
      };
      this.reads.set(key, read);
    }
    read.fields.add(field);
  }

  denied(info: GraphQLResolveInfo, parent: unknown, args: Record<string, unknown>, code: string) {
    const root = info.path.prev === undefined;
    const action = `${info.parentType.name}.${info.fieldName}`;
    let denial = this.denials.get(action);
    if (!denial) {
      denial = {
        action,
        entityType: root ? undefined : info.parentType.name,
        ids: new Set(),
        errorCode: code,
      };
      this.denials.set(action, denial);
    }
    const ids = root ? argumentIds(info, args) : [recordIdOf(parent)];
    for (const id of ids) if (id) denial.ids.add(id);
  }

  operation(
    info: GraphQLResolveInfo,
    args: Record<string, unknown>,
    error: unknown,
    result: unknown,
  ) {
    const code = error ? codeOf(error) : undefined;
    const entityIds = argumentIds(info, args);
    // A mutation names what it made or changed; an audit query's result is not an entity.
    if (!error && info.parentType.name === 'Mutation') collectResultIds(result, 3, entityIds);
    this.operations.push({
      action: `${info.parentType.name}.${info.fieldName}`,
      entityType: getNamedType(info.returnType).name,
      entityIds,
      outcome: isDenial(code, true) ? AuditOutcome.DENIED : AuditOutcome.ALLOWED,
      errorCode: code,
    });
  }

  get readsIdentity(): boolean {
    return this.reads.size > 0;
  }

  async events(em: EntityManager, ctx: Context): Promise<AuditEventInput[]> {
    await this.resolvePersonIds(em);
    const common = { viewer: ctx.viewer, requestId: ctx.requestId };
    return [
      ...this.operations.map((o) => ({ ...common, ...o })),
      ...[...this.denials.values()].map((d) => ({
        ...common,
        action: d.action,
        entityType: d.entityType,
        entityIds: [...d.ids],
        outcome: AuditOutcome.DENIED,
        errorCode: d.errorCode,
      })),
      ...[...this.reads.values()].map((r) => ({
        ...common,
        action: AuditAction.READ_IDENTITY,
        entityType: r.type,
        entityIds: r.recordId ? [r.recordId] : [],
        personIds: r.personId ? [r.personId] : [],
        fields: [...r.fields],
      })),
    ];
  }

  /** Reported identities reached without their incident in memory: one query for all of them. */
  private async resolvePersonIds(em: EntityManager): Promise<void> {
    const pending = [...this.reads.values()].filter((r) => !r.personId && r.incidentId);
    if (pending.length === 0) return;
    const rows = await em.execute<Array<{ id: string; person_id: string | null }>>(
      'select id, person_id from overdose_incident where id = any(?::uuid[])',
      [pgArray([...new Set(pending.map((r) => r.incidentId!))])],
    );
    const personOf = new Map(rows.map((row) => [row.id, row.person_id ?? undefined]));
    for (const read of pending) read.personId = personOf.get(read.incidentId!);
  }
}

/**
 * The audit trail of GraphQL requests (DESIGN.md, domain.md §7.7). While a request executes it
 * notes every identity field returned (per record), every root mutation with its outcome, every
 * FORBIDDEN or UNAUTHENTICATED field, and audit-review queries; once the response is known it
 * writes them in one multi-row INSERT, before the response leaves. Failures of the request itself
 * are audited too (the rows are not part of any transaction a failing resolver rolls back).
 *
 * If the audit rows cannot be written, a response carrying identity is withheld (fail closed:
 * INTERNAL_SERVER_ERROR with the request id, no data). A response without identity stands, and
 * the events (ids, names, codes; never values) go to the error log so the trail is not lost.
 */
export function auditPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async serverWillStart({ schema }) {
      observeFields(schema);
    },
    async requestDidStart({ contextValue }): Promise<GraphQLRequestListener<Context>> {
      const audit = new RequestAudit();
      attachAuditor(contextValue, audit);
      return {
        async willSendResponse({ contextValue, response }) {
          if (!contextValue?.viewer) return;
          let events: AuditEventInput[] = [];
          try {
            events = await audit.events(contextValue.em, contextValue);
            await insertAuditEvents(contextValue.em, events);
          } catch (error) {
            logger.error(
              {
                requestId: contextValue.requestId,
                errorClass: error instanceof Error ? error.constructor.name : typeof error,
                dbCode: (error as { code?: unknown } | undefined)?.code,
                events: events.map((e) => ({
                  action: e.action,
                  entityType: e.entityType,
                  entityIds: e.entityIds,
                  fields: e.fields,
                  outcome: e.outcome,
                })),
              },
              'audit write failed',
            );
            if (audit.readsIdentity && response.body.kind === 'single') {
              response.body.singleResult = {
                errors: [
                  {
                    message: INTERNAL_MESSAGE,
                    extensions: {
                      code: 'INTERNAL_SERVER_ERROR',
                      requestId: contextValue.requestId,
                    },
                  },
                ],
              };
              response.http.status = 500;
            }
          }
        },
      };
    },
  };
}

function codeOf(error: unknown): string {
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/** Ids the caller named: ID arguments, and ID fields of input objects one level down. */
function argumentIds(info: GraphQLResolveInfo, args: Record<string, unknown>): string[] {
  const out: string[] = [];
  const field = info.parentType.getFields()[info.fieldName];
  for (const arg of field?.args ?? []) collectArgumentIds(arg.type, args?.[arg.name], 1, out);
  return out;
}

function collectArgumentIds(
  type: GraphQLInputType,
  value: unknown,
  depth: number,
  out: string[],
): void {
  if (value === null || value === undefined) return;
  const named = getNamedType(type);
  const items = Array.isArray(value) ? value : [value];
  if (named === GraphQLID) {
    for (const item of items) if (typeof item === 'string') out.push(item);
  } else if (isInputObjectType(named) && depth > 0) {
    const fields = named.getFields();
    for (const item of items) {
      if (typeof item !== 'object' || item === null) continue;
      for (const [name, f] of Object.entries(fields)) {
        collectArgumentIds(f.type, (item as Record<string, unknown>)[name], depth - 1, out);
      }
    }
  }
}

/**
 * Ids of what a mutation returned: the record itself, or the records inside a plain wrapper
 * (ReportIncidentResult.incident, BatchReportResult.items[].incident). A record's own relations
 * are not followed.
 */
function collectResultIds(value: unknown, depth: number, out: string[]): void {
  if (value === null || typeof value !== 'object' || depth < 0) return;
  if (Array.isArray(value)) {
    for (const item of value) collectResultIds(item, depth, out);
    return;
  }
  const id = recordIdOf(value);
  if (id) {
    out.push(id);
    return;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return;
  for (const child of Object.values(value)) collectResultIds(child, depth - 1, out);
}
