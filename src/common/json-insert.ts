import { Utils, wrap, type EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/** A row to insert, keyed by entity property names (relations as ids or references). */
export type PlainRow = Record<string, unknown>;

/**
 * A multi-row INSERT of plain rows in the caller's transaction, sent as ONE jsonb parameter that
 * PostgreSQL expands with `jsonb_to_recordset`. Column names and types come from the entity's
 * metadata and custom types (identity encryption) are applied, as `em.insertMany` does; but where
 * insertMany writes every value inline into the SQL text (which Node builds and PostgreSQL parses
 * value by value), this statement's text stays short and constant. For set-based writes of
 * hundreds of rows (batch intake). A key missing from a row is NULL; nothing is returned.
 */
export async function insertJsonRows(
  em: EntityManager,
  entity: EntityName<object>,
  rows: PlainRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const meta = em.getMetadata().get(Utils.className(entity));
  const platform = em.getPlatform();
  const names = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const columns = names.map((name) => {
    const prop = meta.properties[name as keyof typeof meta.properties];
    if (!prop?.fieldNames || prop.fieldNames.length !== 1 || !prop.columnTypes?.[0]) {
      throw new Error(`insertJsonRows: ${meta.className}.${name} is not one column`);
    }
    // Arrays stay JSON arrays (jsonb_to_recordset makes them PostgreSQL arrays); other custom
    // types (EncryptedText) convert as they would for any insert.
    const customType = prop.array ? undefined : prop.customType;
    return { name, field: prop.fieldNames[0], type: prop.columnTypes[0], customType };
  });
  const records = rows.map((row) => {
    const record: PlainRow = {};
    for (const { name, field, customType } of columns) {
      let value = row[name];
      if (value === undefined) continue;
      if (Utils.isEntity(value)) value = wrap(value, true).getPrimaryKey();
      else if (value !== null && customType)
        value = customType.convertToDatabaseValue(value, platform);
      record[field] = value;
    }
    return record;
  });
  const list = columns.map((c) => `"${c.field}"`).join(', ');
  const definition = columns.map((c) => `"${c.field}" ${c.type}`).join(', ');
  const sql = `insert into "${meta.tableName}" (${list})
     select ${list} from jsonb_to_recordset(?::jsonb) as r(${definition})`;
  try {
    await em
      .getConnection()
      .execute(sql, [JSON.stringify(records)], 'run', em.getTransactionContext());
  } catch (error) {
    // As MikroORM's own writes do: a unique violation surfaces as UniqueConstraintViolation, so
    // callers that retry lost races recognise it.
    throw em.getDriver().convertException(error as Error);
  }
}
