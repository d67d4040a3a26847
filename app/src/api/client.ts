/**
 * The one place that talks to the hub: /auth for sessions, /graphql for everything else. The
 * access token lives only in this module's memory; the refresh token is an HttpOnly cookie the
 * page never sees. When the API changes, this folder changes (operations.ts holds the queries).
 */
export type ErrorCode =
  | 'NETWORK'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'OTHER'
  | string;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface GraphQLErrorItem {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; [k: string]: unknown };
}

/** A GraphQL answer: data with nulls where a field was denied, and the errors at those paths. */
export interface Answer<T> {
  data: T | null;
  errors: GraphQLErrorItem[];
  /**
   * The 42 CFR §2.32 redisclosure notice, word for word as the hub sent it, when the answer
   * carries a Part 2 record (`extensions.part2Notice`); the app shows it with those records.
   */
  part2Notice?: string;
}

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const sessionListeners = new Set<(signedIn: boolean) => void>();

export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

function setToken(token: string | null): void {
  const changed = Boolean(token) !== Boolean(accessToken);
  accessToken = token;
  if (changed) sessionListeners.forEach((l) => l(Boolean(token)));
}

export const hasAccessToken = () => accessToken !== null;

async function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError('NETWORK', 'network');
  }
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const error = (json as { error?: { code?: string } }).error ?? {};
    throw new ApiError(
      error.code ?? 'OTHER',
      error.code ?? 'error',
      error as Record<string, unknown>,
    );
  }
  return json as Record<string, unknown>;
}

async function signedIn(answer: Record<string, unknown>): Promise<void> {
  setToken(String(answer.accessToken));
}

export async function signInWithPassword(email: string, password: string): Promise<void> {
  await signedIn(await postJson('/auth/password', { email, password }));
}

export async function changePassword(
  email: string,
  password: string,
  newPassword: string,
): Promise<void> {
  await signedIn(await postJson('/auth/password/change', { email, password, newPassword }));
}

/** Swaps the refresh cookie for a new access token; false when the session has ended. */
export function refresh(): Promise<boolean> {
  refreshing ??= postJson('/auth/refresh', {})
    .then(async (answer) => {
      await signedIn(answer);
      return true;
    })
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.code === 'NETWORK') throw error;
      setToken(null);
      return false;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export async function signOut(): Promise<void> {
  await postJson('/auth/sign-out', {}).catch(() => undefined);
  setToken(null);
}

export async function authConfig(): Promise<{
  identityProviders: Array<{ id: string; label: string }>;
  deviceIdleMinutes: number;
  vapidPublicKey: string | null;
}> {
  const res = await fetch('/auth/config', { credentials: 'same-origin' });
  return res.json();
}

export async function passkeyOptions(kind: 'sign-in' | 'register'): Promise<unknown> {
  const path = kind === 'sign-in' ? '/auth/passkey/options' : '/auth/passkey/register/options';
  return postJson(path, {}, kind === 'register' ? { authorization: `Bearer ${accessToken}` } : {});
}

export async function passkeyFinish(kind: 'sign-in' | 'register', response: unknown) {
  if (kind === 'sign-in') await signedIn(await postJson('/auth/passkey/verify', { response }));
  else
    await postJson(
      '/auth/passkey/register/verify',
      { response },
      { authorization: `Bearer ${accessToken}` },
    );
}

/**
 * Runs one GraphQL operation. An expired access token is refreshed once and the operation
 * retried; a denied field is not an exception (its value is null, its error in `errors`).
 */
export async function graphql<T>(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Answer<T>> {
  const send = async () => {
    try {
      return await fetch('/graphql', {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'content-type': 'application/json',
          ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new ApiError('NETWORK', 'network');
    }
  };
  let res = await send();
  if (res.status === 401) {
    if (!(await refresh())) throw new ApiError('UNAUTHENTICATED', 'signed out');
    res = await send();
  }
  const body = (await res.json().catch(() => null)) as {
    data?: T | null;
    errors?: GraphQLErrorItem[];
    extensions?: { part2Notice?: unknown };
  } | null;
  if (!body) throw new ApiError('OTHER', `HTTP ${res.status}`);
  const errors = body.errors ?? [];
  if (res.status === 401) throw new ApiError('UNAUTHENTICATED', 'signed out');
  const notice = body.extensions?.part2Notice;
  return {
    data: body.data ?? null,
    errors,
    ...(typeof notice === 'string' ? { part2Notice: notice } : {}),
  };
}

/**
 * For mutations: the first error not about a denied sub-field becomes an ApiError (CONFLICT,
 * BAD_USER_INPUT with the fields named, NOT_FOUND …); otherwise the data.
 */
export async function mutate<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const answer = await graphql<T>(query, variables);
  const fatal = answer.errors.find((e) => (e.path?.length ?? 1) <= 1);
  if (fatal || !answer.data) {
    const error = fatal ?? answer.errors[0];
    throw new ApiError(
      error?.extensions?.code ?? 'OTHER',
      error?.message ?? 'error',
      error?.extensions ?? {},
    );
  }
  return answer.data;
}

/** Whether the field at `path` was denied to the caller's role (null + FORBIDDEN). */
export function deniedAt(answer: Answer<unknown>, path: Array<string | number>): boolean {
  const want = path.join('.');
  return answer.errors.some(
    (e) => e.extensions?.code === 'FORBIDDEN' && (e.path ?? []).join('.').startsWith(want),
  );
}
