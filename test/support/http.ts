import type { GraphQLResponse, TestHub } from './hub';
import {
  RUN_ENV,
  TEMPLATE_ENV,
  adminQuery,
  copyTemplate,
  dropDatabase,
  fileDatabaseName,
  withDatabase,
} from './test-databases';

/** A raw HTTP exchange with the hub, for what `hub.gql` cannot express (bodies, methods, paths). */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json?: { errors?: GraphQLResponse['errors']; data?: unknown } & Record<string, unknown>;
}

export async function request(
  hub: Pick<TestHub, 'url'>,
  path: string,
  init: RequestInit = {},
): Promise<RawResponse> {
  const response = await fetch(new URL(path, hub.url), init);
  const text = await response.text();
  let json: RawResponse['json'];
  try {
    json = JSON.parse(text) as RawResponse['json'];
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** `[path, code]` of each error, the compact form most permission assertions need. */
export const errorsAt = (response: GraphQLResponse<unknown>): Array<[unknown, unknown]> =>
  (response.errors ?? []).map((e) => [e.path, e.extensions?.code]);

/**
 * A database no other test uses, for tests that break it on purpose (drop a table, close it).
 * Embedded: the in-memory PGlite of a fresh hub is already private, so nothing is needed.
 * PostgreSQL: a new copy of the run's migrated template (or an empty database beside
 * DATABASE_URL's when there is no template), dropped again by `drop()`, else when the run ends.
 */
export async function throwawayDatabase(): Promise<{
  env: Record<string, string>;
  drop(): Promise<void>;
}> {
  const base = process.env.DATABASE_URL;
  if (!base) return { env: {}, drop: async () => undefined };
  const template = process.env[TEMPLATE_ENV];
  const name = fileDatabaseName(base, Number(process.env[RUN_ENV] ?? process.pid));
  if (template) await copyTemplate(base, template, name);
  else await adminQuery(base, `create database "${name}"`);
  return {
    env: { DATABASE_URL: withDatabase(base, name) },
    drop: () => dropDatabase(base, name),
  };
}

/** The single error of a refused operation (fails the test when there is not exactly one). */
export function onlyError(response: GraphQLResponse<unknown>): {
  code: unknown;
  message: string;
  path?: Array<string | number>;
  fields?: string[];
} {
  expect(response.errors).toHaveLength(1);
  const [error] = response.errors!;
  const fields = error.extensions?.fields as Array<{ field: string }> | undefined;
  return {
    code: error.extensions?.code,
    message: error.message,
    path: error.path,
    ...(fields ? { fields: fields.map((f) => f.field) } : {}),
  };
}

/** Data of an operation that must succeed. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data as T;
}
