/**
 * Reads a subject's rows of one table in keyset-paginated batches, each batch already serialised by
 * PostgreSQL into one piece of text (JSON objects or CSV records): a million telemetry rows cross
 * into Node as a hundred strings instead of a million objects, and memory stays at one batch.
 */
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../../core/database/database.js';
import { afterCursor, keyAsCursor, keyOrder } from './table-catalog.js';

const batchRow = z.object({
  rows: z.number().int(),
  text: z.string().nullable(),
  last: z.array(z.string()).nullable(),
});

export interface RowSource {
  table: string;
  /** The subject's rows (alias `t`). */
  where: FragmentSqlToken;
  key: readonly string[];
}

/**
 * Batches of at most `size` rows in key order; `serialise` turns a row (alias `b`) into its text,
 * and a batch's rows are joined with `separator`.
 */
export async function* rowBatches(
  db: Queryable,
  source: RowSource,
  serialise: FragmentSqlToken,
  separator: string,
  size: number,
): AsyncGenerator<{ rows: number; text: string }> {
  let cursor: readonly string[] | null = null;
  for (;;) {
    const batch: z.infer<typeof batchRow> = await db.one(sql.type(batchRow)`
      WITH batch AS MATERIALIZED (
        SELECT * FROM ${sql.identifier([source.table])} t
        WHERE ${source.where} AND ${afterCursor(source.key, 't', cursor)}
        ORDER BY ${keyOrder(source.key, 't')}
        LIMIT ${size}
      )
      SELECT (SELECT count(*)::int FROM batch) AS rows,
             (SELECT string_agg(${serialise}, ${separator} ORDER BY ${keyOrder(source.key, 'b')}) FROM batch b) AS text,
             (SELECT ${keyAsCursor(source.key, 'b')} FROM batch b ORDER BY ${keyOrder(source.key, 'b', true)} LIMIT 1) AS last`);
    if (batch.rows === 0 || batch.text === null || batch.last === null) return;
    yield { rows: batch.rows, text: batch.text };
    if (batch.rows < size) return;
    cursor = batch.last;
  }
}

/** How many rows the subject has in the table. */
export async function countRows(db: Queryable, source: Pick<RowSource, 'table' | 'where'>): Promise<number> {
  return db.oneFirst(sql.type(z.object({ count: z.number().int() }))`
    SELECT count(*)::int AS count FROM ${sql.identifier([source.table])} t WHERE ${source.where}`);
}
