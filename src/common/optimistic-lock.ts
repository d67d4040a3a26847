import { DeadlockException, LockMode, OptimisticLockError } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict } from '../errors/hub-errors';

/** Anything with a `@Property({ version: true })` column. */
export interface Versioned {
  version: number;
}

/**
 * The hub's one optimistic-lock rule: the client sends the version it read; a different stored
 * version is a CONFLICT (`stale`), and so is a versioned UPDATE that matches no row (another
 * request committed first) or a deadlock PostgreSQL ended (two changes that each lock more than
 * one record waited on each other: the loser is simply stale).
 */
export function assertVersion(record: Versioned, version: number, stale: string): void {
  if (record.version !== version) throw conflict(stale);
}

/** Runs `work`, turning a lost optimistic or deadlock race into CONFLICT `stale`. */
export async function staleAsConflict<T>(stale: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof OptimisticLockError || error instanceof DeadlockException) {
      throw conflict(stale);
    }
    throw error;
  }
}

/** Flushes under the rule (a record changed outside a locked transaction). */
export function flushVersioned(em: EntityManager, stale: string): Promise<void> {
  return staleAsConflict(stale, () => em.flush());
}

/**
 * One change of one versioned record in one transaction: `load` finds it in the caller's scope
 * (null: `missing` is thrown, answered like any unknown id) locked FOR UPDATE and re-read, the
 * caller's version must still be current, `change` runs, and the flush is checked by the version
 * column.
 */
export async function lockedChange<E extends Versioned, T>(
  em: EntityManager,
  options: {
    load: (tem: EntityManager, lock: { lockMode: LockMode; refresh: true }) => Promise<E | null>;
    version: number;
    stale: string;
    missing: () => Error;
  },
  change: (tem: EntityManager, record: E) => Promise<T>,
): Promise<T> {
  return staleAsConflict(options.stale, () =>
    em.transactional(async (tem) => {
      const record = await options.load(tem, {
        lockMode: LockMode.PESSIMISTIC_WRITE,
        refresh: true,
      });
      if (!record) throw options.missing();
      assertVersion(record, options.version, options.stale);
      const result = await change(tem, record);
      await tem.flush();
      return result;
    }),
  );
}
