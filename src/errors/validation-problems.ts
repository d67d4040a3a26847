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
