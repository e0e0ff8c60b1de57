/**
 * Keyset pagination SQL shared by every list endpoint. Each row carries `cursor_key`, the sort
 * column as text at full precision (a JavaScript Date would drop microseconds and skip rows).
 */
import { type FragmentSqlToken, sql } from 'slonik';
import { type Cursor, encodeCursor, type Page } from '../http/pagination.js';

export interface KeysetOptions {
  /** Qualified sort column, e.g. ['d', 'serial_number']. */
  sortColumn: readonly [string, string];
  /** PostgreSQL type of the sort column, for casting the cursor key back. */
  sortType: 'text' | 'timestamptz';
  idColumn: readonly [string, string];
  order: 'asc' | 'desc';
  cursor: Cursor | undefined;
  limit: number;
}

export function keysetClauses(options: KeysetOptions): {
  after: FragmentSqlToken;
  orderBy: FragmentSqlToken;
  limit: FragmentSqlToken;
  cursorKey: FragmentSqlToken;
} {
  const sort = sql.identifier([...options.sortColumn]);
  const id = sql.identifier([...options.idColumn]);
  const direction = options.order === 'asc' ? sql.fragment`ASC` : sql.fragment`DESC`;
  const comparison = options.order === 'asc' ? sql.fragment`>` : sql.fragment`<`;
  const cast = options.sortType === 'text' ? sql.fragment`text` : sql.fragment`timestamptz`;
  const after = options.cursor
    ? sql.fragment`(${sort}, ${id}) ${comparison} (${options.cursor.key}::${cast}, ${options.cursor.id}::uuid)`
    : sql.fragment`TRUE`;
  return {
    after,
    orderBy: sql.fragment`ORDER BY ${sort} ${direction}, ${id} ${direction}`,
    limit: sql.fragment`LIMIT ${options.limit + 1}`,
    cursorKey: sql.fragment`${sort}::text AS cursor_key`,
  };
}

/** Turns the limit+1 rows fetched into a page and the cursor for the next one. */
export function toPage<Row extends { id: string; cursor_key: string }, Item>(
  rows: readonly Row[],
  limit: number,
  sort: string,
  map: (row: Row) => Item,
): Page<Item> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(map),
    nextCursor:
      rows.length > limit && last ? encodeCursor({ sort, key: last.cursor_key, id: last.id }) : null,
  };
}
