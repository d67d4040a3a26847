import 'reflect-metadata';
import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { ALL_ROLES, type Role } from '../src/common/role';
import { PERMISSIONS } from '../src/permissions';
import { documentedTypes } from '../src/permissions/permissions-doc';
import { buildBareSchema } from '../src/schema';
import type { Actor } from './support/factories';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { buildWorld, type World } from './support/hostile-world';
import {
  allows,
  inertArgs,
  pathsFor,
  renderPathQuery,
  rootArgBindings,
  rule,
  targetsIn,
  type Found,
} from './support/permission-matrix';

/**
 * The generated permission matrix: every role against every field of every object type, on a
 * seeded program (test/support/hostile-world.ts). Types, fields, roles and the paths to reach a
 * type all come from the schema and PERMISSIONS, so a new field or type is covered on its own.
 *
 * For each role and type, the type is reached through fields the role may read (shortest path
 * first), all its fields are selected at once, and each field must answer: allowed → no error
 * at its path (a value, or a legitimate null); denied → null with FORBIDDEN at exactly its path;
 * conditional (a per-record check) → one of the two. The parent object and its other fields
 * must survive, and no other error may appear. Types a role cannot reach are listed, not skipped
 * silently: their cells are the root fields that refuse the role (checked under Query).
 */

interface Tally {
  cells: number;
  allowedWithValue: number;
  allowedNull: number;
  denied: number;
  conditionalAllowed: number;
  conditionalDenied: number;
}
const tally: Record<string, Tally> = {};
const unreachable: string[] = [];
const skippedRootFields: string[] = [];
const count = (role: Role, key: keyof Tally) => {
  tally[role] ??= {
    cells: 0,
    allowedWithValue: 0,
    allowedNull: 0,
    denied: 0,
    conditionalAllowed: 0,
    conditionalDenied: 0,
  };
  tally[role][key]++;
};

const errorAt = (response: GraphQLResponse<unknown>, path: Array<string | number>) =>
  (response.errors ?? []).find((e) => JSON.stringify(e.path) === JSON.stringify(path));

describe('generated permission matrix', () => {
  let hub: TestHub;
  let world: World;
  let schema: GraphQLSchema;
  let types: GraphQLObjectType[];

  beforeAll(async () => {
    hub = await startTestHub();
    world = await buildWorld(hub);
    schema = await buildBareSchema();
    types = documentedTypes(schema).filter((t) => t.name !== 'Query' && t.name !== 'Mutation');
  }, 120_000);

  afterAll(async () => {
    await hub?.stop();
    const total = Object.values(tally).reduce((n, t) => n + t.cells, 0);
    const lines = [
      `permission matrix: ${total} cells checked (role × type × field, queries and mutations included)`,
      ...ALL_ROLES.map((r) => `  ${r.padEnd(18)} ${JSON.stringify(tally[r] ?? {})}`),
      `types a role cannot reach through any query (their cells are the refusing root fields):`,
      ...unreachable.map((u) => `  ${u}`),
      ...(skippedRootFields.length
        ? ['root fields with a required argument the matrix cannot supply:', ...skippedRootFields]
        : []),
    ];
    // The figures belong in the CI log, not only in a failure message.
    process.stdout.write(`${lines.join('\n')}\n`);
  });

  /** Checks one response's target objects; returns problems, counting cells once per field. */
  function judge(
    role: Role,
    type: GraphQLObjectType,
    response: GraphQLResponse<unknown>,
    targets: Found[],
  ): string[] {
    const problems: string[] = [];
    const expectedErrorPaths = new Set<string>();
    const rules = PERMISSIONS[type.name] ?? {};
    for (const field of Object.keys(type.getFields())) {
      const access = rules[field];
      const allowed = allows(access, role);
      let outcome: keyof Tally | undefined;
      for (const { object, path } of targets) {
        const where = `${role} ${type.name}.${field} at ${path.join('.')}`;
        if (!object || object.__typename !== type.name) {
          problems.push(`${where}: parent lost`);
          continue;
        }
        const error = errorAt(response, [...path, field]);
        if (error) expectedErrorPaths.add(JSON.stringify([...path, field]));
        if (!allowed) {
          if (object[field] !== null || error?.extensions?.code !== 'FORBIDDEN')
            problems.push(
              `${where}: denied, but got ${JSON.stringify(object[field])} / ${error?.extensions?.code}`,
            );
          outcome = 'denied';
        } else if (access!.check) {
          if (error && (error.extensions?.code !== 'FORBIDDEN' || object[field] !== null))
            problems.push(`${where}: conditional, got ${error.extensions?.code}`);
          outcome = error ? (outcome ?? 'conditionalDenied') : 'conditionalAllowed';
        } else {
          if (error) problems.push(`${where}: allowed, but got ${error.extensions?.code}`);
          outcome = object[field] !== null ? 'allowedWithValue' : (outcome ?? 'allowedNull');
        }
      }
      if (outcome) {
        count(role, 'cells');
        count(role, outcome);
      }
    }
    for (const error of response.errors ?? []) {
      if (!expectedErrorPaths.has(JSON.stringify(error.path)))
        problems.push(
          `${role} ${type.name}: unexpected error ${error.extensions?.code} at ${error.path?.join('.')}`,
        );
    }
    return problems;
  }

  describe.each(ALL_ROLES)('%s', (role) => {
    it('reads every field of every type it can reach: allowed → value, denied → null + FORBIDDEN', async () => {
      const paths = pathsFor(schema, PERMISSIONS, role, world.idsByType);
      const problems: string[] = [];
      for (const type of types) {
        const candidates = paths.get(type.name) ?? [];
        if (candidates.length === 0) {
          unreachable.push(`${role} → ${type.name}`);
          continue;
        }
        let judged = false;
        for (const actor of world.actors[role]) {
          for (const path of candidates) {
            const response = await hub.gql(renderPathQuery(path), {}, actor.token);
            const targets = targetsIn(response.data, path).filter((t) => t.object !== null);
            if (targets.length === 0) continue;
            problems.push(...judge(role, type, response, targets));
            judged = true;
            break;
          }
          if (judged) break;
        }
        if (!judged)
          unreachable.push(`${role} → ${type.name} (paths exist, seeded data gave none)`);
      }
      expect(problems).toEqual([]);
    });

    it('calls every query field: allowed → answered, denied → null + FORBIDDEN, siblings intact', async () => {
      const query = schema.getQueryType()!;
      const problems: string[] = [];
      for (const field of Object.values(query.getFields())) {
        const target = getNamedType(field.type);
        const bindings = rootArgBindings(field.args, target.name, world.idsByType);
        if (!bindings) {
          skippedRootFields.push(`  Query.${field.name}`);
          continue;
        }
        const selection = isObjectType(target) ? '{ __typename }' : '';
        const allowed = allows(rule(PERMISSIONS, 'Query', field.name), role);
        const answers: Array<GraphQLResponse<Record<string, unknown>>> = [];
        for (const actor of world.actors[role] as Actor[]) {
          for (const args of bindings) {
            // `me` beside the field under test: a refusal must not take its sibling with it.
            const response = await hub.gql<Record<string, unknown>>(
              `{ me { role } probe: ${field.name}${args} ${selection} }`,
              {},
              actor.token,
            );
            answers.push(response);
            if ((response.data?.me as { role?: string } | undefined)?.role !== role)
              problems.push(`${role} Query.${field.name}: sibling me lost`);
          }
        }
        const codes = answers.map((a) => errorAt(a, ['probe'])?.extensions?.code);
        if (!allowed) {
          if (!answers.every((a, i) => a.data?.probe === null && codes[i] === 'FORBIDDEN'))
            problems.push(`${role} Query.${field.name}: denied, got ${JSON.stringify(codes)}`);
        } else if (!codes.some((c) => c === undefined)) {
          problems.push(`${role} Query.${field.name}: allowed, got ${JSON.stringify(codes)}`);
        }
        count(role, 'cells');
        count(role, allowed ? 'allowedWithValue' : 'denied');
      }
      expect(problems).toEqual([]);
    });

    it('calls every mutation: denied → null + FORBIDDEN, allowed → past the permission layer', async () => {
      const mutation = schema.getMutationType()!;
      const problems: string[] = [];
      const [actor] = world.actors[role];
      for (const field of Object.values(mutation.getFields())) {
        const target = getNamedType(field.type);
        const selection = isObjectType(target) ? '{ __typename }' : '';
        // Arguments that name nothing that exists: the seeded records are never touched.
        const response = await hub.gql<Record<string, unknown>>(
          `mutation { probe: ${field.name}${inertArgs(field.args)} ${selection} }`,
          {},
          actor.token,
        );
        const allowed = allows(rule(PERMISSIONS, 'Mutation', field.name), role);
        const error = errorAt(response, ['probe']);
        if (response.errors?.some((e) => !e.path))
          problems.push(`${role} Mutation.${field.name}: ${JSON.stringify(response.errors)}`);
        else if (
          !allowed &&
          (response.data?.probe !== null || error?.extensions?.code !== 'FORBIDDEN')
        )
          problems.push(`${role} Mutation.${field.name}: denied, got ${error?.extensions?.code}`);
        else if (allowed && error?.message === 'Not allowed for your role')
          problems.push(
            `${role} Mutation.${field.name}: allowed, but refused by the permission layer`,
          );
        count(role, 'cells');
        count(role, allowed ? 'allowedWithValue' : 'denied');
      }
      expect(problems).toEqual([]);
    });
  });

  it('reached every type with at least one role (a type nobody reaches is dead or unguarded)', () => {
    const reachedByAnyone = new Set(
      ALL_ROLES.flatMap((role) => [...pathsFor(schema, PERMISSIONS, role, world.idsByType).keys()]),
    );
    const payloadOnly = types
      .filter((t) => !reachedByAnyone.has(t.name))
      .map((t) => t.name)
      .sort();
    // Mutation payloads are reached only by calling the mutation, which the fuzz suite does;
    // Subscription only over WebSocket, where subscriptions.test.ts checks each topic per role.
    expect(payloadOnly).toEqual([
      'BatchReportItem',
      'BatchReportResult',
      'CreatedAlertContact',
      'CreatedApiKey',
      'FieldError',
      'PasswordReset',
      'ReportIncidentResult',
      'Subscription',
    ]);
  });
});
