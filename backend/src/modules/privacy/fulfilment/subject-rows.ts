/**
 * A subject's rows in any table, found through the data map (policies/privacy/data-map.yaml): a
 * column that names the patient or the account, several such columns, or a column naming a row of
 * another table that names them (`via`). All SQL here is built from the map with `sql.identifier` for
 * names and bound values for everything else. The audit trail's pseudonym links are not here: the
 * trail is read (audit-trail-export.ts) and erased (crypto-shredding) on its own terms.
 */
import type { DataMap, MappedColumn, MappedTable } from '@custos/policies';
import { type FragmentSqlToken, type IdentifierSqlToken, sql } from 'slonik';
import type { Subject } from './subject.js';

/**
 * `column = id` (or `= ANY(ids)`), comparing as uuid where the column is one (its index stays usable)
 * and as text where a table keeps the reference as text. One id, the usual case, is a plain equality:
 * only then can an index on (patient_id, measured_at, …) return rows in order, which keeps each batch
 * of a million-row export an index range scan instead of a sort of everything after the cursor.
 */
function isOneOf(
  column: IdentifierSqlToken,
  type: string | undefined,
  values: readonly string[],
): FragmentSqlToken {
  const [only] = values;
  if (values.length === 1 && only !== undefined) {
    return type === 'uuid'
      ? sql.fragment`${column} = ${only}::uuid`
      : sql.fragment`${column}::text = ${only}`;
  }
  return type === 'uuid'
    ? sql.fragment`${column} = ANY(${sql.array([...values], 'uuid')})`
    : sql.fragment`${column}::text = ANY(${sql.array([...values], 'text')})`;
}

/**
 * `WHERE` for the subject's rows of `table` (alias `alias`), or null when the table cannot link to
 * this subject (no link of a kind the subject has). Rows of another tenant never match. `types` are
 * the columns' types (table-catalog.ts).
 */
export function subjectWhere(
  table: MappedTable,
  subject: Subject,
  types: ReadonlyMap<string, string>,
  alias = 't',
): FragmentSqlToken | null {
  const column = (name: string) => sql.identifier([alias, name]);
  const matches: FragmentSqlToken[] = [];
  for (const link of table.links) {
    if (link.kind === 'pseudonym') continue;
    const values = link.kind === 'patient' ? subject.patientIds : subject.userIds;
    if (values.length === 0) continue;
    if ('via' in link) {
      // The data map's `via`: the row's `on` column is the id of a row of `via.table` naming the subject.
      const { table: through, on, column: named } = link.via;
      matches.push(sql.fragment`${column(on)} IN (
        SELECT v.id FROM ${sql.identifier([through])} v
        WHERE ${isOneOf(sql.identifier(['v', named]), types.get(`${through}.${named}`), values)})`);
    } else {
      matches.push(isOneOf(column(link.column), types.get(`${table.name}.${link.column}`), values));
    }
  }
  if (matches.length === 0) return null;
  const tenant = table.columns.some((c) => c.name === 'tenant_id')
    ? sql.fragment` AND ${column('tenant_id')} = ${subject.tenantId}`
    : sql.fragment``;
  return sql.fragment`((${sql.join(matches, sql.fragment` OR `)})${tenant})`;
}

/**
 * The columns a copy of the subject's data holds: their personal data, and what identifies each row
 * (ids, timestamps). Never security material (hashes, keys, tokens) nor other operational detail.
 */
export function exportedColumns(table: MappedTable): MappedColumn[] {
  return table.columns.filter((c) => c.personal || c.category === 'system.identifier');
}

/** Subject-linked tables an access (all exported ones) or portability request (provided or observed data) covers. */
export function tablesFor(dataMap: DataMap, type: 'access' | 'portability'): MappedTable[] {
  return rowTables(dataMap)
    .filter((table) => table.exported)
    .filter((table) => type === 'access' || table.origin === 'provided' || table.origin === 'observed');
}

/** Subject-linked tables the data map leaves out of a copy (`export: false`): the officer is told of their rows. */
export function tablesLeftOut(dataMap: DataMap): MappedTable[] {
  return rowTables(dataMap).filter((table) => !table.exported);
}

/** Tables whose rows link to a subject by column (the audit trail's pseudonyms are read on their own). */
function rowTables(dataMap: DataMap): MappedTable[] {
  return dataMap.subjectTables().filter((table) => table.links.some((link) => link.kind !== 'pseudonym'));
}

/**
 * One JSON object per row, `{"column":value,…}` in the data map's column order, written by
 * PostgreSQL from each column's type (`types`, from table-catalog.ts): numbers and booleans as they
 * are, timestamps in ISO 8601, text escaped, jsonb as stored. Three times cheaper than
 * json_build_object over a million rows, for the same JSON.
 */
export function rowJson(
  table: MappedTable,
  columns: readonly MappedColumn[],
  types: ReadonlyMap<string, string>,
  alias: string,
): FragmentSqlToken {
  const members = columns.map((c, i) => {
    // Column names are lower-case identifiers: they need no escaping inside a JSON string.
    const name = `${i === 0 ? '{' : ','}"${c.name}":`;
    return sql.fragment`${name}::text || ${jsonField(sql.identifier([alias, c.name]), types.get(`${table.name}.${c.name}`) ?? 'unknown')}`;
  });
  return sql.fragment`(${sql.join(members, sql.fragment` || `)} || '}')`;
}

/** One JSON value of a value of type `type` (NULL as null). */
export function jsonField(value: FragmentSqlToken | IdentifierSqlToken, type: string): FragmentSqlToken {
  if (type === 'uuid') return sql.fragment`coalesce('"' || ${value}::text || '"', 'null')`;
  if (bare.has(type)) return sql.fragment`coalesce(${value}::text, 'null')`;
  if (type === 'jsonb' || type === 'json') return sql.fragment`coalesce(${value}::text, 'null')`;
  return sql.fragment`coalesce(to_jsonb(${value})::text, 'null')`;
}

/**
 * One CSV record per row (RFC 4180), written by PostgreSQL as the JSON file writes the values
 * (timestamps in ISO 8601, objects and arrays as JSON text); NULL is an empty field. How a value is
 * written depends on its column's type (`types`, from table-catalog.ts), so a million rows cost little
 * more than reading them: see csvField.
 */
export function rowCsv(
  table: MappedTable,
  columns: readonly MappedColumn[],
  types: ReadonlyMap<string, string>,
  alias: string,
): FragmentSqlToken {
  return sql.fragment`${sql.join(
    columns.map((c) =>
      csvField(sql.identifier([alias, c.name]), types.get(`${table.name}.${c.name}`) ?? 'unknown'),
    ),
    sql.fragment` || ',' || `,
  )}`;
}

/** Numbers, uuids and booleans: never a comma, quote or line break, and a leading minus is a number. */
const bare = new Set(['uuid', 'int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'bool', 'oid']);
const times = new Set(['timestamptz', 'timestamp', 'date']);
const texts = new Set(['text', 'varchar', 'bpchar', 'name', 'citext']);
/** What a spreadsheet runs as a formula (OWASP: CSV injection). */
const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r'];

/**
 * One CSV field of a value of type `type` (exported for the tests of the quoting rules). Text is
 * quoted (quotes doubled) and, when it starts like a formula (= + - @, tab, carriage return), gets a
 * leading apostrophe so that a spreadsheet shows it instead of running it. Anything else structured is
 * written as JSON text, quoted; JSON text never starts like a formula.
 */
export function csvField(value: FragmentSqlToken | IdentifierSqlToken, type: string): FragmentSqlToken {
  if (bare.has(type)) return sql.fragment`coalesce(${value}::text, '')`;
  if (times.has(type)) return sql.fragment`coalesce(to_jsonb(${value}) #>> '{}', '')`;
  if (texts.has(type)) {
    return sql.fragment`(CASE WHEN ${value} IS NULL THEN '' ELSE '"' || replace(
      CASE WHEN left(${value}, 1) = ANY(${sql.array(FORMULA_STARTS, 'text')}) THEN '''' || ${value} ELSE ${value} END,
      '"', '""') || '"' END)`;
  }
  return sql.fragment`(CASE WHEN ${value} IS NULL THEN '' ELSE '"' || replace(to_jsonb(${value})::text, '"', '""') || '"' END)`;
}

/** The header record: the column names (lower-case identifiers, which need no quoting). */
export function csvHeader(columns: readonly MappedColumn[]): string {
  return `${columns.map((c) => c.name).join(',')}\r\n`;
}
