import { ConfigError } from '../config';
import { HubError } from '../errors/hub-errors';

/** A problem with what the operator typed or asked for: printed as is, without a stack. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Service errors name GraphQL input fields; the operator typed CLI options. */
const OPTION_FOR_FIELD: Record<string, string> = {
  'input.agencyId': '--agency',
  'input.role': '--role',
  'input.label': '--label',
  'input.email': '--email',
  'input.displayName': '--name',
  agencyId: '--agency',
  id: '--id',
  'filter.fromMonth': '--from',
  'filter.toMonth': '--to',
  'filter.counties': '--counties',
};

/** The lines to print for an error, and the exit code (78 = configuration, as `npm start`). */
export function describeError(error: unknown): { lines: string[]; exitCode: number } {
  if (error instanceof ConfigError) return { lines: [error.message], exitCode: 78 };
  if (error instanceof CliError) return { lines: [`error: ${error.message}`], exitCode: 1 };
  if (error instanceof HubError) {
    const fields = error.extensions.fields as Array<{ field: string; message: string }> | undefined;
    if (fields?.length) {
      return {
        lines: fields.map((f) => `error: ${OPTION_FOR_FIELD[f.field] ?? f.field}: ${f.message}`),
        exitCode: 1,
      };
    }
    return { lines: [`error: ${error.message}`], exitCode: 1 };
  }
  // Anything else is unexpected (database down, disk full): the message helps, a stack does not.
  const message = error instanceof Error ? error.message || error.constructor.name : String(error);
  return { lines: [`error: ${message}`], exitCode: 1 };
}
