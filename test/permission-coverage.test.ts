import 'reflect-metadata';
import { buildSchema, graphql, isObjectType, type GraphQLSchema } from 'graphql';
import { Role } from '../src/common/role';
import type { Context } from '../src/context';
import { PERMISSIONS } from '../src/permissions';
import { allowRoles, type PermissionMap } from '../src/permissions/access';
import { protectSchema } from '../src/permissions/shield';
import { buildBareSchema } from '../src/schema';

/** Every `Type.field` of the schema's own object types (introspection types are GraphQL's). */
function schemaFields(schema: GraphQLSchema): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    fields.set(type.name, Object.keys(type.getFields()));
  }
  return fields;
}

describe('permission coverage', () => {
  let fields: Map<string, string[]>;
  beforeAll(async () => {
    fields = schemaFields(await buildBareSchema());
  });

  it('walks the root types and at least one object type', () => {
    expect(fields.get('Query')?.length).toBeGreaterThan(0);
    expect(fields.get('Mutation')?.length).toBeGreaterThan(0);
    expect(fields.size).toBeGreaterThan(2);
  });

  it('has an explicit rule for every field of every object type', () => {
    const missing = [...fields].flatMap(([type, names]) =>
      names.filter((field) => !PERMISSIONS[type]?.[field]).map((field) => `${type}.${field}`),
    );
    expect(missing).toEqual([]);
  });

  it('names no type or field that the schema does not have (stale rules)', () => {
    const stale = Object.entries(PERMISSIONS).flatMap(([type, rules]) => {
      const known = fields.get(type);
      if (!known) return [`${type} (no such object type)`];
      return Object.keys(rules)
        .filter((field) => !known.includes(field))
        .map((field) => `${type}.${field}`);
    });
    expect(stale).toEqual([]);
  });

  it('uses each rule name for one rule only (shield caches results by name)', () => {
    const byName = new Map<string, Set<string>>();
    for (const rules of Object.values(PERMISSIONS)) {
      for (const access of Object.values(rules)) {
        const meaning = `${[...access.roles].sort().join(',')}|${access.check ? String(access.check) : ''}`;
        byName.set(access.name, (byName.get(access.name) ?? new Set()).add(meaning));
      }
    }
    const reused = [...byName].filter(([, meanings]) => meanings.size > 1).map(([name]) => name);
    expect(reused).toEqual([]);
  });
});

describe('the permission layer', () => {
  // A tiny schema so that the layer itself is tested, independent of the hub's modules.
  const schema = buildSchema(`
    type Query { open: String, unlisted: String, adminsOnly: String }
  `);
  const rootValue = { open: 'open', unlisted: 'unlisted', adminsOnly: 'admins' };
  const permissions: PermissionMap = {
    Query: {
      open: allowRoles('open', Object.values(Role)),
      adminsOnly: allowRoles('adminsOnly', [Role.HUB_ADMIN]),
    },
  };
  const run = (role: Role) =>
    graphql({
      schema: protectSchema(schema, permissions),
      source: '{ open unlisted adminsOnly }',
      rootValue,
      contextValue: { viewer: { role, kind: 'USER', agencyId: 'a' } } as unknown as Context,
    });

  it('denies a field without a rule (fallbackRule deny) and keeps the rest', async () => {
    const result = await run(Role.HUB_ADMIN);
    expect(result.data).toEqual({ open: 'open', unlisted: null, adminsOnly: 'admins' });
    expect(result.errors?.map((e) => [e.path, e.extensions.code])).toEqual([
      [['unlisted'], 'FORBIDDEN'],
    ]);
  });

  it('refuses to start when two different rules share a name', () => {
    const clash: PermissionMap = {
      Query: {
        open: allowRoles('sameName', [Role.HUB_ADMIN]),
        adminsOnly: allowRoles('sameName', [Role.ANALYST]),
      },
    };
    expect(() => protectSchema(schema, clash)).toThrow(/sameName/);
  });

  it('denies a role outside the rule with FORBIDDEN at that field', async () => {
    const result = await run(Role.ANALYST);
    expect(result.data).toEqual({ open: 'open', unlisted: null, adminsOnly: null });
    expect(result.errors?.map((e) => [e.path, e.extensions.code])).toEqual([
      [['unlisted'], 'FORBIDDEN'],
      [['adminsOnly'], 'FORBIDDEN'],
    ]);
  });
});
