/**
 * Retention schedules as they apply to each tenant: the declared schedules (policies/privacy/
 * retention.yaml) joined in SQL with the tenants and their chosen periods (retention_settings), so
 * that lists are filtered by the same policy condition as every other resource.
 */
import type { Condition, RetentionSchedule as DeclaredSchedule } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { type ColumnMap, conditionToSql } from '../../../core/authz/condition-sql.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { DECLARATIONS, type RetentionScheduleView } from './retention.dto.js';

export const retentionScheduleColumns: ColumnMap = {
  id: { column: 's.id', type: 'text' },
  tenantId: { column: 's.tenant_id', type: 'uuid' },
  description: { column: 's.description', type: 'text' },
  table: { column: 's.table_name', type: 'text' },
  category: { column: 's.category', type: 'text' },
  action: { column: 's.action', type: 'text' },
  basis: { column: 's.basis', type: 'text' },
  days: { column: 's.days', type: 'int4' },
  defaultDays: { column: 's.default_days', type: 'int4' },
  updatedBy: { column: 's.updated_by', type: 'uuid' },
};

const scheduleRow = z.object({
  id: z.string(),
  tenant_id: z.uuid(),
  description: z.string(),
  table_name: z.string(),
  category: z.string(),
  action: z.string(),
  basis: z.string(),
  days: z.number().int(),
  default_days: z.number().int(),
  min_days: z.number().int().nullable(),
  max_days: z.number().int().nullable(),
  updated_at: z.string().nullable(),
  updated_by: z.uuid().nullable(),
});
type ScheduleRow = z.infer<typeof scheduleRow>;

const toView = (r: ScheduleRow): RetentionScheduleView => ({
  id: r.id,
  tenantId: r.tenant_id,
  description: r.description,
  table: r.table_name,
  category: r.category,
  action: r.action as RetentionScheduleView['action'],
  basis: r.basis,
  days: r.days,
  defaultDays: r.default_days,
  tenantDays: r.min_days !== null && r.max_days !== null ? { min: r.min_days, max: r.max_days } : null,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

/** The declared schedules as one JSON parameter (a constant: one prepared statement). */
const declared = (schedules: readonly DeclaredSchedule[]) =>
  sql.jsonb(
    schedules.map((s, ord) => ({
      ord,
      id: s.id,
      description: s.description,
      table_name: s.table,
      category: s.category,
      action: s.action,
      basis: s.basis,
      default_days: s.days,
      min_days: s.tenantDays?.min ?? null,
      max_days: s.tenantDays?.max ?? null,
    })),
  );

/**
 * Every schedule for every tenant, as a derived table `s` with the columns of the column map. The
 * effective period mirrors effectiveDays() in @custos/policies: the tenant's choice within bounds.
 */
export function scheduleRows(
  schedules: readonly DeclaredSchedule[] = DECLARATIONS.schedules,
): FragmentSqlToken {
  return sql.fragment`(
    SELECT sc.id, tn.id AS tenant_id, sc.description, sc.table_name, sc.category, sc.action, sc.basis,
      CASE WHEN sc.min_days IS NOT NULL AND rs.days IS NOT NULL
           THEN LEAST(sc.max_days, GREATEST(sc.min_days, rs.days)) ELSE sc.default_days END AS days,
      sc.default_days, sc.min_days, sc.max_days, rs.updated_at, rs.updated_by, sc.ord
    FROM jsonb_to_recordset(${declared(schedules)})
      AS sc(ord int, id text, description text, table_name text, category text, action text, basis text,
            default_days int, min_days int, max_days int)
    CROSS JOIN tenants tn
    LEFT JOIN retention_settings rs ON rs.tenant_id = tn.id AND rs.schedule = sc.id) s`;
}

const selectColumns = sql.fragment`s.id, s.tenant_id, s.description, s.table_name, s.category, s.action,
  s.basis, s.days, s.default_days, s.min_days, s.max_days, s.updated_at, s.updated_by`;

@Injectable()
export class RetentionSchedulesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async list(tenantId: string, access: Condition): Promise<RetentionScheduleView[]> {
    const rows = await this.db.pool.any(sql.type(scheduleRow)`
      SELECT ${selectColumns} FROM ${scheduleRows()}
      WHERE s.tenant_id = ${tenantId} AND ${conditionToSql(access, retentionScheduleColumns)}
      ORDER BY s.ord`);
    return rows.map(toView);
  }

  async findOne(
    id: string,
    tenantId: string,
    access: Condition,
    db: Queryable = this.db.pool,
  ): Promise<RetentionScheduleView | null> {
    const row = await db.maybeOne(sql.type(scheduleRow)`
      SELECT ${selectColumns} FROM ${scheduleRows()}
      WHERE s.id = ${id} AND s.tenant_id = ${tenantId} AND ${conditionToSql(access, retentionScheduleColumns)}`);
    return row ? toView(row) : null;
  }

  async setDays(tenantId: string, schedule: string, days: number, by: string, db: Queryable): Promise<void> {
    await db.query(sql.unsafe`
      INSERT INTO retention_settings AS rs (tenant_id, schedule, days, updated_by)
      VALUES (${tenantId}, ${schedule}, ${days}, ${by})
      ON CONFLICT (tenant_id, schedule) DO UPDATE
        SET days = EXCLUDED.days, updated_by = EXCLUDED.updated_by, updated_at = now(), version = rs.version + 1`);
  }

  /** Every tenant's choices, schedule → tenant → days (for a run over one tenant or all). */
  async settings(
    tenantId: string | null,
    db: Queryable = this.db.pool,
  ): Promise<Map<string, Map<string, number>>> {
    const rows = await db.any(sql.type(
      z.object({ tenant_id: z.uuid(), schedule: z.string(), days: z.number() }),
    )`
      SELECT tenant_id, schedule, days FROM retention_settings
      ${tenantId === null ? sql.fragment`` : sql.fragment`WHERE tenant_id = ${tenantId}`}`);
    const settings = new Map<string, Map<string, number>>();
    for (const row of rows) {
      const bySchedule = settings.get(row.schedule) ?? new Map<string, number>();
      bySchedule.set(row.tenant_id, row.days);
      settings.set(row.schedule, bySchedule);
    }
    return settings;
  }
}
