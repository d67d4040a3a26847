import type { ClientBase } from 'pg';

/**
 * An index or constraint of the bulk-loaded tables, as the catalog defines it. The seeder drops
 * these before the load and creates them again after it, in the same transaction: PostgreSQL
 * then builds each index once by sorting and checks each foreign key with one join, instead of
 * updating a dozen B-trees at random places and running a lookup per foreign key for every one
 * of ~15 million rows. Unique and primary keys are built (and so checked) again too: a duplicate
 * fails the rebuild and rolls the whole load back.
 */
export interface IndexDefinition {
  kind: 'index' | 'primary-or-unique' | 'foreign-key';
  table: string;
  name: string;
  /** `CREATE INDEX …` for an index, the constraint definition for a constraint. */
  definition: string;
  comment: string | null;
}

/**
 * Every index of the tables, every primary-key and unique constraint on them, and every foreign
 * key from or to them, in the order they can be created again (indexes, then keys, then the
 * foreign keys that need those keys).
 */
export async function indexDefinitions(
  client: ClientBase,
  tables: readonly string[],
): Promise<IndexDefinition[]> {
  const { rows } = await client.query<IndexDefinition>(
    `with t as (select c.oid from pg_class c
                 where c.relnamespace = current_schema()::regnamespace and c.relname = any($1))
     select kind, "table", name, definition, comment from (
       select case when con.contype = 'f' then 'foreign-key' else 'primary-or-unique' end as kind,
              con.conrelid::regclass::text as "table", con.conname::text as name,
              pg_get_constraintdef(con.oid) as definition,
              obj_description(con.oid, 'pg_constraint') as comment,
              case when con.contype = 'f' then 2 else 1 end as step
         from pg_constraint con
        where con.contype in ('p', 'u', 'f')
          and (con.conrelid in (select oid from t) or con.confrelid in (select oid from t))
       union all
       select 'index', i.indrelid::regclass::text, ic.relname::text, pg_get_indexdef(i.indexrelid),
              obj_description(i.indexrelid, 'pg_class'), 0
         from pg_index i join pg_class ic on ic.oid = i.indexrelid
        where i.indrelid in (select oid from t)
          and not exists (select 1 from pg_constraint con where con.conindid = i.indexrelid
                                                            and con.contype in ('p', 'u', 'x'))
     ) d
     order by step, "table", name`,
    [tables],
  );
  const unsupported = await client.query<{ name: string }>(
    `select con.conname::text as name from pg_constraint con
      where con.contype = 'x' and con.conrelid::regclass::text = any($1)`,
    [tables],
  );
  if (unsupported.rows.length > 0) {
    throw new Error(
      `the bulk load cannot defer exclusion constraints: ${unsupported.rows.map((r) => r.name).join(', ')}`,
    );
  }
  return rows;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Drops them (foreign keys first, then keys, then plain indexes). */
export async function dropIndexes(
  client: ClientBase,
  definitions: readonly IndexDefinition[],
): Promise<void> {
  for (const d of [...definitions].reverse()) {
    await client.query(
      d.kind === 'index'
        ? `drop index ${quote(d.name)}`
        : `alter table ${d.table} drop constraint ${quote(d.name)}`,
    );
  }
}

/** Creates them again, exactly as they were (the caller compares the catalog to make sure). */
export async function createIndexes(
  client: ClientBase,
  definitions: readonly IndexDefinition[],
  onEach: (definition: IndexDefinition) => void = () => {},
): Promise<void> {
  for (const d of definitions) {
    await client.query(
      d.kind === 'index'
        ? d.definition
        : `alter table ${d.table} add constraint ${quote(d.name)} ${d.definition}`,
    );
    if (d.comment !== null) {
      await client.query(
        d.kind === 'index'
          ? `comment on index ${quote(d.name)} is ${client.escapeLiteral(d.comment)}`
          : `comment on constraint ${quote(d.name)} on ${d.table} is ${client.escapeLiteral(d.comment)}`,
      );
    }
    onEach(d);
  }
}
