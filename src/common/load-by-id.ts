import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Loads an entity by id through the request's dataloader (MikroORM batches references), so a
 * field resolved on every row of a page costs one query per entity type, not one per row.
 */
export function loadById<T extends object>(
  em: EntityManager,
  entity: new () => T,
  id: string | undefined,
): Promise<T | null> {
  return id
    ? em.getReference(entity, id as never, { wrapped: true }).load()
    : Promise.resolve(null);
}
