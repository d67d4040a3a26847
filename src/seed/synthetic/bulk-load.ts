import type { ClientBase } from 'pg';
import { rebuildStatsTables } from '../../modules/stats/stats-rollup';
import {
  labelUnlabelledSql,
  PART2_LABEL_TRIGGER,
  PART2_LABELLED_TABLES,
} from '../../rules/part2-label';
import { copyIn, copyText } from './copy-rows';
import {
  createIndexes,
  dropIndexes,
  indexDefinitions,
  type IndexDefinition,
} from './deferred-indexes';
import type { Updates } from './generate';
import type { IdentityEncryptor } from './identity-encryption';
import { INSERT_ORDER, TABLES, type Batch, type TableName } from './tables';

/**
 * The statistics triggers (record keys, fact table, rollup; the stats migrations) keep their
 * tables in step with every write, row by row or statement by statement. The load switches them
 * off and rebuilds those tables once at the end with the hub's own rebuild (rebuildStatsTables).
 * Any other trigger on a loaded table would need its own set-based replacement: the load refuses
 * to start rather than skip it or fire it per row.
 */
const STATS_TRIGGER = /^stats_/;
/**
 * The intake's trigger that gives a report opening its event the event row; replaced here by one
 * set-based insert of the loaded reports' events (eventsOfLoadedReports).
 */
const OWN_EVENT_TRIGGER = 'overdose_incident_own_event';

/** The tables those triggers write: indexes dropped during the load, rebuilt after the rebuild. */
export const STATS_TABLES = ['stats_record_key', 'stats_fact', 'stats_rollup'] as const;

/** Every table the load writes or rebuilds, for the indexes and the catalog comparison. */
const ALL_TABLES: readonly string[] = [...INSERT_ORDER, ...STATS_TABLES];

interface TriggerState {
  table: string;
  name: string;
  /** pg_trigger.tgenabled: O (origin and local), A (always), R (replica only). */
  enabled: 'O' | 'A' | 'R';
}

export interface LoadProgress {
  /** What the load is doing now, for the progress display. */
  step: string;
  /** Steps of the finishing work done so far and in all (indexes, keys, rollup…). */
  done: number;
  total: number;
}

export interface LoadTotals {
  rows: Record<string, number>;
  /** Milliseconds spent writing each table. */
  writeMs: Record<string, number>;
  /** Milliseconds of each finishing step. */
  finishMs: Record<string, number>;
}

/**
 * The whole synthetic load as ONE transaction on one connection: a failed or interrupted run
 * leaves the database as it was, with every index and constraint in place.
 *
 * - begin(): drops the indexes and keys of the loaded tables (deferred-indexes.ts), switches
 *   the stats rollup's row triggers off, and truncates the tables that are empty (COPY FREEZE);
 * - write(): each batch's rows with `COPY … FROM STDIN`, table by table in foreign-key order;
 *   changes to rows of earlier batches (a case closed when a later report is fatal, a person's
 *   "don't contact me") are collected;
 * - finish(): applies those changes in two set-based statements, builds the indexes and keys
 *   again (checking every unique and foreign key), switches the triggers back on, ANALYZEs,
 *   rebuilds the rollup from the rows in SQL and commits; then VACUUM, which sets the visibility
 *   map that index-only counts need (it cannot run in a transaction).
 *
 * The tables are locked (ACCESS EXCLUSIVE) from begin() to the commit: a hub reading the same
 * database waits for the load. The catalog is compared before the commit and the load refuses
 * to commit if any index, constraint or trigger differs from what it found.
 */
export class BulkLoad {
  readonly totals: LoadTotals = { rows: {}, writeMs: {}, finishMs: {} };
  private readonly deceased: Array<[string, number]> = [];
  private open = true;

  private constructor(
    private readonly client: ClientBase,
    private readonly encryptor: IdentityEncryptor,
    /** Of the loaded tables (built before the statistics rebuild, which needs them). */
    private readonly indexes: IndexDefinition[],
    /** Of the statistics tables, including their foreign keys (built after their rebuild). */
    private readonly statsIndexes: IndexDefinition[],
    private readonly triggers: TriggerState[],
    private readonly catalogBefore: string,
    /** Tables empty at the start, written with COPY FREEZE. */
    readonly frozen: ReadonlySet<TableName>,
  ) {}

  /**
   * Starts the load on the client (which must not be in a transaction). The rows given to
   * write() carry identity in plain text; the encryptor encrypts it on the way in.
   */
  static async begin(client: ClientBase, encryptor: IdentityEncryptor): Promise<BulkLoad> {
    await client.query('begin');
    try {
      // A lost seed is run again, not recovered: do not wait for the WAL flush at commit.
      await client.query('set local synchronous_commit = off');
      // Index builds sort in memory when they can (the session default, 64 MB, spills to disk).
      await client.query(`set local maintenance_work_mem = '512MB'`);
      await client.query('set local statement_timeout = 0');
      // Belt and braces: the triggers are off anyway, and the setting makes them no-ops.
      await client.query(`set local hub.stats_rollup = 'off'`);
      const catalogBefore = await catalogFingerprint(client);
      const definitions = await indexDefinitions(client, ALL_TABLES);
      const isStats = (d: IndexDefinition) => (STATS_TABLES as readonly string[]).includes(d.table);
      const indexes = definitions.filter((d) => !isStats(d));
      const statsIndexes = definitions.filter(isStats);
      const triggers = (
        await client.query<TriggerState>(
          `select tgrelid::regclass::text as "table", tgname::text as name, tgenabled as enabled
             from pg_trigger
            where not tgisinternal and tgenabled <> 'D' and tgrelid::regclass::text = any($1)
            order by 1, 2`,
          [INSERT_ORDER],
        )
      ).rows;
      const unknown = triggers.filter(
        (t) =>
          !STATS_TRIGGER.test(t.name) &&
          t.name !== OWN_EVENT_TRIGGER &&
          // 42 CFR Part 2 labels: replaced by labelLoadedRows.
          t.name !== PART2_LABEL_TRIGGER,
      );
      if (unknown.length > 0) {
        throw new Error(
          `the bulk load has no set-based replacement for the triggers ${unknown
            .map((t) => `${t.table}.${t.name}`)
            .join(', ')}`,
        );
      }
      for (const t of triggers) {
        await client.query(`alter table ${t.table} disable trigger "${t.name}"`);
      }
      await dropIndexes(client, definitions);
      // An empty table (a fresh database) is truncated, which costs nothing and lets COPY write
      // its rows frozen and all-visible: no VACUUM pass over them after the commit, and no
      // hint-bit writes when they are first read. Its keys and indexes are dropped already.
      const frozen = new Set<TableName>();
      for (const table of INSERT_ORDER) {
        const { rows } = await client.query(`select 1 from "${table}" limit 1`);
        if (rows.length > 0) continue;
        await client.query(`truncate table "${table}"`);
        frozen.add(table);
      }
      return new BulkLoad(
        client,
        encryptor,
        indexes,
        statsIndexes,
        triggers,
        catalogBefore,
        frozen,
      );
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  }

  /**
   * Writes one batch; its updates are applied by finish(). The identity tables go last, so that
   * the encryptor's thread works on them while the other tables are copied (with the foreign
   * keys dropped, the order of the tables does not matter).
   */
  async write(batch: Batch, updates: Updates): Promise<void> {
    this.assertOpen();
    try {
      const encrypted = new Map<TableName, Promise<string>>();
      for (const table of INSERT_ORDER) {
        if (this.encryptor.encrypts(table)) {
          encrypted.set(
            table,
            this.encryptor.encrypt(table, copyText(TABLES[table], batch[table])),
          );
        }
      }
      const order = [
        ...INSERT_ORDER.filter((t) => !encrypted.has(t)),
        ...INSERT_ORDER.filter((t) => encrypted.has(t)),
      ];
      for (const table of order) {
        const t0 = performance.now();
        const text = encrypted.get(table);
        const n = await copyIn(
          this.client,
          table,
          TABLES[table],
          text ? await text : copyText(TABLES[table], batch[table]),
          this.frozen.has(table),
        );
        this.totals.rows[table] = (this.totals.rows[table] ?? 0) + n;
        this.totals.writeMs[table] = (this.totals.writeMs[table] ?? 0) + performance.now() - t0;
      }
      this.deceased.push(...updates.deceased);
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /**
   * Number of finishing steps (for a progress bar): updates, analyze, each index and key,
   * triggers, statistics, analyze, commit, and a vacuum per table.
   */
  get finishSteps(): number {
    return 6 + this.indexes.length + this.statsIndexes.length + ALL_TABLES.length;
  }

  async finish(onProgress: (progress: LoadProgress) => void = () => {}): Promise<void> {
    this.assertOpen();
    const total = this.finishSteps;
    let done = 0;
    let stepStart = performance.now();
    const step = (name: string) => {
      const now = performance.now();
      this.totals.finishMs[name] = (this.totals.finishMs[name] ?? 0) + now - stepStart;
      stepStart = now;
      done += 1;
      onProgress({ step: name, done, total });
    };
    const client = this.client;
    try {
      await this.applyUpdates();
      step('updates');
      // Freshly loaded tables have no statistics yet; the index builds do not need them, the
      // foreign-key checks (joins over millions of rows) do.
      for (const table of INSERT_ORDER) await client.query(`analyze "${table}"`);
      step('analyze');
      const onEach = (d: IndexDefinition) =>
        step(d.kind === 'foreign-key' ? 'foreign keys' : 'indexes');
      await createIndexes(
        client,
        this.indexes.filter((d) => !referencesEvents(d)),
        onEach,
      );
      // The events after the keys are back (each event's person is checked against person's
      // primary key, which a scan per row would make hours), before the reports' keys to them.
      await eventsOfLoadedReports(client);
      await labelLoadedRows(client);
      await createIndexes(client, this.indexes.filter(referencesEvents), onEach);
      for (const t of this.triggers) {
        const mode = { O: '', A: 'always ', R: 'replica ' }[t.enabled];
        await client.query(`alter table ${t.table} enable ${mode}trigger "${t.name}"`);
      }
      step('triggers');
      // Set-based, over every row in the tables (earlier runs included): refreshStatsRollup's
      // rebuild, in this transaction so that the commit publishes rows and statistics together.
      await rebuildStatsTables(async (statement) => (await client.query(statement)).rowCount ?? 0);
      step('statistics');
      await createIndexes(client, this.statsIndexes, () => step('statistics indexes'));
      for (const table of STATS_TABLES) await client.query(`analyze "${table}"`);
      step('analyze');
      const catalogAfter = await catalogFingerprint(client);
      if (catalogAfter !== this.catalogBefore) {
        throw new Error('the indexes, constraints or triggers differ after the load; rolled back');
      }
      await client.query('commit');
      this.open = false;
      step('commit');
    } catch (error) {
      await this.abort();
      throw error;
    }
    // After the commit: a failure here leaves a complete load without a visibility map yet.
    // Frozen tables are all-visible already except for the pages of rows updated above: VACUUM
    // skips the rest through the visibility map.
    for (const table of ALL_TABLES) {
      await client.query(`vacuum "${table}"`);
      step('vacuum');
    }
  }

  async abort(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.client.query('rollback');
  }

  private assertOpen(): void {
    if (!this.open) throw new Error('the bulk load has already ended');
  }

  /**
   * Changes to rows written by earlier batches, as the services make them: a case closed
   * DECEASED after a later fatal report (hold cleared, its open routing request cancelled). Each
   * row changes at most once, so one statement each.
   */
  private async applyUpdates(): Promise<void> {
    const times = (list: Array<[string, number]>) => list.map(([, t]) => new Date(t).toISOString());
    if (this.deceased.length > 0) {
      const ids = this.deceased.map(([id]) => id);
      const at = times(this.deceased);
      await this.client.query(
        `update overdose_case c
            set status = 'CLOSED', close_reason = 'DECEASED', closed_at = u.at, updated_at = u.at,
                hold_reason = null, resume_on = null, triage_reason = null, version = c.version + 1
           from unnest($1::uuid[], $2::timestamptz[]) as u(id, at)
          where c.id = u.id`,
        [ids, at],
      );
      await this.client.query(
        `update referral r set status = 'CANCELLED', responded_at = u.at, updated_at = u.at
           from unnest($1::uuid[], $2::timestamptz[]) as u(id, at)
          where r.case_id = u.id and r.type = 'FOLLOW_UP_OUTREACH' and r.status = 'REQUESTED'`,
        [ids, at],
      );
    }
  }
}

/**
 * The loaded tables' indexes, constraints (with their validation state), column nullability and
 * triggers (with their enabled state), as one text: equal before and after a load, or the load
 * changed the schema.
 */
export async function catalogFingerprint(client: ClientBase): Promise<string> {
  const { rows } = await client.query<{ line: string }>(
    `with t as (select c.oid from pg_class c
                 where c.relnamespace = current_schema()::regnamespace and c.relname = any($1))
     select line from (
       select format('index %s %s %s clustered=%s replident=%s comment=%s', i.indrelid::regclass,
                     ic.relname, pg_get_indexdef(i.indexrelid), i.indisclustered, i.indisreplident,
                     obj_description(i.indexrelid, 'pg_class')) as line
         from pg_index i join pg_class ic on ic.oid = i.indexrelid where i.indrelid in (select oid from t)
       union all
       select format('constraint %s %s %s validated=%s deferrable=%s comment=%s', con.conrelid::regclass,
                     con.conname, pg_get_constraintdef(con.oid), con.convalidated, con.condeferrable,
                     obj_description(con.oid, 'pg_constraint'))
         from pg_constraint con
        where con.conrelid in (select oid from t) or con.confrelid in (select oid from t)
       union all
       select format('column %s %s not null=%s', a.attrelid::regclass, a.attname, a.attnotnull)
         from pg_attribute a where a.attrelid in (select oid from t) and a.attnum > 0 and not a.attisdropped
       union all
       select format('trigger %s %s %s', tg.tgrelid::regclass, tg.tgname, tg.tgenabled)
         from pg_trigger tg where tg.tgrelid in (select oid from t) and not tg.tgisinternal
     ) x order by line`,
    [ALL_TABLES],
  );
  return rows.map((r) => r.line).join('\n');
}

/**
 * What the Part 2 label trigger does row by row, set-based (rules/part2-label.ts): the loaded rows
 * a Part 2 program's staff created get its label. The tables' keys are back by now.
 */
async function labelLoadedRows(client: ClientBase): Promise<void> {
  for (const table of PART2_LABELLED_TABLES) await client.query(labelUnlabelledSql(table));
}

/** A foreign key of a loaded table to the events, which exist only once the load wrote them. */
const referencesEvents = (d: IndexDefinition) =>
  d.kind === 'foreign-key' && /references\s+"?overdose_event"?\s*\(/i.test(d.definition);

/**
 * What the intake's own-event trigger does row by row, set-based: every loaded report that opens
 * its event (event_id = id; the generator makes no co-reports) gets its event row, with the
 * report's time, county, person and (encrypted, as stored) place. Before the incidents' foreign
 * keys to the events are rebuilt, so that they find them.
 */
async function eventsOfLoadedReports(client: ClientBase): Promise<void> {
  await client.query(
    `insert into overdose_event (id, created_at, updated_at, occurred_at, county, latitude,
                                 longitude, person_id, version)
     select i.id, i.created_at, i.created_at, i.occurred_at, i.county, i.latitude, i.longitude,
            i.person_id, 1
       from overdose_incident i
      where i.event_id = i.id
        and not exists (select 1 from overdose_event e where e.id = i.id)`,
  );
}
