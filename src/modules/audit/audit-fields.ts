import {
  defaultFieldResolver,
  isIntrospectionType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { carriesIdentity, isIdentityField } from './identity-fields';

/** Audit review is itself audited: who looked at whose disclosures. */
const AUDITED_QUERIES = new Set(['auditEvents', 'disclosuresForPerson']);

/** What the audit needs to know about one field, decided once per schema field. */
export interface AuditedField {
  /** A mutation, or an audit-review query: audited as an operation when it is a root field. */
  operation: boolean;
  identity: boolean;
  carrier: boolean;
}

/** Told how each field of a request ended; the audit plugin puts one on the request's context. */
export interface FieldAuditor {
  resolved(
    field: AuditedField,
    source: unknown,
    args: Record<string, unknown>,
    info: GraphQLResolveInfo,
    error: unknown,
    result: unknown,
  ): void;
}

const AUDITOR = Symbol('fieldAuditor');
const OBSERVED = Symbol('auditObserved');

export function attachAuditor(contextValue: object, auditor: FieldAuditor): void {
  Object.defineProperty(contextValue, AUDITOR, { value: auditor });
}

/**
 * Lets the audit see how every field of a request resolved, without Apollo's `willResolveField`
 * (which makes Apollo wrap every field of every request in a hook dispatch and a closure). Each
 * field is wrapped once, in place, like Apollo does; a field that is neither an operation nor
 * identity costs a property read and an `instanceof` unless it fails or returns a promise.
 * Requests without an auditor on their context (WebSocket subscriptions) pass straight through.
 */
export function observeFields(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const marked = field as unknown as Record<symbol, boolean>;
      if (marked[OBSERVED]) continue;
      marked[OBSERVED] = true;
      const audited: AuditedField = {
        operation:
          type.name === 'Mutation' || (type.name === 'Query' && AUDITED_QUERIES.has(field.name)),
        identity: isIdentityField(type.name, field.name),
        carrier: carriesIdentity(type.name, field.name),
      };
      field.resolve = observed(field.resolve ?? defaultFieldResolver, audited);
    }
  }
}

function observed(
  resolve: GraphQLFieldResolver<unknown, unknown>,
  field: AuditedField,
): GraphQLFieldResolver<unknown, unknown> {
  const always = field.operation || field.identity || field.carrier;
  return (source, args, contextValue, info) => {
    const auditor = (contextValue as Record<symbol, FieldAuditor | undefined> | undefined)?.[
      AUDITOR
    ];
    if (auditor === undefined) return resolve(source, args, contextValue, info);
    const done = (error: unknown, result?: unknown) =>
      auditor.resolved(field, source, args, info, error, result);
    let result: unknown;
    try {
      result = resolve(source, args, contextValue, info);
    } catch (error) {
      done(error);
      throw error;
    }
    // On an ordinary field only a failure is audited: a plain value needs no bookkeeping.
    if (always || result instanceof Error || mayFail(result)) whenFinished(result, done);
    return result;
  };
}

const isPromise = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

const mayFail = (result: unknown): boolean =>
  typeof result === 'object' &&
  result !== null &&
  (isPromise(result) || (Array.isArray(result) && result.some(isPromise)));

/** Apollo's whenResultIsFinished: the value once a promise, or a list of them, settles. */
function whenFinished(result: unknown, done: (error: unknown, result?: unknown) => void): void {
  if (isPromise(result)) {
    result.then(
      (value) => whenFinished(value, done),
      (error: unknown) => done(error),
    );
  } else if (Array.isArray(result) && result.some(isPromise)) {
    Promise.all(result).then(
      (values) => done(null, values),
      (error: unknown) => done(error),
    );
  } else {
    done(null, result);
  }
}
