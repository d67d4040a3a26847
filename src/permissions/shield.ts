import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
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

  const protectedSchema = applyMiddleware(
    schema,
    shield(rules, {
      fallbackRule: deny,
      allowExternalErrors: true,
      fallbackError: () => forbidden(),
      debug: false,
    }),
  );
  for (const { typeName, fieldName } of fieldsGuardedByEveryParent(schema, permissions)) {
    const bare = (schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName];
    const wrapped = (protectedSchema.getType(typeName) as GraphQLObjectType).getFields()[fieldName];
    wrapped.resolve = bare.resolve;
  }
  return protectedSchema;
}

/**
 * Fields whose check could never deny: the field has a role-only rule, and every field anywhere
 * in the schema that returns its type admits only roles that rule admits. Whoever reads such a
 * field has already passed a rule at least as narrow on the way to its object, so checking it
 * again only costs time: shield makes every checked field asynchronous, and for a page of cases
 * or the rows of a statistics table (thousands of cells per answer) that was most of the answer's
 * time. These fields resolve unwrapped. The argument holds along any path by induction from the
 * root fields, which are always checked. A type reachable through an interface or a union, a
 * field with a per-object check, and a field without a rule (denied by the fallback) are never
 * among them.
 */
export function fieldsGuardedByEveryParent(
  schema: GraphQLSchema,
  permissions: PermissionMap,
): { typeName: string; fieldName: string }[] {
  const objectTypes = Object.values(schema.getTypeMap()).filter(
    (type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'),
  );
  const roots = new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .filter((type) => type)
      .map((type) => type!.name),
  );
  const inUnion = new Set(
    Object.values(schema.getTypeMap()).flatMap((type) =>
      'getTypes' in type && typeof type.getTypes === 'function'
        ? (type.getTypes() as GraphQLObjectType[]).map((member) => member.name)
        : [],
    ),
  );
  // The rules of the fields that lead to each type, in one pass over every field.
  const leadingTo = new Map<string, (Access | undefined)[]>();
  for (const parent of objectTypes) {
    for (const [name, field] of Object.entries(parent.getFields())) {
      const target = getNamedType(field.type).name;
      const list = leadingTo.get(target) ?? [];
      list.push(permissions[parent.name]?.[name]);
      leadingTo.set(target, list);
    }
  }
  const guarded: { typeName: string; fieldName: string }[] = [];
  for (const type of objectTypes) {
    if (roots.has(type.name) || type.getInterfaces().length > 0 || inUnion.has(type.name)) continue;
    const parents = leadingTo.get(type.name) ?? [];
    if (parents.length === 0 || parents.some((access) => access === undefined)) continue;
    for (const fieldName of Object.keys(type.getFields())) {
      const own = permissions[type.name]?.[fieldName];
      if (!own || own.check) continue;
      const narrower = parents.every((access) =>
        access!.roles.every((role) => own.roles.includes(role)),
      );
      if (narrower) guarded.push({ typeName: type.name, fieldName });
    }
  }
  return guarded;
}

function sameAccess(a: Access, b: Access): boolean {
  return (
    a.check === b.check &&
    a.roles.length === b.roles.length &&
    a.roles.every((role) => b.roles.includes(role))
  );
}
