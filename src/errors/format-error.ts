import { GraphQLError, Kind, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import { PUBLIC_ERROR_CODES } from './hub-errors';
import { validationProblems } from './validation-problems';
import { rewriteDocumentError, rewriteVariableError } from './value-free-messages';

/**
 * The one place where errors leave the server. Only allow-listed codes keep their message; the
 * rest become a generic message (the request plugin adds the request id and logs the original
 * without its message, which may quote SQL or values).
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);

  if (original instanceof ArgumentValidationError) {
    const fields = validationProblems(original.extensions.validationErrors, argumentName(error));
    return {
      message: `Invalid input: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
      path: formatted.path,
      extensions: { code: 'BAD_USER_INPUT', fields },
    };
  }

  const given = formatted.extensions?.code;
  // Apollo files its own uncoded errors under INTERNAL_SERVER_ERROR before they get here.
  const code = String(
    (given === undefined || given === 'INTERNAL_SERVER_ERROR'
      ? APOLLO_UNCODED.get(formatted.message)
      : undefined) ??
      given ??
      'INTERNAL_SERVER_ERROR',
  );
  if (PUBLIC_ERROR_CODES.has(code)) {
    const variableError = code === 'BAD_USER_INPUT' ? rewriteVariableError(error) : null;
    if (variableError) {
      return {
        message: variableError.message,
        locations: formatted.locations,
        extensions: { code, fields: variableError.fields },
      };
    }
    const { fields } = (formatted.extensions ?? {}) as { fields?: unknown };
    return {
      message: rewriteDocumentError(code, stripSuggestions(formatted.message)),
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code, ...(fields ? { fields } : {}) },
    };
  }
  // Hub code that fails before the request plugin runs (while authenticating) sets the id itself.
  const requestId = formatted.extensions?.requestId;
  return {
    message: INTERNAL_MESSAGE,
    path: formatted.path,
    extensions: {
      code: 'INTERNAL_SERVER_ERROR',
      ...(typeof requestId === 'string' ? { requestId } : {}),
    },
  };
}

/**
 * Client errors Apollo Server raises without a code (so they would be masked as internal):
 * their exact message, which holds nothing from the request, and the code they deserve.
 */
const APOLLO_UNCODED = new Map([['provided sha does not match query', 'BAD_REQUEST']]);

export const INTERNAL_MESSAGE = 'Internal error. Quote the request id when reporting it.';

/** "Did you mean …?" hints reveal field names a role may not know about. */
function stripSuggestions(message: string): string {
  return message.replace(/ Did you mean [\s\S]*\?$/, '');
}

/**
 * class-validator reports paths inside the validated object (`name`); clients get them from the
 * argument (`input.name`), like the problems services raise. Validated objects are the `input`
 * argument by convention; a field with a single argument can only mean that one.
 */
function argumentName(error: unknown): string {
  const node = error instanceof GraphQLError ? error.nodes?.[0] : undefined;
  if (node?.kind !== Kind.FIELD) return '';
  const names = (node.arguments ?? []).map((a) => a.name.value);
  if (names.includes('input')) return 'input';
  return names.length === 1 ? names[0] : '';
}
