import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClientBase } from 'pg';
import { INSERT_ORDER } from './tables';

/**
 * Runs once after the bulk load. Fresh statistics first, so the planner does not treat tables
 * that grew by millions of rows as empty.
 */
export async function afterBulkInsert(client: ClientBase, em: EntityManager): Promise<void> {
  for (const table of INSERT_ORDER) await client.query(`analyze "${table}"`);

  // MERGE POINT (lead engineer): the stats branch adds a maintained rollup in
  // src/modules/stats/ with `refreshStatsRollup(em)`. Rows inserted here bypass the services,
  // so the rollup must be rebuilt once the load is done. Wire it in at merge:
  //   import { refreshStatsRollup } from '../../modules/stats/<its file>';
  //   await refreshStatsRollup(em);
  void em;
}
