import { GraphQLError } from 'graphql';

/** The only error codes a client ever sees; anything else is masked as INTERNAL_SERVER_ERROR. */
export const PUBLIC_ERROR_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'TOO_MANY_REQUESTS',
]);

export type HubErrorCode =
  'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT';

const HTTP_STATUS: Partial<Record<HubErrorCode, number>> = { UNAUTHENTICATED: 401 };

export interface FieldProblem {
  /** Dotted path of the input field, e.g. `input.naloxone.0.doseMg` or `inputs.3.county`. */
  field: string;
  message: string;
}

/**
 * Errors thrown on purpose by hub code. Their messages are written for the client and must never
 * contain personal data, SQL or values the client sent.
 */
export class HubError extends GraphQLError {
  constructor(code: HubErrorCode, message: string, extra: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    super(message, { extensions: { code, ...extra, ...(status ? { http: { status } } : {}) } });
  }
}

export const unauthenticated = (message = 'Valid credentials are required') =>
  new HubError('UNAUTHENTICATED', message);

export const forbidden = (message = 'Not allowed for your role') =>
  new HubError('FORBIDDEN', message);

/** A record outside the caller's scope answers exactly like a missing one. */
export const notFound = (what: string) => new HubError('NOT_FOUND', `${what} not found`);

export const conflict = (message: string) => new HubError('CONFLICT', message);

export function badInput(problems: FieldProblem[] | FieldProblem): HubError {
  const list = Array.isArray(problems) ? problems : [problems];
  const summary = list.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new HubError('BAD_USER_INPUT', `Invalid input: ${summary}`, { fields: list });
}
