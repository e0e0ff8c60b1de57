/**
 * Translates a policy Condition (from @custos/policies' accessCondition) into a slonik WHERE
 * fragment, so a list query fetches exactly the rows `ability.can` would allow, never more.
 *
 * SQL's three-valued logic is the trap: `NOT (site_id = $1)` is NULL, not TRUE, when site_id is
 * NULL, whereas CASL in memory says "not equal" is true. So every predicate is either TRUE or
 * FALSE/NULL-meaning-false, and every negation is written `(...) IS NOT TRUE`, which is the
 * in-memory answer in every case. Values are always bound parameters; names go through
 * sql.identifier.
 */
import type { Condition } from '@custos/policies';
import { type FragmentSqlToken, sql } from 'slonik';

export type ColumnType = 'uuid' | 'text' | 'int4' | 'bool';

/**
 * API field name → table column, e.g. siteId → { column: 'd.site_id', type: 'uuid' }, or → an SQL
 * expression over the row for a derived field (e.g. whether the device's patient restricted
 * processing; see processing-flags.ts). Expressions are written in code, never built from input.
 */
export interface ColumnMap {
  [field: string]: { column: string; type: ColumnType } | { expression: FragmentSqlToken; type: ColumnType };
}

// PostgreSQL prints uuids in this form, and CASL compares strings exactly. Any other spelling
// (upper case, braces, not a uuid at all) equals no uuid column in memory, and would either match
// case-insensitively or raise "invalid input syntax for type uuid" in SQL: so it is treated as a
// value no row holds.
const canonicalUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Scalar = string | number | boolean;

/** Whether a column of this type can hold the value; a wrong JS type is a programming error. */
function comparable(field: string, type: ColumnType, value: Scalar): boolean {
  const expected = { uuid: 'string', text: 'string', int4: 'number', bool: 'boolean' }[type];
  if (typeof value !== expected || (type === 'int4' && !Number.isInteger(value))) {
    throw new Error(`Condition on "${field}" compares a ${type} column with ${JSON.stringify(value)}`);
  }
  return type !== 'uuid' || canonicalUuid.test(value as string);
}

function column(field: string, columns: ColumnMap) {
  const mapped = Object.hasOwn(columns, field) ? columns[field] : undefined;
  if (!mapped) throw new Error(`No column is mapped for field "${field}"`);
  if ('expression' in mapped) return { type: mapped.type, identifier: sql.fragment`(${mapped.expression})` };
  return { type: mapped.type, identifier: sql.identifier(mapped.column.split('.')) };
}

const TRUE = sql.fragment`TRUE`;
const FALSE = sql.fragment`FALSE`;

/** `column = ANY($values)`, or FALSE for an empty list (which ANY would also give, less plainly). */
function anyOf(field: string, values: (string | number)[], columns: ColumnMap): FragmentSqlToken {
  const { identifier, type } = column(field, columns);
  const usable = values.filter((value) => comparable(field, type, value));
  if (usable.length === 0) return FALSE;
  return sql.fragment`${identifier} = ANY(${sql.array(usable, type)})`;
}

/** A WHERE fragment true exactly for the rows the condition accepts in memory. */
export function conditionToSql(condition: Condition, columns: ColumnMap): FragmentSqlToken {
  switch (condition.kind) {
    case 'true':
      return TRUE;
    case 'false':
      return FALSE;
    case 'and':
    case 'or': {
      if (condition.items.length === 0) return condition.kind === 'and' ? TRUE : FALSE;
      const glue = condition.kind === 'and' ? sql.fragment` AND ` : sql.fragment` OR `;
      return sql.fragment`(${sql.join(
        condition.items.map((item) => conditionToSql(item, columns)),
        glue,
      )})`;
    }
    case 'not':
      return sql.fragment`(${conditionToSql(condition.item, columns)}) IS NOT TRUE`;
    case 'eq':
    case 'ne': {
      const { identifier, type } = column(condition.field, columns);
      const { value } = condition;
      if (value === null) {
        return condition.kind === 'eq'
          ? sql.fragment`${identifier} IS NULL`
          : sql.fragment`${identifier} IS NOT NULL`;
      }
      // A value no row can hold: equality is never true, inequality always is (NULL rows included).
      if (!comparable(condition.field, type, value)) return condition.kind === 'eq' ? FALSE : TRUE;
      return condition.kind === 'eq'
        ? sql.fragment`${identifier} = ${value}`
        : sql.fragment`${identifier} IS DISTINCT FROM ${value}`;
    }
    case 'in':
      return anyOf(condition.field, condition.values, columns);
    case 'nin': {
      // `NOT (col = ANY(..))` is NULL for a NULL column; in memory a NULL is "not in" the list.
      const inList = anyOf(condition.field, condition.values, columns);
      return inList === FALSE ? TRUE : sql.fragment`(${inList}) IS NOT TRUE`;
    }
  }
}
