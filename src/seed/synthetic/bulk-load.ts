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
import { EVENT_COLUMNS, EVENT_TABLE, eventCopyText } from './events';
import { FACT_ROWS_SQL, factRowsMatchView } from './fact-rows';
import type { Updates } from './generate';
import type { IdentityEncryptor } from './identity-encryption';
import type { Column } from './bulk-insert';
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
 * The intake's trigger that gives a report opening its event the event row; replaced here by the
 * load writing each batch's events with COPY, next to their reports (events.ts).
 */
const OWN_EVENT_TRIGGER = 'overdose_incident_own_event';

/** The tables those triggers write: indexes dropped during the load, rebuilt after the rebuild. */
export const STATS_TABLES = ['stats_record_key', 'stats_fact', 'stats_rollup'] as const;

/** Every table the load writes: the generated ones and the events derived from the reports. */
const LOADED_TABLES: readonly string[] = [...INSERT_ORDER, EVENT_TABLE];

/** Every table the load writes or rebuilds, for the indexes and the catalog comparison. */
const ALL_TABLES: readonly string[] = [...LOADED_TABLES, ...STATS_TABLES];

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
  /** Milliseconds of each single index, key or statement that took SLOW_STEP_MS or more. */
  slowSteps: Record<string, number>;
  /** What the operator should know (printed at the end). */
  warnings: string[];
}

/** A finishing step this long is reported on its own (where the time goes). */
const SLOW_STEP_MS = 2_000;

/**
 * The whole synthetic load as ONE transaction on one connection: a failed or interrupted run
 * leaves the database as it was, with every index and constraint in place.
 *
 * - begin(): drops the indexes and keys of the loaded tables (deferred-indexes.ts), switches
 *   the stats rollup's row triggers off, and truncates the tables that are empty (COPY FREEZE);
 * - write(): each batch's rows with `COPY … FROM STDIN`, table by table in foreign-key order;
 *   changes to rows of earlier batches (a case closed when a later report is fatal, a person's
 *   "don't contact me") are collected;
 * - finish(): ANALYZEs, builds the indexes and keys again (checking every unique and foreign
 *   key), then applies those changes in two set-based statements, switches the triggers back on,
 *   rebuilds the rollup from the rows in SQL and commits; then VACUUM, which sets the visibility
 *   map that index-only counts need (it cannot run in a transaction).
 *
 * The tables are locked (ACCESS EXCLUSIVE) from begin() to the commit: a hub reading the same
 * database waits for the load. The catalog is compared before the commit and the load refuses
 * to commit if any index, constraint or trigger differs from what it found.
 */
export class BulkLoad {
  readonly totals: LoadTotals = {
    rows: {},
    writeMs: {},
    finishMs: {},
    slowSteps: {},
    warnings: [],
  };
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
    readonly frozen: ReadonlySet<string>,
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
      // The statistics rebuild hashes a million groups per aggregate: in memory, not in batches.
      await client.query(`set local work_mem = '128MB'`);
      // The statements' high costs would have the planner compile them (measured: 10 s of JIT
      // for the fact rows, more than the statement itself on 100,000 incidents).
      await client.query('set local jit = off');
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
      const frozen = new Set<string>();
      for (const table of LOADED_TABLES) {
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
        const pending = encrypted.get(table);
        const text = pending ? await pending : copyText(TABLES[table], batch[table]);
        await this.copy(table, TABLES[table], text, t0);
        // The reports' events, from the reports' lines as copied (their place encrypted).
        if (table === 'overdose_incident') {
          await this.copy(EVENT_TABLE, EVENT_COLUMNS, eventCopyText(text), performance.now());
        }
      }
      this.deceased.push(...updates.deceased);
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  private async copy(
    table: string,
    columns: readonly Column[],
    text: string,
    t0: number,
  ): Promise<void> {
    const n = await copyIn(this.client, table, columns, text, this.frozen.has(table));
    this.totals.rows[table] = (this.totals.rows[table] ?? 0) + n;
    this.totals.writeMs[table] = (this.totals.writeMs[table] ?? 0) + performance.now() - t0;
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
    const step = (name: string, what = name) => {
      const now = performance.now();
      this.totals.finishMs[name] = (this.totals.finishMs[name] ?? 0) + now - stepStart;
      if (now - stepStart >= SLOW_STEP_MS) this.totals.slowSteps[what] = now - stepStart;
      stepStart = now;
      done += 1;
      onProgress({ step: name, done, total });
    };
    const client = this.client;
    try {
      // Freshly loaded tables have no statistics yet; the index builds do not need them, the
      // foreign-key checks (joins over millions of rows) do.
      for (const table of LOADED_TABLES) await client.query(`analyze "${table}"`);
      step('analyze');
      await createIndexes(client, this.indexes, (d) =>
        step(d.kind === 'foreign-key' ? 'foreign keys' : 'indexes', d.name),
      );
      // After the index builds, not before: an index built on a table with HOT-updated rows is
      // marked indcheckxmin, and PostgreSQL will not use it in the transaction that built it.
      // Every per-row lookup of the rest of the load (the Part 2 labels' subqueries on
      // overdose_case) then scanned the whole table: 967 s of 1,125 on 100,000 incidents.
      await this.applyUpdates();
      step('updates');
      // What the Part 2 label trigger would have done, now that the labelled tables' keys are back.
      await labelLoadedRows(client);
      for (const t of this.triggers) {
        const mode = { O: '', A: 'always ', R: 'replica ' }[t.enabled];
        await client.query(`alter table ${t.table} enable ${mode}trigger "${t.name}"`);
      }
      step('triggers');
      // Set-based, over every row in the tables (earlier runs included): refreshStatsRollup's
      // rebuild, in this transaction so that the commit publishes rows and statistics together.
      // The fact rows set-based (fact-rows.ts) instead of through the view's per-unit lookups.
      const timed = async (statement: string) => {
        const t0 = performance.now();
        const { rowCount } = await client.query(statement);
        const ms = performance.now() - t0;
        if (ms >= SLOW_STEP_MS)
          this.totals.slowSteps[statement.replace(/\s+/g, ' ').trim().slice(0, 50)] = ms;
        return rowCount ?? 0;
      };
      // The planner takes `id = event_id` for 0.5 % of the reports (no statistics on a comparison
      // of two columns) and would look up a million cases and people one by one.
      await client.query('set local enable_nestloop = off');
      await rebuildStatsTables(timed, FACT_ROWS_SQL);
      await client.query('set local enable_nestloop = on');
      if (!(await factRowsMatchView(client))) {
        // A migration changed the view and not fact-rows.ts: right figures first, speed second.
        this.totals.warnings.push(
          'the set-based fact rows differ from the view stats_fact_source: rebuilt through the ' +
            'view instead (slower); bring src/seed/synthetic/fact-rows.ts up to date',
        );
        await timed('delete from stats_fact');
        await timed('insert into stats_fact select * from stats_fact_source');
      }
      step('statistics');
      await createIndexes(client, this.statsIndexes, (d) => step('statistics indexes', d.name));
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
      step('vacuum', `vacuum ${table}`);
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
