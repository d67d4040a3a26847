import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError } from 'class-validator';
import { PUBLIC_ERROR_CODES, type FieldProblem } from './hub-errors';

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
    const fields = flattenValidation(original.extensions.validationErrors);
    return {
      message: `Invalid input: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
      path: formatted.path,
      extensions: { code: 'BAD_USER_INPUT', fields },
    };
  }

  const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  if (PUBLIC_ERROR_CODES.has(code)) {
    const { fields } = (formatted.extensions ?? {}) as { fields?: unknown };
    return {
      message:
        code === 'GRAPHQL_VALIDATION_FAILED'
          ? stripSuggestions(formatted.message)
          : formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code, ...(fields ? { fields } : {}) },
    };
  }
  return {
    message: INTERNAL_MESSAGE,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

export const INTERNAL_MESSAGE = 'Internal error. Quote the request id when reporting it.';

/** "Did you mean …?" hints reveal field names a role may not know about. */
function stripSuggestions(message: string): string {
  return message.replace(/ Did you mean .*\?$/, '');
}

function flattenValidation(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(new RegExp(`^${e.property} `), ''),
    }));
    return [...own, ...flattenValidation(e.children ?? [], field)];
  });
}
