import { GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { deny, rule, shield, type IRule, type IRules } from 'graphql-shield';
import type { Context } from '../context';
import { forbidden } from '../errors/hub-errors';
import type { Access, PermissionMap } from './access';

/**
 * Wraps the schema with graphql-shield: every field needs an explicit rule, anything else is
 * denied. A denied field resolves to null with a FORBIDDEN error at its path; the rest of the
 * response stands.
 */
export function protectSchema(schema: GraphQLSchema, permissions: PermissionMap): GraphQLSchema {
  const ruleCache = new Map<string, { access: Access; rule: IRule }>();
  const toShieldRule = (access: Access): IRule => {
    const existing = ruleCache.get(access.name);
    if (existing) {
      // graphql-shield caches results by rule name: two different rules under one name would
      // silently share the first one's answers.
      if (!sameAccess(existing.access, access)) {
        throw new Error(`permission rule name "${access.name}" is used for two different rules`);
      }
      return existing.rule;
    }
    const roles = new Set(access.roles);
    const check = access.check;
    // Role-only rules depend on the caller alone, so one evaluation per request is enough.
    const shieldRule = rule(access.name, { cache: check ? 'no_cache' : 'contextual' })(async (
      parent: unknown,
      _args: unknown,
      ctx: Context,
    ) => {
      if (!ctx.viewer || !roles.has(ctx.viewer.role)) return false;
      return check ? await check(parent, ctx) : true;
    });
    ruleCache.set(access.name, { access, rule: shieldRule });
    return shieldRule;
  };

  const rules: IRules = Object.fromEntries(
    Object.entries(permissions).map(([typeName, typeRules]) => [
      typeName,
      Object.fromEntries(
        Object.entries(typeRules).map(([field, access]) => [field, toShieldRule(access)]),
      ),
    ]),
  );

  return applyMiddleware(
    schema,
    shield(rules, {
      fallbackRule: deny,
      allowExternalErrors: true,
      fallbackError: () => forbidden(),
      debug: false,
    }),
  );
}

function sameAccess(a: Access, b: Access): boolean {
  return (
    a.check === b.check &&
    a.roles.length === b.roles.length &&
    a.roles.every((role) => b.roles.includes(role))
  );
}
