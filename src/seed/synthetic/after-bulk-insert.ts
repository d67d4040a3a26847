import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClientBase } from 'pg';
import { refreshStatsRollup } from '../../modules/stats/stats-rollup';
import { INSERT_ORDER } from './tables';

/**
 * Runs once after the bulk load. Fresh statistics first, so the planner does not treat tables
 * that grew by millions of rows as empty.
 */
export async function afterBulkInsert(client: ClientBase, em: EntityManager): Promise<void> {
  for (const table of INSERT_ORDER) await client.query(`analyze "${table}"`);

  // Rows inserted here bypass the triggers (hub.stats_rollup = 'off'): rebuild the rollup once.
  await refreshStatsRollup(em);
}
