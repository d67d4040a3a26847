import { validate } from 'class-validator';
import { ALL_ROLES, Role } from '../common/role';
import { AgencyKind } from '../modules/agency/agency-kind';
import { CliError } from './errors';

/** Same shape as TOKEN_TTL in config.ts: a number and a unit. */
const TTL = /^\d+[smhd]$/;

/** Accepts `ems`, `EMS`, `harm-reduction` for HARM_REDUCTION and so on. */
function parseEnum<T extends string>(value: string, allowed: readonly T[], option: string): T {
  const normalised = value.trim().toUpperCase().replace(/[-\s]/g, '_');
  const match = allowed.find((a) => a === normalised);
  if (!match) throw new CliError(`${option}: "${value}" is not one of ${allowed.join(', ')}`);
  return match;
}

export const parseKind = (value: string): AgencyKind =>
  parseEnum(value, Object.values(AgencyKind), '--kind');

export const parseRole = (value: string): Role => parseEnum(value, ALL_ROLES, '--role');

/** `37021,37115` → ['37021', '37115']; the format itself is checked with the API's rules. */
export function parseCounties(value: string): string[] {
  return value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

export function parseTtl(value: string): string {
  const ttl = value.trim();
  if (!TTL.test(ttl)) throw new CliError(`--ttl: "${value}" must look like 30m, 12h or 7d`);
  return ttl;
}

/** CLI option for each input property, so a validation message names what the operator typed. */
const OPTION_FOR_PROPERTY: Record<string, string> = {
  name: '--name',
  displayName: '--name',
  serviceCounties: '--counties',
  email: '--email',
  label: '--label',
};

/**
 * Runs the GraphQL input class's own class-validator rules on CLI input, so the CLI accepts
 * exactly what the API accepts. Every problem is reported at once.
 */
export async function validateInput<T extends object>(
  InputClass: new () => T,
  values: Partial<T>,
): Promise<T> {
  const input = Object.assign(new InputClass(), values);
  const errors = await validate(input, {
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) {
    const problems = errors.flatMap((e) =>
      // class-validator starts each message with the property name; the option replaces it.
      Object.values(e.constraints ?? {}).map(
        (m) =>
          `${OPTION_FOR_PROPERTY[e.property] ?? e.property}: ${m.replace(`${e.property} `, '')}`,
      ),
    );
    throw new CliError(problems.join('\n       '));
  }
  return input;
}
