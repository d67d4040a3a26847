/**
 * A PostgreSQL array literal for a bound parameter. Knex expands a JS array binding into a list
 * of placeholders, which `= any(?::type[])` cannot take. Only for values that are hub-made
 * tokens (UUIDs, enum names): they contain no comma, quote or brace.
 */
export function pgArray(values: readonly string[]): string {
  for (const v of values) {
    if (!/^[A-Za-z0-9_-]+$/.test(v)) throw new Error('pgArray takes identifiers only');
  }
  return `{${values.join(',')}}`;
}

/** A fragment of SQL with its `?` bindings, so that conditions compose without string pasting. */
export interface Sql {
  text: string;
  bindings: unknown[];
}

export const sql = (text: string, ...bindings: unknown[]): Sql => ({ text, bindings });

/** All of the conditions (each parenthesised); no condition at all is `true`. */
export function and(parts: Sql[]): Sql {
  return {
    text: parts.length ? parts.map((p) => `(${p.text})`).join(' and ') : 'true',
    bindings: parts.flatMap((p) => p.bindings),
  };
}

/**
 * "Assigned to me" (or, with `assigned` false, "not assigned to me") on an assignee column. An
 * API key (no user id) is nobody's colleague: nothing is assigned to it.
 */
export function assignedToCaller(
  column: string,
  userId: string | undefined,
  assigned: boolean,
): Sql {
  return assigned
    ? sql(`${column} = ?::uuid`, userId ?? null)
    : sql(`${column} is distinct from ?::uuid`, userId ?? null);
}
