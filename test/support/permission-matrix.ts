import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { randomUUID } from 'node:crypto';
import type { Role } from '../../src/common/role';
import type { Access, PermissionMap } from '../../src/permissions/access';

/**
 * Walks the schema the way a client of one role can: only through fields the permission map lets
 * that role read, so that every type a role can reach is reached, and every type it cannot is
 * known. Everything here is derived from the schema and PERMISSIONS, nothing is listed by hand.
 */

export interface Step {
  field: string;
  /** Rendered arguments, `(id: "…")`, or ''. */
  args: string;
}
export interface Path {
  steps: Step[];
  target: GraphQLObjectType;
}

export const rule = (permissions: PermissionMap, type: string, field: string): Access | undefined =>
  permissions[type]?.[field];

export const allows = (access: Access | undefined, role: Role) =>
  Boolean(access?.roles.includes(role));

/** Candidate argument strings for a root field, or null when a required argument is unknown. */
export function rootArgBindings(
  args: readonly GraphQLArgument[],
  returnType: string,
  idsByType: Record<string, string[]>,
): string[] | null {
  let bindings: string[] = [''];
  for (const arg of args) {
    const named = getNamedType(arg.type).name;
    if (!isNonNullType(arg.type)) {
      // An optional `agencyId` (and the like) narrows to that record: try without and with it.
      const idsOf = idsByType[arg.name.replace(/Id$/, '').replace(/^./, (c) => c.toUpperCase())];
      if (named !== 'ID' || !arg.name.endsWith('Id') || !idsOf) continue;
      bindings = bindings.flatMap((b) => [
        b,
        ...idsOf.map((id) => `${b}${b ? ', ' : ''}${arg.name}: ${JSON.stringify(id)}`),
      ]);
      continue;
    }
    let values: string[];
    if (named === 'ID') values = (idsByType[returnType] ?? []).map((id) => JSON.stringify(id));
    else if (named === 'Int' && arg.name === 'year') values = [String(new Date().getUTCFullYear())];
    // Aggregates: one dimension every aggregate role may group by.
    else if (named === 'StatsDimension' && arg.name === 'groupBy') values = ['[COUNTY]'];
    else return null;
    if (values.length === 0) return null;
    bindings = bindings.flatMap((b) => values.map((v) => `${b}${b ? ', ' : ''}${arg.name}: ${v}`));
  }
  return bindings.map((b) => (b ? `(${b})` : ''));
}

/** Every path from Query through fields the role may read to each object type, shortest first. */
export function pathsFor(
  schema: GraphQLSchema,
  permissions: PermissionMap,
  role: Role,
  idsByType: Record<string, string[]>,
  maxDepth = 6,
): Map<string, Path[]> {
  const found = new Map<string, Path[]>();
  const query = schema.getQueryType()!;
  let frontier: Path[] = [];
  for (const field of Object.values(query.getFields())) {
    if (!allows(rule(permissions, 'Query', field.name), role)) continue;
    const target = getNamedType(field.type);
    if (!isObjectType(target)) continue;
    const bindings = rootArgBindings(field.args, target.name, idsByType);
    for (const args of bindings ?? [])
      frontier.push({ steps: [{ field: field.name, args }], target });
  }
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: Path[] = [];
    for (const path of frontier) {
      const list = found.get(path.target.name) ?? [];
      list.push(path);
      found.set(path.target.name, list);
      const seen = new Set(typesOn(schema, path));
      for (const field of Object.values(path.target.getFields())) {
        const child = getNamedType(field.type);
        if (!isObjectType(child) || seen.has(child.name)) continue;
        if (field.args.some((a) => isNonNullType(a.type))) continue;
        if (!allows(rule(permissions, path.target.name, field.name), role)) continue;
        next.push({ steps: [...path.steps, { field: field.name, args: '' }], target: child });
      }
    }
    frontier = next;
  }
  return found;
}

function typesOn(schema: GraphQLSchema, path: Path): string[] {
  const names = ['Query'];
  let type: GraphQLObjectType = schema.getQueryType()!;
  for (const step of path.steps) {
    type = getNamedType(type.getFields()[step.field].type) as GraphQLObjectType;
    names.push(type.name);
  }
  return names;
}

/** Every field of the target; object fields ask for their `__typename` only. */
export function selectionOf(type: GraphQLObjectType): string {
  return Object.values(type.getFields())
    .map((f) => (isObjectType(getNamedType(f.type)) ? `${f.name} { __typename }` : f.name))
    .join(' ');
}

export function renderPathQuery(path: Path): string {
  let body = `__typename ${selectionOf(path.target)}`;
  for (const step of [...path.steps].reverse())
    body = `${step.field}${step.args} { __typename ${body} }`;
  return `{ ${body} }`;
}

export interface Found {
  object: Record<string, unknown> | null;
  path: Array<string | number>;
}

/** The target objects of a path in a response, with their response paths (list indices included). */
export function targetsIn(data: unknown, path: Path): Found[] {
  let current: Found[] = [{ object: data as Record<string, unknown>, path: [] }];
  for (const step of path.steps) {
    const next: Found[] = [];
    for (const { object, path: at } of current) {
      if (!object) continue;
      const value = object[step.field];
      if (Array.isArray(value))
        value.forEach((v, i) =>
          next.push({ object: v as Record<string, unknown> | null, path: [...at, step.field, i] }),
        );
      else
        next.push({ object: value as Record<string, unknown> | null, path: [...at, step.field] });
    }
    current = next;
  }
  return current;
}

/**
 * A literal of the input type that passes GraphQL's own validation but names nothing that
 * exists: required arguments only, ids random, strings empty. Used to call mutations without
 * touching seeded records.
 */
export function inertLiteral(type: GraphQLInputType): string {
  if (isNonNullType(type)) return inertLiteral(type.ofType);
  if (isListType(type)) return '[]';
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter(
      (f) => isNonNullType(f.type) && f.defaultValue === undefined,
    );
    return `{ ${fields.map((f) => `${f.name}: ${inertLiteral(f.type)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return JSON.stringify(randomUUID());
      case 'Int':
        return '-1';
      case 'Float':
        return '-1.5';
      case 'Boolean':
        return 'false';
      case 'DateTimeISO':
        return '"1900-01-01T00:00:00.000Z"';
      default:
        return '""';
    }
  }
  throw new Error(`no inert literal for ${String(type)}`);
}

export function inertArgs(args: readonly GraphQLArgument[]): string {
  const required = args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  return required.length
    ? `(${required.map((a) => `${a.name}: ${inertLiteral(a.type)}`).join(', ')})`
    : '';
}
