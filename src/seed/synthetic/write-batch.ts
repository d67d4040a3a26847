import type { ClientBase } from 'pg';
import { insertRows } from './bulk-insert';
import type { Updates } from './generate';
import { INSERT_ORDER, TABLES, type Batch } from './tables';

/** One transaction per batch: the tables in foreign-key order, then changes to earlier rows. */
export async function writeBatch(
  client: ClientBase,
  batch: Batch,
  updates: Updates,
  totals: Record<string, number>,
  timings: Record<string, number>,
): Promise<void> {
  await client.query('begin');
  try {
    for (const table of INSERT_ORDER) {
      const t0 = performance.now();
      const n = await insertRows(client, table, TABLES[table], batch[table]);
      totals[table] = (totals[table] ?? 0) + n;
      timings[table] = (timings[table] ?? 0) + performance.now() - t0;
    }
    if (updates.deceased.length > 0) {
      const ids = updates.deceased.map(([id]) => id);
      const at = updates.deceased.map(([, t]) => new Date(t).toISOString());
      // As closeWithin does: closed DECEASED, hold cleared, a routing request still open cancelled.
      await client.query(
        `update overdose_case c
            set status = 'CLOSED', close_reason = 'DECEASED', closed_at = u.at, updated_at = u.at,
                hold_reason = null, resume_on = null, version = c.version + 1
           from unnest($1::uuid[], $2::timestamptz[]) as u(id, at)
          where c.id = u.id`,
        [ids, at],
      );
      await client.query(
        `update referral r set status = 'CANCELLED', responded_at = u.at, updated_at = u.at
           from unnest($1::uuid[], $2::timestamptz[]) as u(id, at)
          where r.case_id = u.id and r.type = 'FOLLOW_UP_OUTREACH' and r.status = 'REQUESTED'`,
        [ids, at],
      );
    }
    if (updates.doNotContact.length > 0) {
      await client.query(
        `update person p set do_not_contact = true, do_not_contact_since = u.at, updated_at = u.at
           from unnest($1::uuid[], $2::timestamptz[]) as u(id, at)
          where p.id = u.id and not p.do_not_contact`,
        [
          updates.doNotContact.map(([id]) => id),
          updates.doNotContact.map(([, t]) => new Date(t).toISOString()),
        ],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}
