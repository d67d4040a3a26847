import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClientBase } from 'pg';
import { refreshStatsRollup } from '../../modules/stats/stats-rollup';
import { INSERT_ORDER } from './tables';

/**
 * Runs once after the bulk load. Vacuum and fresh statistics first: the planner must not treat
 * tables that grew by millions of rows as empty, and without a visibility map every count that
 * could be answered from an index (a list's totalCount) reads the table instead.
 */
export async function afterBulkInsert(client: ClientBase, em: EntityManager): Promise<void> {
  for (const table of INSERT_ORDER) await client.query(`vacuum (analyze) "${table}"`);

  // Rows inserted here bypass the triggers (hub.stats_rollup = 'off'): rebuild the rollup once.
  await refreshStatsRollup(em);
}
