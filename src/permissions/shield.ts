import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { deny, rule, shield, type IRule, type IRules } from 'graphql-shield';
import type { Role } from '../common/role';
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
  for (const typeName of typesGuardedByEveryParent(schema, permissions)) {
    const bare = (schema.getType(typeName) as GraphQLObjectType).getFields();
    const wrapped = (protectedSchema.getType(typeName) as GraphQLObjectType).getFields();
    for (const [name, field] of Object.entries(wrapped)) field.resolve = bare[name].resolve;
  }
  return protectedSchema;
}

/**
 * Object types whose field checks could never deny: every field has a role-only rule, and every
 * field anywhere in the schema that returns the type admits only roles all of those rules admit.
 * Whoever reads such a type has already passed its parent's rule, so checking each of its fields
 * again only costs time — for the rows of a statistics table (thousands of cells per answer) it
 * was most of the answer's time. Their fields resolve unwrapped. A type reachable through an
 * interface or a union, or with a field without a rule, is never among them.
 */
function typesGuardedByEveryParent(schema: GraphQLSchema, permissions: PermissionMap): string[] {
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
  const guarded: string[] = [];
  for (const type of objectTypes) {
    if (roots.has(type.name) || type.getInterfaces().length > 0 || inUnion.has(type.name)) continue;
    const own = permissions[type.name];
    const fieldNames = Object.keys(type.getFields());
    if (!own || !fieldNames.every((name) => own[name] && !own[name].check)) continue;
    const admitted = (role: Role) => fieldNames.every((name) => own[name].roles.includes(role));
    const parents = objectTypes.flatMap((parent) =>
      Object.entries(parent.getFields())
        .filter(([, field]) => getNamedType(field.type) === type)
        .map(([name]) => permissions[parent.name]?.[name]),
    );
    const everyParentNarrower =
      parents.length > 0 &&
      parents.every((access) => access !== undefined && access.roles.every(admitted));
    if (everyParentNarrower) guarded.push(type.name);
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
