import {
  isIntrospectionType,
  isObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { applyMiddleware, type IMiddlewareTypeMap } from 'graphql-middleware';
import type { Context } from '../context';
import { forbidden } from '../errors/hub-errors';
import type { Access, PermissionMap } from './access';

type Args = Record<string, unknown>;
/** A graphql-middleware field middleware that may answer synchronously (its types say async). */
type Guard = (
  resolve: (parent: unknown, args: Args, ctx: Context, info: GraphQLResolveInfo) => unknown,
  parent: unknown,
  args: Args,
  ctx: Context | undefined,
  info: GraphQLResolveInfo,
) => unknown;

/**
 * Wraps the schema with the permission layer: every field needs an explicit rule, anything else
 * is denied. A denied field resolves to null with a FORBIDDEN error at its path; the rest of the
 * response stands.
 *
 * It keeps graphql-shield's semantics (fallback rule deny, a typed FORBIDDEN fallback error,
 * external errors passed through, a check that throws counts as a refusal) but decides a
 * role-only rule synchronously. graphql-shield's middleware is async: it made every field of
 * every response a promise (and a cache lookup), a large part of a list page's CPU time.
 */
export function protectSchema(schema: GraphQLSchema, permissions: PermissionMap): GraphQLSchema {
  const guards = new Map<string, { access: Access; guard: Guard }>();
  const guardOf = (access: Access): Guard => {
    const existing = guards.get(access.name);
    if (existing) {
      // Rules are named in the docs and the permission tests: one name, one meaning.
      if (!sameAccess(existing.access, access)) {
        throw new Error(`permission rule name "${access.name}" is used for two different rules`);
      }
      return existing.guard;
    }
    const guard = accessGuard(access);
    guards.set(access.name, { access, guard });
    return guard;
  };

  const typeMap = schema.getTypeMap();
  const stale = Object.entries(permissions).flatMap(([typeName, rules]) => {
    const type = typeMap[typeName];
    if (!isObjectType(type)) return [typeName];
    const fields = type.getFields();
    return Object.keys(rules)
      .filter((field) => !Object.prototype.hasOwnProperty.call(fields, field))
      .map((field) => `${typeName}.${field}`);
  });
  if (stale.length > 0) throw new Error(`permission rules for unknown fields: ${stale.join(', ')}`);

  const middleware: Record<string, Record<string, Guard>> = {};
  for (const type of Object.values(typeMap)) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    const rules = permissions[type.name] ?? {};
    middleware[type.name] = Object.fromEntries(
      Object.keys(type.getFields()).map((field) => {
        const access = rules[field];
        return [field, access ? guardOf(access) : denyAll];
      }),
    );
  }
  return applyMiddleware(schema, middleware as unknown as IMiddlewareTypeMap);
}

/** No rule: nobody. The error is returned, not thrown, as graphql-shield did. */
const denyAll: Guard = () => forbidden();

function accessGuard(access: Access): Guard {
  const roles = new Set(access.roles);
  const check = access.check;
  if (!check) {
    return (resolve, parent, args, ctx, info) =>
      ctx?.viewer && roles.has(ctx.viewer.role) ? resolve(parent, args, ctx, info) : forbidden();
  }
  return (resolve, parent, args, ctx, info) => {
    if (!ctx?.viewer || !roles.has(ctx.viewer.role)) return forbidden();
    const then = (passed: boolean) => (passed ? resolve(parent, args, ctx, info) : forbidden());
    let passed: boolean | Promise<boolean>;
    try {
      passed = check(parent, ctx);
    } catch {
      // A check that fails is a refusal, never an error that names what it looked at.
      return forbidden();
    }
    return isThenable(passed)
      ? passed.then(
          (ok) => then(ok === true),
          () => forbidden(),
        )
      : then(passed === true);
  };
}

const isThenable = (value: unknown): value is Promise<boolean> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

function sameAccess(a: Access, b: Access): boolean {
  return (
    a.check === b.check &&
    a.roles.length === b.roles.length &&
    a.roles.every((role) => b.roles.includes(role))
  );
}
