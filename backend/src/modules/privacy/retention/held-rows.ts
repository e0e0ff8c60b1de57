/**
 * Which rows legal holds keep. A hold in force keeps, in the tables whose categories it names (all
 * tables when it names none), every row of its tenant (scope tenant), of the devices now at its site
 * (site), of its device (device), or of its data subject (subject: the patient and the patient's
 * own account, or the account and the patient it is the subject of). Holds are read inside each
 * deleting transaction, after the holds lock (../holds/hold-lock.ts), so a hold placed during a run
 * protects its rows from the next batch on.
 */
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../../core/database/database.js';
import type { TableLink } from './table-links.js';

export interface ActiveHold {
  id: string;
  tenantId: string;
  /** Data-map categories; empty: all. */
  categories: string[];
  tenants: string[];
  devices: string[];
  patients: string[];
  users: string[];
}

const holdRow = z.object({
  id: z.uuid(),
  tenant_id: z.uuid(),
  categories: z.array(z.string()),
  tenants: z.array(z.uuid()),
  devices: z.array(z.uuid()),
  patients: z.array(z.uuid()),
  users: z.array(z.uuid()),
});

/** Holds in force (of one tenant, or all), with what each one reaches resolved to ids. */
export async function loadActiveHolds(db: Queryable, tenantId: string | null): Promise<ActiveHold[]> {
  const rows = await db.any(sql.type(holdRow)`
    SELECT h.id, h.tenant_id, h.categories,
      CASE WHEN h.scope = 'tenant' THEN ARRAY[h.tenant_id] ELSE '{}'::uuid[] END AS tenants,
      CASE h.scope
        WHEN 'device' THEN ARRAY[h.device_id]
        WHEN 'site' THEN ARRAY(SELECT d.id FROM devices d WHERE d.tenant_id = h.tenant_id AND d.site_id = h.site_id)
        ELSE '{}'::uuid[] END AS devices,
      CASE WHEN h.scope = 'subject' THEN array_remove(ARRAY[h.patient_id,
        (SELECT u.subject_patient_id FROM users u WHERE u.id = h.user_id AND u.tenant_id = h.tenant_id)], NULL)
        ELSE '{}'::uuid[] END AS patients,
      CASE WHEN h.scope = 'subject' THEN array_remove(ARRAY[h.user_id], NULL) || ARRAY(
        SELECT u.id FROM users u
        WHERE h.patient_id IS NOT NULL AND u.tenant_id = h.tenant_id AND u.subject_patient_id = h.patient_id)
        ELSE '{}'::uuid[] END AS users
    FROM legal_holds h
    WHERE h.released_at IS NULL ${tenantId === null ? sql.fragment`` : sql.fragment`AND h.tenant_id = ${tenantId}`}
    ORDER BY h.created_at, h.id`);
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    categories: r.categories,
    tenants: r.tenants,
    devices: r.devices,
    patients: r.patients,
    users: r.users,
  }));
}

/** The holds that keep data of these categories. */
export function holdsCovering(holds: readonly ActiveHold[], categories: ReadonlySet<string>): ActiveHold[] {
  return holds.filter(
    (hold) => hold.categories.length === 0 || hold.categories.some((c) => categories.has(c)),
  );
}

/** True for rows of the table that any of the holds keeps; FALSE when none can. */
export function heldPredicate(holds: readonly ActiveHold[], link: TableLink): FragmentSqlToken {
  const all = (pick: (hold: ActiveHold) => string[]) => [...new Set(holds.flatMap(pick))];
  const tenants = all((h) => h.tenants);
  const devices = all((h) => h.devices);
  const patients = all((h) => h.patients);
  const users = all((h) => h.users);
  const terms: FragmentSqlToken[] = [];
  if (link.tenant && tenants.length > 0)
    terms.push(sql.fragment`${link.tenant} = ANY(${sql.array(tenants, 'uuid')})`);
  if (link.device && devices.length > 0)
    terms.push(sql.fragment`${link.device} = ANY(${sql.array(devices, 'uuid')})`);
  if (patients.length > 0) {
    for (const patient of link.patients)
      terms.push(sql.fragment`${patient} = ANY(${sql.array(patients, 'uuid')})`);
  }
  if (users.length > 0) {
    for (const user of link.users) terms.push(sql.fragment`${user} = ANY(${sql.array(users, 'text')})`);
  }
  return terms.length === 0 ? sql.fragment`FALSE` : sql.fragment`(${sql.join(terms, sql.fragment` OR `)})`;
}

/** Whether any hold could keep a row of the table (so row-level checks are needed at all). */
export function anyHoldReaches(holds: readonly ActiveHold[], link: TableLink): boolean {
  return holds.some(
    (h) =>
      (link.tenant !== null && h.tenants.length > 0) ||
      (link.device !== null && h.devices.length > 0) ||
      (link.patients.length > 0 && h.patients.length > 0) ||
      (link.users.length > 0 && h.users.length > 0),
  );
}

/** Of the holds, those that keep at least one of the table's rows matching `where` (ids, in order). */
export async function holdsThatKeep(
  db: Queryable,
  link: TableLink,
  where: FragmentSqlToken,
  holds: readonly ActiveHold[],
): Promise<ActiveHold[]> {
  const keeping: ActiveHold[] = [];
  for (const hold of holds) {
    const predicate = heldPredicate([hold], link);
    const found = await db.oneFirst(sql.type(z.object({ found: z.boolean() }))`
      SELECT EXISTS (SELECT 1 FROM ${sql.identifier([link.table])} t WHERE ${where} AND ${predicate}) AS found`);
    if (found) keeping.push(hold);
  }
  return keeping;
}
