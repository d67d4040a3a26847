import 'reflect-metadata';
import { buildSchema, graphql, isObjectType, type GraphQLSchema } from 'graphql';
import { Role } from '../src/common/role';
import type { Context } from '../src/context';
import { PERMISSIONS } from '../src/permissions';
import { allowRoles, allowWhen, type PermissionMap } from '../src/permissions/access';
import { fieldsGuardedByEveryParent, protectSchema } from '../src/permissions/shield';
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

describe('fields that resolve without their own check', () => {
  // Item is reached by two fields: `item` (worker and agency admin) and `adminItem` (agency admin).
  const schema = buildSchema(`
    type Query { item: Item, adminItem: Item }
    type Item { wide: String, workersOnly: String, checked: String, unlisted: String }
  `);
  const item = { wide: 'wide', workersOnly: 'workers', checked: 'checked', unlisted: 'x' };
  const permissions: PermissionMap = {
    Query: {
      item: allowRoles('item', [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN]),
      adminItem: allowRoles('adminItem', [Role.AGENCY_ADMIN]),
    },
    Item: {
      wide: allowRoles('wide', [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN, Role.HUB_ADMIN]),
      workersOnly: allowRoles('workersOnly', [Role.OUTREACH_WORKER]),
      checked: allowWhen('checked', [Role.OUTREACH_WORKER, Role.AGENCY_ADMIN], () => false),
    },
  };
  const run = (role: Role, source: string) =>
    graphql({
      schema: protectSchema(schema, permissions),
      source,
      rootValue: { item, adminItem: item },
      contextValue: { viewer: { role, kind: 'USER', agencyId: 'a' } } as unknown as Context,
    });
  const denied = (result: Awaited<ReturnType<typeof run>>) =>
    result.errors?.map((e) => `${e.path?.join('.')} ${String(e.extensions.code)}`).sort();

  it('are only those whose rule admits every role of every field leading to their type', () => {
    expect(fieldsGuardedByEveryParent(schema, permissions)).toEqual([
      { typeName: 'Item', fieldName: 'wide' },
    ]);
  });

  it('still deny a narrower field, a failed check and a field without a rule', async () => {
    const admin = await run(
      Role.AGENCY_ADMIN,
      '{ adminItem { wide workersOnly checked unlisted } }',
    );
    expect(admin.data).toEqual({
      adminItem: { wide: 'wide', workersOnly: null, checked: null, unlisted: null },
    });
    expect(denied(admin)).toEqual([
      'adminItem.checked FORBIDDEN',
      'adminItem.unlisted FORBIDDEN',
      'adminItem.workersOnly FORBIDDEN',
    ]);
    const worker = await run(
      Role.OUTREACH_WORKER,
      '{ item { wide workersOnly } adminItem { wide } }',
    );
    expect(worker.data).toEqual({
      item: { wide: 'wide', workersOnly: 'workers' },
      adminItem: null,
    });
    expect(denied(worker)).toEqual(['adminItem FORBIDDEN']);
  });

  it('are not reachable by a role their parents refuse', async () => {
    const hubAdmin = await run(Role.HUB_ADMIN, '{ item { wide } adminItem { wide } }');
    expect(hubAdmin.data).toEqual({ item: null, adminItem: null });
  });

  it('include most fields of a case on the case list', async () => {
    const hub = await buildBareSchema();
    const unwrapped = fieldsGuardedByEveryParent(hub, PERMISSIONS)
      .filter(({ typeName }) => typeName === 'Case')
      .map(({ fieldName }) => fieldName);
    expect(unwrapped).toEqual(expect.arrayContaining(['id', 'status', 'county']));
    // Narrower than the case list (agency admins and the hub operator read cases too).
    expect(unwrapped).not.toContain('indexIncident');
    expect(unwrapped).not.toContain('person');
  });
});
