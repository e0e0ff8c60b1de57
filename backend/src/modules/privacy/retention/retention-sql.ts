/**
 * SQL pieces shared by the retention steps: which rows a schedule covers, which of them expired
 * (per tenant where tenants chose their own period), which belong to the run's tenant, and the
 * transaction and lock every deleting step runs under. Every value is a bound parameter.
 */
import type { RetentionSchedule } from '@custos/policies';
import { type DatabaseTransactionConnection, type FragmentSqlToken, sql } from 'slonik';
import type { Database, Queryable } from '../../../core/database/database.js';
import type { RunScope, SchedulePlan } from './retention-plan.js';
import type { TableLink } from './table-links.js';

/**
 * Retention runs in the background on big tables: a count over a day of telemetry may take longer
 * than the API's per-statement limit, which is made for requests. Local to each transaction.
 */
const STATEMENT_TIMEOUT = '10min';

/** The seed of the partition locks in telemetry_ensure_partition / telemetry_drop_partition. */
const LOCK_SEED = '4201871115';

export const TRUE = sql.fragment`TRUE`;

export const column = (name: string): FragmentSqlToken => sql.fragment`${sql.identifier(['t', name])}`;

/** The rows of the table the schedule applies to (`rows` in retention.yaml). */
export function scheduleRows(schedule: RetentionSchedule): FragmentSqlToken {
  if (!schedule.rows) return TRUE;
  return schedule.rows.present
    ? sql.fragment`${column(schedule.rows.column)} IS NOT NULL`
    : sql.fragment`${column(schedule.rows.column)} IS NULL`;
}

/** Rows whose age column is before the cutoff of their tenant's period. */
export function expired(plan: SchedulePlan, link: TableLink): FragmentSqlToken {
  const age = column(plan.schedule.age);
  const standard = sql.fragment`${plan.standard.cutoff}::timestamptz`;
  if (!link.tenant || plan.byTenant.size === 0) return sql.fragment`${age} < ${standard}`;
  const cases = [...plan.byTenant].map(
    ([tenantId, period]) => sql.fragment`WHEN ${tenantId}::uuid THEN ${period.cutoff}::timestamptz`,
  );
  return sql.fragment`${age} < (CASE ${link.tenant} ${sql.join(cases, sql.fragment` `)} ELSE ${standard} END)`;
}

/** Rows of the run's tenant (every row for a run over all tenants). */
export function inScope(link: TableLink, scope: RunScope): FragmentSqlToken {
  if (scope.tenantId === null) return TRUE;
  return link.tenant ? sql.fragment`${link.tenant} = ${scope.tenantId}::uuid` : sql.fragment`FALSE`;
}

/** `a AND b AND …` */
export function all(...parts: FragmentSqlToken[]): FragmentSqlToken {
  return sql.fragment`(${sql.join(parts, sql.fragment` AND `)})`;
}

/** `NOT (held)` that is also true where `held` is NULL (SQL's three-valued logic). */
export function notHeld(held: FragmentSqlToken): FragmentSqlToken {
  return sql.fragment`(${held}) IS NOT TRUE`;
}

/** A transaction for retention work, with the longer statement limit. */
export function retentionTransaction<T>(
  db: Database,
  work: (tx: DatabaseTransactionConnection) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(sql.unsafe`SELECT set_config('statement_timeout', ${STATEMENT_TIMEOUT}, true)`);
    return work(tx);
  });
}

/**
 * One unit of retention work at a time across instances and runs (a telemetry day, a schedule):
 * two runs that overlap take turns batch by batch, each counting only what it removed itself.
 * A telemetry day's lock is the one its partition is created and dropped under.
 */
export async function lockUnit(tx: Queryable, key: string): Promise<void> {
  await tx.query(sql.unsafe`SELECT pg_advisory_xact_lock(hashtextextended(${key}, ${LOCK_SEED}::bigint))`);
}
