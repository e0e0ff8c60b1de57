/**
 * How a row of a table belongs to a tenant, a device and a data subject, read from the data map
 * (policies/privacy/data-map.yaml) as SQL expressions over the row (alias `t`). Retention uses them
 * to scope a run to one tenant and to find the rows a legal hold keeps; nothing here is written
 * per table by hand, so a table added to the data map and a schedule is covered as declared.
 */
import type { DataMap, MappedTable } from '@custos/policies';
import { type FragmentSqlToken, sql } from 'slonik';

export interface TableLink {
  table: string;
  columns: ReadonlySet<string>;
  /** The data-map categories of the table's columns: what a hold naming categories must name to keep it. */
  categories: ReadonlySet<string>;
  /** The row's tenant (uuid), or null when the table's rows belong to no tenant. */
  tenant: FragmentSqlToken | null;
  /** The device the row came from or concerns (uuid). */
  device: FragmentSqlToken | null;
  /** The patients the row belongs to (uuid expressions). */
  patients: FragmentSqlToken[];
  /** The accounts the row belongs to, as text (some tables keep a user reference as text). */
  users: FragmentSqlToken[];
}

const col = (name: string): FragmentSqlToken => sql.fragment`${sql.identifier(['t', name])}`;

/** A column of the row another table's row `v` names, through the row's `on` column. */
const through = (table: string, on: string, column: string) =>
  sql.fragment`(SELECT ${sql.identifier(['v', column])} FROM ${sql.identifier([table])} v
                WHERE v.id = ${col(on)})`;

export function tableLink(dataMap: DataMap, name: string): TableLink {
  const table = dataMap.tables.get(name);
  if (!table) throw new Error(`retention: table ${name} is not in the data map`);
  const columns = new Set(table.columns.map((c) => c.name));
  const link: TableLink = {
    table: name,
    columns,
    categories: new Set(table.columns.map((c) => c.category)),
    tenant: columns.has('tenant_id') ? col('tenant_id') : null,
    device: columns.has('device_id') ? col('device_id') : null,
    patients: [],
    users: [],
  };
  for (const subject of table.links) {
    if ('via' in subject) {
      addVia(dataMap, link, subject.via);
    } else if (subject.kind === 'patient') {
      link.patients.push(col(subject.column));
    } else if (subject.kind === 'user') {
      link.users.push(sql.fragment`${col(subject.column)}::text`);
    }
  }
  return link;
}

/**
 * A row that belongs to a subject through another table's row (a request's one-time codes): it
 * belongs to whoever that row belongs to, and to its tenant.
 */
function addVia(dataMap: DataMap, link: TableLink, via: { table: string; on: string; column: string }): void {
  const target = dataMap.tables.get(via.table) as MappedTable;
  const targetColumns = new Set(target.columns.map((c) => c.name));
  if (!link.tenant && targetColumns.has('tenant_id')) link.tenant = through(via.table, via.on, 'tenant_id');
  for (const subject of target.links) {
    if ('via' in subject || subject.kind === 'pseudonym') continue;
    const value = through(via.table, via.on, subject.column);
    if (subject.kind === 'patient') link.patients.push(value);
    else link.users.push(sql.fragment`${value}::text`);
  }
}
