/**
 * SQL of retention runs. A run is visible to a caller who may read the retention schedules of a
 * tenant it covered: its own tenant for a manual run, any tenant for the scheduled run over all of
 * them (the service then shows only that caller's part of the report).
 */
import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { conditionToSql } from '../../../core/authz/condition-sql.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { keysetClauses, toPage } from '../../../core/database/keyset.js';
import type { Cursor, Page } from '../../../core/http/pagination.js';
import type { ListRunsQuery } from './retention.dto.js';
import type { RetentionReport } from './retention-report.js';
import { retentionScheduleColumns, scheduleRows } from './retention-schedules.repository.js';

const runRow = z.object({
  id: z.uuid(),
  dry_run: z.boolean(),
  status: z.enum(['running', 'completed', 'failed']),
  tenant_id: z.uuid().nullable(),
  slot: z.string().nullable(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  requested_by: z.uuid().nullable(),
  report: z.record(z.string(), z.unknown()).nullable(),
});
export type RunRow = z.infer<typeof runRow>;
const selectColumns = sql.fragment`r.id, r.dry_run, r.status, r.tenant_id, to_char(r.slot, 'YYYY-MM-DD') AS slot,
  r.started_at, r.finished_at, r.requested_by, r.report`;

const json = (value: unknown) => sql.jsonb(value as Parameters<typeof sql.jsonb>[0]);

@Injectable()
export class RetentionRunsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** A manual run, requested now (its cutoffs count from this instant). */
  async insertManual(
    run: { tenantId: string; dryRun: boolean; requestedBy: string },
    db: Queryable,
  ): Promise<RunRow> {
    return db.one(sql.type(runRow)`
      INSERT INTO retention_runs AS r (dry_run, tenant_id, requested_by)
      VALUES (${run.dryRun}, ${run.tenantId}, ${run.requestedBy})
      RETURNING ${selectColumns}`);
  }

  /**
   * The scheduled run of a slot: created by its job's first attempt, taken up again by a retry
   * (the same id, so the same cutoffs and the counts so far).
   */
  async startScheduled(id: string, slot: string, db: Queryable = this.db.pool): Promise<RunRow | null> {
    const row = await db.maybeOne(sql.type(runRow)`
      INSERT INTO retention_runs AS r (id, dry_run, slot)
      VALUES (${id}, false, ${slot}::date)
      ON CONFLICT (id) DO UPDATE SET status = 'running', finished_at = NULL
        WHERE r.status <> 'completed'
      RETURNING ${selectColumns}`);
    // No row: the conflict's WHERE did not match, the run is already complete.
    return row ?? (await this.get(id, db));
  }

  async get(id: string, db: Queryable = this.db.pool): Promise<RunRow | null> {
    return db.maybeOne(sql.type(runRow)`SELECT ${selectColumns} FROM retention_runs r WHERE r.id = ${id}`);
  }

  /**
   * Takes the run up (again) as `attempt`: from then on only this attempt may write its report, so
   * an attempt whose job was taken over by another instance can neither count nor, since its
   * deletions commit with its report, delete anything more.
   */
  async resume(id: string, attempt: string, db: Queryable = this.db.pool): Promise<RunRow | null> {
    return db.maybeOne(sql.type(runRow)`
      UPDATE retention_runs AS r
      SET status = 'running', finished_at = NULL,
          report = jsonb_set(coalesce(r.report, '{}'::jsonb), '{attempt}', to_jsonb(${attempt}::text))
      WHERE r.id = ${id} AND r.status <> 'completed' RETURNING ${selectColumns}`);
  }

  /** Stores the report as it stands; throws RunSuperseded when another attempt has taken the run over. */
  async saveReport(id: string, report: RetentionReport, db: Queryable): Promise<void> {
    const saved = await db.query(sql.unsafe`
      UPDATE retention_runs SET report = ${json(report)}
      WHERE id = ${id} AND status = 'running' AND report ->> 'attempt' = ${report.attempt}`);
    if (saved.rowCount === 0) throw new RunSuperseded();
  }

  async finish(
    id: string,
    status: 'completed' | 'failed',
    report: RetentionReport,
    db: Queryable,
  ): Promise<void> {
    const saved = await db.query(sql.unsafe`
      UPDATE retention_runs SET status = ${status}, finished_at = ${report.finishedAt}, report = ${json(report)}
      WHERE id = ${id} AND status = 'running' AND report ->> 'attempt' = ${report.attempt}`);
    if (saved.rowCount === 0) throw new RunSuperseded();
  }

  /** The database's clock, so that instances with skewed clocks compute the same cutoffs. */
  async now(db: Queryable = this.db.pool): Promise<string> {
    return db.oneFirst(sql.type(z.object({ now: z.string() }))`SELECT now() AS now`);
  }

  /** Tenants a run over `tenantId` (null: all) reports on. */
  async tenants(tenantId: string | null, db: Queryable = this.db.pool): Promise<string[]> {
    const ids = await db.anyFirst(sql.type(z.object({ id: z.uuid() }))`
      SELECT id FROM tenants ${tenantId === null ? sql.fragment`` : sql.fragment`WHERE id = ${tenantId}`} ORDER BY id`);
    return [...ids];
  }

  async list(access: Condition, query: ListRunsQuery, cursor: Cursor | undefined): Promise<Page<RunRow>> {
    const keyset = keysetClauses({
      sortColumn: ['r', 'started_at'],
      sortType: 'timestamptz',
      idColumn: ['r', 'id'],
      order: query.order,
      cursor,
      limit: query.limit,
    });
    const rows = await this.db.pool.any(sql.type(runRow.extend({ cursor_key: z.string() }))`
      SELECT ${selectColumns}, ${keyset.cursorKey} FROM retention_runs r
      WHERE ${this.visible(access)} AND ${keyset.after} ${keyset.orderBy} ${keyset.limit}`);
    return toPage(rows, query.limit, query.sort, (row) => row);
  }

  async findOne(id: string, access: Condition): Promise<RunRow | null> {
    return this.db.pool.maybeOne(sql.type(runRow)`
      SELECT ${selectColumns} FROM retention_runs r WHERE r.id = ${id} AND ${this.visible(access)}`);
  }

  private visible(access: Condition) {
    return sql.fragment`EXISTS (SELECT 1 FROM ${scheduleRows()}
      WHERE (r.tenant_id IS NULL OR s.tenant_id = r.tenant_id) AND ${conditionToSql(access, retentionScheduleColumns)})`;
  }
}

/** Another attempt of the run (on another instance, after this one lost its job's lease) took it over. */
export class RunSuperseded extends Error {
  override name = 'RunSuperseded';
}
