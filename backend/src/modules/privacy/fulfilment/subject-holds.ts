/**
 * Legal holds that keep a subject's rows from erasure (GDPR art. 17(3)(e): legal claims). A hold is
 * active until released and covers the categories it names (none named: all). It reaches a row by
 * its scope: the whole tenant, the subject themselves, a site (the rows of its devices) or a device
 * (the device and the rows that came from it). Rows of tables that name no device are reached only
 * by tenant and subject holds.
 */
import type { MappedTable } from '@custos/policies';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../../core/database/database.js';
import type { Subject } from './subject.js';

export const holdRow = z.object({
  id: z.string(),
  scope: z.enum(['tenant', 'site', 'device', 'subject']),
  site_id: z.string().nullable(),
  device_id: z.string().nullable(),
  categories: z.array(z.string()),
});
export type ActiveHold = z.infer<typeof holdRow>;

/** What the requester is told about rows a hold keeps (never the hold's own reason, which is the legal team's). */
export const HOLD_REASON =
  'Kept under a legal hold: needed for legal claims (GDPR art. 17(3)(e)) until the hold is released.';

/** The tenant's active holds that can reach the subject's data (subject holds on other people left out). */
export async function activeHolds(db: Queryable, subject: Subject): Promise<ActiveHold[]> {
  const rows = await db.any(sql.type(holdRow)`
    SELECT h.id, h.scope, h.site_id, h.device_id, h.categories FROM legal_holds h
    WHERE h.tenant_id = ${subject.tenantId} AND h.released_at IS NULL
      AND (h.scope <> 'subject'
           OR h.patient_id = ANY(${sql.array(subject.patientIds, 'uuid')})
           OR h.user_id = ANY(${sql.array(subject.userIds, 'uuid')}))
    ORDER BY h.created_at, h.id`);
  return [...rows];
}

/** The holds whose categories cover data of the table. */
export function holdsOn(table: MappedTable, holds: readonly ActiveHold[]): ActiveHold[] {
  const categories = new Set(table.columns.map((c) => c.category));
  return holds.filter((h) => h.categories.length === 0 || h.categories.some((c) => categories.has(c)));
}

/** The rows of `table` (alias `alias`) the hold keeps; FALSE when its scope cannot reach the table. */
export function heldBy(
  hold: ActiveHold,
  table: MappedTable,
  tenantId: string,
  alias = 't',
): FragmentSqlToken {
  const has = (column: string) => table.columns.some((c) => c.name === column);
  const column = (name: string) => sql.identifier([alias, name]);
  switch (hold.scope) {
    case 'tenant':
    case 'subject':
      return sql.fragment`TRUE`;
    case 'device':
      if (table.name === 'devices') return sql.fragment`${column('id')} = ${hold.device_id}`;
      return has('device_id')
        ? sql.fragment`${column('device_id')} = ${hold.device_id}`
        : sql.fragment`FALSE`;
    case 'site':
      if (table.name === 'devices') return sql.fragment`${column('site_id')} = ${hold.site_id}`;
      return has('device_id')
        ? sql.fragment`${column('device_id')} IN (
            SELECT hd.id FROM devices hd WHERE hd.tenant_id = ${tenantId} AND hd.site_id = ${hold.site_id})`
        : sql.fragment`FALSE`;
  }
}

/** Rows any of the holds keeps. */
export function heldWhere(
  holds: readonly ActiveHold[],
  table: MappedTable,
  tenantId: string,
  alias = 't',
): FragmentSqlToken {
  if (holds.length === 0) return sql.fragment`FALSE`;
  return sql.fragment`(${sql.join(
    holds.map((hold) => heldBy(hold, table, tenantId, alias)),
    sql.fragment` OR `,
  )})`;
}
