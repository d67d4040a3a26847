import { validate, type ValidationError } from 'class-validator';
import type { FieldProblem } from './hub-errors';

/**
 * class-validator errors as field problems with dotted paths (`input.naloxone.0.doseMg`).
 * Messages name the rule, never the submitted value.
 */
export function validationProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(new RegExp(`^${e.property} `), ''),
    }));
    return [...own, ...validationProblems(e.children ?? [], field)];
  });
}

/** Validates one input object (for inputs checked by hand, e.g. each item of a batch). */
export async function validateInput(input: object, prefix: string): Promise<FieldProblem[]> {
  const errors = await validate(input, {
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  return validationProblems(errors, prefix);
}

/**
 * Validates an input that type-graphql passed through unvalidated (`validate: false`), so that
 * shape, cross-field and database problems can come back together under their argument paths.
 * A plain object (a service called directly) is given the input class first.
 */
export function validateInputAs<T extends object>(
  InputClass: new () => T,
  value: T,
  path: string,
): Promise<FieldProblem[]> {
  const instance = value instanceof InputClass ? value : Object.assign(new InputClass(), value);
  return validateInput(instance, path);
}
