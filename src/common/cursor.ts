import { createHash } from 'node:crypto';
import { badInput } from '../errors/hub-errors';
import type { Cursor, Page } from './pagination';
import { isUuid } from './uuid';

/**
 * The hub's one cursor module. Cursors name the list they belong to and carry a check over their content, so that a
 * cursor of another list (ordered differently) or an edited one is refused with BAD_USER_INPUT
 * instead of silently starting somewhere else. Not a secret: a forged cursor still only moves
 * within the caller's own scope, which the query enforces.
 */
const check = (list: string, at: string, id: string): string =>
  createHash('sha256').update(`${list}|${at}|${id}`).digest('base64url').slice(0, 12);

export function encodeCursor(list: string, cursor: Cursor): string {
  const at = cursor.at.toISOString();
  return Buffer.from(JSON.stringify([list, at, cursor.id, check(list, at, cursor.id)])).toString(
    'base64url',
  );
}

export function decodeCursor(
  list: string,
  value: string | null | undefined,
  field = 'after',
): Cursor | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 4 &&
      parsed.every((p) => typeof p === 'string')
    ) {
      const [name, at, id, sum] = parsed as string[];
      const time = new Date(at);
      if (
        name === list &&
        isUuid(id) &&
        !Number.isNaN(time.getTime()) &&
        sum === check(list, at, id)
      ) {
        return { at: time, id };
      }
    }
  } catch {
    // fall through to the error below
  }
  throw badInput({ field, message: 'is not a cursor returned by this list' });
}

/** A page from `size + 1` fetched rows (the extra one only tells that there is more). */
export function toPage<T>(
  list: string,
  rows: T[],
  size: number,
  totalCount: number,
  cursorOf: (row: T) => Cursor,
): Page<T> {
  const nodes = rows.slice(0, size);
  const edges = nodes.map((node) => ({ node, cursor: encodeCursor(list, cursorOf(node)) }));
  return {
    edges,
    totalCount,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor },
  };
}
