/**
 * What erasure does to each table, from the data map: the order of the tables, and for tables that
 * are anonymised, the values to write and how to tell a row already anonymised (so a second run
 * finds nothing left). Pure, apart from building SQL.
 */
import type { DataMap, MappedTable } from '@custos/policies';
import { type FragmentSqlToken, type IdentifierSqlToken, sql } from 'slonik';

/**
 * The subject-linked tables to delete from or anonymise, in an order that keeps every row findable
 * until it is done: a table whose rows belong to the subject through another table (`via`) goes
 * before that table, whose erasure may cut the link (device_state before devices, whose patient
 * link erasure removes).
 */
export function erasureOrder(dataMap: DataMap): MappedTable[] {
  const tables = dataMap.subjectTables().filter((t) => t.erasure === 'delete' || t.erasure === 'anonymise');
  const ordered: MappedTable[] = [];
  const placed = new Set<string>();
  const visit = (table: MappedTable, path: Set<string>) => {
    if (placed.has(table.name)) return;
    if (path.has(table.name)) throw new Error(`data map: via links form a cycle at ${table.name}`);
    path.add(table.name);
    // Tables reaching this one through `via` must be erased first.
    for (const other of tables) {
      if (other.links.some((l) => 'via' in l && l.via.table === table.name)) visit(other, path);
    }
    path.delete(table.name);
    placed.add(table.name);
    ordered.push(table);
  };
  for (const table of tables) visit(table, new Set());
  return ordered;
}

/** The columns erasure overwrites, with the value each gets (`{id}` becomes the row's id). */
function anonymised(
  table: MappedTable,
  alias: string,
): Array<{ column: IdentifierSqlToken; name: string; value: FragmentSqlToken }> {
  return table.columns
    .filter((c) => c.anonymise !== undefined && !c.keptBecause)
    .map((c) => {
      const value = c.anonymise;
      let written: FragmentSqlToken;
      if (value === null || value === undefined) written = sql.fragment`NULL`;
      else if (typeof value === 'string') {
        written = value.includes('{id}')
          ? sql.fragment`replace(${value}::text, '{id}', ${sql.identifier([alias, 'id'])}::text)`
          : sql.fragment`${value}::text`;
      } else written = sql.fragment`${sql.jsonb(value)}`;
      return { column: sql.identifier([alias, c.name]), name: c.name, value: written };
    });
}

/** `SET a = …, b = …` (the target of an UPDATE takes bare column names). */
export function anonymiseSet(table: MappedTable, alias: string): FragmentSqlToken {
  const sets = anonymised(table, alias).map(
    ({ name, value }) => sql.fragment`${sql.identifier([name])} = ${value}`,
  );
  const has = (column: string) => table.columns.some((c) => c.name === column);
  // Bookkeeping the API shows: an anonymised row has a new version.
  if (has('version')) sets.push(sql.fragment`version = ${sql.identifier([alias, 'version'])} + 1`);
  if (has('updated_at')) sets.push(sql.fragment`updated_at = now()`);
  return sql.fragment`${sql.join(sets, sql.fragment`, `)}`;
}

/** True for a row some anonymised column of which still differs from what erasure writes. */
export function notYetAnonymised(table: MappedTable, alias: string): FragmentSqlToken {
  const columns = anonymised(table, alias);
  if (columns.length === 0) return sql.fragment`FALSE`;
  return sql.fragment`(${sql.join(
    columns.map(({ column, value }) => sql.fragment`${column} IS DISTINCT FROM ${value}`),
    sql.fragment` OR `,
  )})`;
}
