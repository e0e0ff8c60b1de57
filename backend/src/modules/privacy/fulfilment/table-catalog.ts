/**
 * What fulfilment reads from the PostgreSQL catalog, so that no table needs hand-written SQL: the
 * type of each column (a few tables keep a user reference as text, most as uuid), and how to walk a
 * table's rows in batches: its primary key, with the partition key first for a partitioned table
 * (telemetry: measured_at, device_id, seq), so that each batch reads a few partitions in order instead
 * of every partition. Cursors are the key's values as text: a timestamp keeps its microseconds, where
 * a JavaScript Date would round them away and a cursor could then repeat or skip rows.
 */
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../../core/database/database.js';

const keyRow = z.object({ key: z.array(z.string()), partition_key: z.array(z.string()) });
const typeRow = z.object({ column: z.string(), type: z.string() });
const keys = new Map<string, readonly string[]>();
let types: ReadonlyMap<string, string> | undefined;

/** `table.column` → the column's type name (`uuid`, `text`, `timestamptz`, …), read once per process. */
export async function columnTypes(db: Queryable): Promise<ReadonlyMap<string, string>> {
  if (types) return types;
  const rows = await db.any(sql.type(typeRow)`
    SELECT table_name || '.' || column_name AS column, udt_name AS type
    FROM information_schema.columns WHERE table_schema = 'public'`);
  types = new Map(rows.map((r) => [r.column, r.type]));
  return types;
}

/** The columns that order and page the table's rows (a unique key), partition key first. */
export async function tableKey(db: Queryable, table: string): Promise<readonly string[]> {
  const known = keys.get(table);
  if (known) return known;
  const row = await db.maybeOne(sql.type(keyRow)`
    SELECT
      ARRAY(SELECT a.attname::text FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = c.oid AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)) AS key,
      ARRAY(SELECT a.attname::text FROM pg_partitioned_table pt
            JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = ANY (pt.partattrs)
            WHERE pt.partrelid = c.oid
            ORDER BY array_position(pt.partattrs::int2[], a.attnum)) AS partition_key
    FROM pg_class c
    WHERE c.oid = to_regclass(${`public.${table}`})`);
  if (!row || row.key.length === 0) throw new Error(`table ${table} has no primary key to page by`);
  const key = [...row.partition_key, ...row.key.filter((column) => !row.partition_key.includes(column))];
  keys.set(table, key);
  return key;
}

/** `(t.k1, t.k2, …)`: the key of the row as a row value. */
export function keyTuple(key: readonly string[], alias: string): FragmentSqlToken {
  return sql.fragment`(${sql.join(
    key.map((column) => sql.identifier([alias, column])),
    sql.fragment`, `,
  )})`;
}

/** `ORDER BY t.k1, t.k2, …` (or DESC). */
export function keyOrder(key: readonly string[], alias: string, descending = false): FragmentSqlToken {
  const direction = descending ? sql.fragment` DESC` : sql.fragment``;
  return sql.fragment`${sql.join(
    key.map((column) => sql.fragment`${sql.identifier([alias, column])}${direction}`),
    sql.fragment`, `,
  )}`;
}

/**
 * Rows after the cursor (or all, without one). The cursor's text values take each column's type from
 * the row comparison, so no type has to be named here.
 */
export function afterCursor(
  key: readonly string[],
  alias: string,
  cursor: readonly string[] | null,
): FragmentSqlToken {
  if (!cursor) return sql.fragment`TRUE`;
  return sql.fragment`${keyTuple(key, alias)} > (${sql.join(
    cursor.map((value) => sql.fragment`${value}`),
    sql.fragment`, `,
  )})`;
}

/** `ARRAY[t.k1::text, …]`: the row's key as a cursor. */
export function keyAsCursor(key: readonly string[], alias: string): FragmentSqlToken {
  return sql.fragment`ARRAY[${sql.join(
    key.map((column) => sql.fragment`${sql.identifier([alias, column])}::text`),
    sql.fragment`, `,
  )}]`;
}
