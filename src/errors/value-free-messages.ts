import { GraphQLError, Kind } from 'graphql';
import type { FieldProblem } from './hub-errors';

/**
 * graphql-js quotes the offending value in its coercion and validation messages
 * (`Variable "$input" got invalid value "Jane Doe" at "input.kind"; …`). A submitted value may be
 * a name or a phone number, so these messages are rebuilt from their parts without it: the
 * variable, the path and what was expected stay.
 */

const NAME = '[_A-Za-z][_0-9A-Za-z]*';
const TYPE = '[_A-Za-z0-9\\[\\]!]+';
const isName = (value: string): boolean =>
  new RegExp(`^${NAME}$`).test(value) && value.length <= 64;

interface Problem {
  /** A field below the reported path (a missing or unknown input field). */
  field?: string;
  message: string;
}

/** What graphql-js says about one input value, restated without the value. */
const PROBLEMS: Array<[RegExp, (m: RegExpExecArray) => Problem]> = [
  [
    new RegExp(`^Field "(${NAME})" of required type "(${TYPE})" was not provided\\.`),
    (m) => ({ field: m[1], message: `is required (${m[2]})` }),
  ],
  [
    new RegExp(`^Field "([\\s\\S]*)" is not defined by type "(${NAME})"\\.`),
    (m) =>
      isName(m[1])
        ? { field: m[1], message: `is not a field of ${m[2]}` }
        : { message: `has a field that ${m[2]} does not define` },
  ],
  [
    new RegExp(`^Expected non-nullable type "(${TYPE})" not to be null\\.`),
    (m) => ({ message: `must not be null (${m[1]})` }),
  ],
  [
    new RegExp(`^Value [\\s\\S]* does not exist in "(${NAME})" enum\\.`),
    (m) => ({ message: `must be one of the values of ${m[1]}` }),
  ],
  [
    new RegExp(`^Enum "(${NAME})" cannot represent`),
    (m) => ({ message: `must be one of the values of ${m[1]}` }),
  ],
  [
    new RegExp(`^Expected type "(${TYPE})" to be an object\\.`),
    (m) => ({ message: `must be an object of type ${m[1]}` }),
  ],
  [new RegExp(`^Expected type "(${NAME})"\\.`), (m) => ({ message: `must be a valid ${m[1]}` })],
  [new RegExp(`^(${NAME}) cannot represent`), (m) => ({ message: `must be a valid ${m[1]}` })],
];

function describe(message: string): Problem | undefined {
  for (const [pattern, build] of PROBLEMS) {
    const match = pattern.exec(message);
    if (match) return build(match);
  }
  return undefined;
}

/** `input.naloxone[0].doseMg` → `input.naloxone.0.doseMg`, the dotted form of FieldProblem. */
const dotted = (path: string): string => path.replace(/\[(\d+)\]/g, '.$1');

export interface RewrittenError {
  message: string;
  fields: FieldProblem[];
}

/**
 * A variable that failed coercion (Apollo reports it as BAD_USER_INPUT). Returns null when the
 * error is not one: then it carries no submitted value.
 */
export function rewriteVariableError(error: unknown): RewrittenError | null {
  if (!(error instanceof GraphQLError)) return null;
  const node = error.nodes?.[0];
  if (error.nodes?.length !== 1 || node?.kind !== Kind.VARIABLE_DEFINITION) return null;
  const variable = node.variable.name.value;
  const head = `Variable "$${variable}" `;
  if (!error.message.startsWith(head)) return null;

  if (
    error.message.startsWith(`${head}of required type `) ||
    error.message.startsWith(`${head}of non-null type `)
  ) {
    // These name the declared type only, never a value.
    return { message: error.message, fields: [{ field: variable, message: 'is required' }] };
  }

  // graphql-js builds `<prefix>; <inner message>` and keeps the inner error as originalError,
  // so the prefix (which ends with the path when there is one) can be cut off exactly.
  const inner = error.originalError instanceof GraphQLError ? error.originalError.message : '';
  const prefix =
    inner && error.message.endsWith(`; ${inner}`)
      ? error.message.slice(0, error.message.length - inner.length - 2)
      : '';
  const at = new RegExp(` at "(${variable}(?:\\.${NAME}|\\[\\d+\\])*)"$`).exec(prefix);
  const problem = describe(inner) ?? { message: 'is not a valid value' };
  const base = dotted(at?.[1] ?? variable);
  const field = problem.field ? `${base}.${problem.field}` : base;
  return {
    message: `Invalid value for variable "$${variable}" at "${field}": ${problem.message}.`,
    fields: [{ field, message: problem.message }],
  };
}

/** Document validation and syntax errors quote literal values written into the query. */
export function rewriteDocumentError(code: string, message: string): string {
  if (code === 'GRAPHQL_PARSE_FAILED') {
    // `Syntax Error: Unexpected String "…".` ends with the token; keep its kind only.
    return message.replace(/\b(String|BlockString|Int|Float) "[\s\S]*"\.$/, '$1.');
  }
  const expected = new RegExp(`^Expected value of type "(${TYPE})", found `).exec(message);
  if (expected) return `Invalid value: expected ${expected[1]}.`;
  // Scalars and enums reject a literal with a message that quotes it.
  if (!new RegExp(`^(?:Value |Enum "${NAME}" cannot |${NAME} cannot represent)`).test(message)) {
    return message;
  }
  const problem = describe(message);
  return problem ? `Invalid value: ${problem.message}.` : message;
}
