import fc from 'fast-check';
import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
} from 'graphql';

/**
 * fast-check arbitraries derived from the schema's input types, so every mutation, including
 * one added tomorrow, is fuzzed without a hand-written generator. Values are valid for GraphQL's
 * own coercion (so they reach the resolvers) and hostile for everything after it: ids of other
 * records, random and malformed ids, injection strings, boundary numbers, far dates.
 */

export const HOSTILE_STRINGS = [
  '',
  ' ',
  "' OR 1=1 --",
  "'; DROP TABLE person; --",
  '$ne',
  '{"$ne": null}',
  '%',
  '_',
  '\\',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  'null',
  'NaN',
  '00000000-0000-0000-0000-000000000000',
  'x'.repeat(5000),
  '😀'.repeat(50),
  'e\u0301',
  '37021',
  '1990-04-01',
  '2999-12-31',
];

export interface ArbitraryContext {
  /** Real ids of seeded records (of any type): the fuzz mixes them with junk. */
  ids: string[];
}

const scalar = (name: string, ctx: ArbitraryContext): fc.Arbitrary<unknown> => {
  switch (name) {
    case 'ID':
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...ctx.ids) },
        { weight: 2, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
        { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
      );
    case 'String':
      return fc.oneof(
        { weight: 3, arbitrary: fc.string({ minLength: 3, maxLength: 40 }) },
        { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
        { weight: 1, arbitrary: fc.constantFrom(...ctx.ids) },
      );
    case 'Int':
      return fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: -2, max: 12 }) },
        { weight: 1, arbitrary: fc.constantFrom(-2147483648, 2147483647, 500, 501, 2026) },
        { weight: 1, arbitrary: fc.integer() },
      );
    case 'Float':
      return fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
        fc.constantFrom(0, -0, 1e-300, 1e300, 20, 20.000001, -90, 90, 180.5),
      );
    case 'Boolean':
      return fc.boolean();
    case 'DateTimeISO':
      return fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .integer({ min: -30 * 86_400_000, max: 2 * 86_400_000 })
            .map((ms) => new Date(Date.now() + ms).toISOString()),
        },
        {
          weight: 1,
          arbitrary: fc
            .date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })
            .map((d) => d.toISOString()),
        },
      );
    default:
      return fc.string({ maxLength: 20 });
  }
};

export function arbitraryOf(
  type: GraphQLInputType,
  ctx: ArbitraryContext,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return arbitraryOf(type.ofType, ctx, depth);
  if (isListType(type))
    return fc.array(arbitraryOf(type.ofType, ctx, depth + 1), { maxLength: depth > 0 ? 2 : 4 });
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    const required: string[] = [];
    for (const field of fields) {
      const value = arbitraryOf(field.type, ctx, depth + 1);
      const mandatory = isNonNullType(field.type) && field.defaultValue === undefined;
      model[field.name] = mandatory ? value : fc.option(value, { nil: null, freq: 4 });
      if (mandatory) required.push(field.name);
    }
    return fc.record(model, { requiredKeys: required });
  }
  if (isScalarType(type)) return scalar(type.name, ctx);
  throw new Error(`no arbitrary for ${String(type)}`);
}

/** Variables for every argument of a field: required always, optional sometimes. */
export function argumentsArbitrary(
  args: readonly GraphQLArgument[],
  ctx: ArbitraryContext,
): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const arg of args) {
    model[arg.name] = arbitraryOf(arg.type, ctx);
    if (isNonNullType(arg.type) && arg.defaultValue === undefined) required.push(arg.name);
  }
  return fc.record(model, { requiredKeys: required });
}

/** `mutation($caseId: ID!, …) { name(caseId: $caseId, …) { __typename } }` for a field. */
export function operationFor(
  kind: 'mutation' | 'query',
  name: string,
  args: readonly GraphQLArgument[],
  selection: string,
): string {
  const declared = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  return `${kind}${declared ? `(${declared})` : ''} { ${name}${passed ? `(${passed})` : ''} ${selection} }`;
}
