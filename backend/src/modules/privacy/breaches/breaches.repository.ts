/** SQL of the breach register. The 72-hour due time and "overdue" are computed here too, for the filter. */
import { randomInt } from 'node:crypto';
import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { type ColumnMap, conditionToSql } from '../../../core/authz/condition-sql.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { keysetClauses, toPage } from '../../../core/database/keyset.js';
import type { Cursor, Page } from '../../../core/http/pagination.js';
import {
  type Breach,
  breachRisks,
  breachStatuses,
  type CreateBreachBody,
  type ListBreachesQuery,
  NOTIFICATION_HOURS,
  type UpdateBreachBody,
} from './breaches.dto.js';

export const breachColumns: ColumnMap = {
  id: { column: 'b.id', type: 'uuid' },
  tenantId: { column: 'b.tenant_id', type: 'uuid' },
  reference: { column: 'b.reference', type: 'text' },
  title: { column: 'b.title', type: 'text' },
  description: { column: 'b.description', type: 'text' },
  subjectsAffected: { column: 'b.subjects_affected', type: 'int4' },
  recordsAffected: { column: 'b.records_affected', type: 'int4' },
  likelyConsequences: { column: 'b.likely_consequences', type: 'text' },
  measures: { column: 'b.measures', type: 'text' },
  risk: { column: 'b.risk', type: 'text' },
  status: { column: 'b.status', type: 'text' },
  lateNotificationReason: { column: 'b.late_notification_reason', type: 'text' },
  createdBy: { column: 'b.created_by', type: 'uuid' },
  version: { column: 'b.version', type: 'int4' },
};

const breachRow = z.object({
  id: z.uuid(),
  tenant_id: z.uuid(),
  reference: z.string(),
  title: z.string(),
  description: z.string(),
  categories: z.array(z.string()),
  subjects_affected: z.number().int().nullable(),
  records_affected: z.number().int().nullable(),
  likely_consequences: z.string().nullable(),
  measures: z.string().nullable(),
  risk: z.enum(breachRisks),
  status: z.enum(breachStatuses),
  occurred_at: z.string().nullable(),
  detected_at: z.string(),
  notification_due_at: z.string(),
  authority_notified_at: z.string().nullable(),
  late_notification_reason: z.string().nullable(),
  subjects_notified_at: z.string().nullable(),
  created_by: z.uuid(),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.number().int(),
});
type BreachRow = z.infer<typeof breachRow>;

const dueAt = sql.fragment`b.detected_at + ${NOTIFICATION_HOURS} * interval '1 hour'`;
/** Mirrors notificationOverdue() in breach-rules.ts, for filtering in SQL. */
const overdue = sql.fragment`(b.authority_notified_at IS NULL AND b.risk <> 'unlikely' AND ${dueAt} <= now())`;
const selectColumns = sql.fragment`b.id, b.tenant_id, b.reference, b.title, b.description, b.categories,
  b.subjects_affected, b.records_affected, b.likely_consequences, b.measures, b.risk, b.status, b.occurred_at,
  b.detected_at, ${dueAt} AS notification_due_at, b.authority_notified_at, b.late_notification_reason,
  b.subjects_notified_at, b.created_by, b.created_at, b.updated_at, b.version`;

const toBreach = (r: BreachRow): Breach => ({
  id: r.id,
  tenantId: r.tenant_id,
  reference: r.reference,
  title: r.title,
  description: r.description,
  categories: r.categories,
  subjectsAffected: r.subjects_affected,
  recordsAffected: r.records_affected,
  likelyConsequences: r.likely_consequences,
  measures: r.measures,
  risk: r.risk,
  status: r.status,
  occurredAt: r.occurred_at,
  detectedAt: r.detected_at,
  notificationDueAt: r.notification_due_at,
  authorityNotifiedAt: r.authority_notified_at,
  lateNotificationReason: r.late_notification_reason,
  subjectsNotifiedAt: r.subjects_notified_at,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
});

// Crockford's base 32: no I, L, O or U, so a reference read out on the phone is not misheard.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const block = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
export const newReference = () => `BR-${block()}-${block()}`;

/** API field → column, for the fields a PATCH may set. */
const settable: Record<keyof UpdateBreachBody, string> = {
  title: 'title',
  description: 'description',
  categories: 'categories',
  subjectsAffected: 'subjects_affected',
  recordsAffected: 'records_affected',
  likelyConsequences: 'likely_consequences',
  measures: 'measures',
  risk: 'risk',
  status: 'status',
  occurredAt: 'occurred_at',
  detectedAt: 'detected_at',
  authorityNotifiedAt: 'authority_notified_at',
  lateNotificationReason: 'late_notification_reason',
  subjectsNotifiedAt: 'subjects_notified_at',
};

const columnValue = (field: keyof UpdateBreachBody, value: unknown) =>
  field === 'categories' ? sql.array(value as string[], 'text') : (value as string | number | null);

@Injectable()
export class BreachesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Inserts with a fresh reference; null when the reference was taken (the caller draws another). */
  async insert(
    breach: CreateBreachBody & { tenantId: string; detectedAt: string; createdBy: string },
    reference: string,
    db: Queryable,
  ): Promise<Breach | null> {
    const row = await db.maybeOne(sql.type(breachRow)`
      INSERT INTO breaches AS b (tenant_id, reference, title, description, categories, subjects_affected,
        records_affected, likely_consequences, measures, risk, occurred_at, detected_at, created_by)
      VALUES (${breach.tenantId}, ${reference}, ${breach.title}, ${breach.description},
        ${sql.array(breach.categories, 'text')}, ${breach.subjectsAffected ?? null}, ${breach.recordsAffected ?? null},
        ${breach.likelyConsequences ?? null}, ${breach.measures ?? null}, ${breach.risk}, ${breach.occurredAt ?? null},
        ${breach.detectedAt}, ${breach.createdBy})
      ON CONFLICT (reference) DO NOTHING
      RETURNING ${selectColumns}`);
    return row ? toBreach(row) : null;
  }

  async findOne(id: string, access: Condition, db: Queryable = this.db.pool): Promise<Breach | null> {
    const row = await db.maybeOne(sql.type(breachRow)`
      SELECT ${selectColumns} FROM breaches b WHERE b.id = ${id} AND ${conditionToSql(access, breachColumns)}`);
    return row ? toBreach(row) : null;
  }

  async list(access: Condition, query: ListBreachesQuery, cursor: Cursor | undefined): Promise<Page<Breach>> {
    const keyset = keysetClauses({
      sortColumn: ['b', 'detected_at'],
      sortType: 'timestamptz',
      idColumn: ['b', 'id'],
      order: 'desc',
      cursor,
      limit: query.limit,
    });
    const filters: FragmentSqlToken[] = [conditionToSql(access, breachColumns), keyset.after];
    if (query.status) filters.push(sql.fragment`b.status = ${query.status}`);
    if (query.overdue !== undefined) {
      filters.push(query.overdue ? overdue : sql.fragment`${overdue} IS NOT TRUE`);
    }
    const rows = await this.db.pool.any(sql.type(breachRow.extend({ cursor_key: z.string() }))`
      SELECT ${selectColumns}, ${keyset.cursorKey} FROM breaches b
      WHERE ${sql.join(filters, sql.fragment` AND `)} ${keyset.orderBy} ${keyset.limit}`);
    return toPage(rows, query.limit, 'detectedAt', toBreach);
  }

  async update(
    id: string,
    expectedVersion: number,
    change: UpdateBreachBody,
    db: Queryable,
  ): Promise<Breach | null> {
    const sets: FragmentSqlToken[] = [
      sql.fragment`version = b.version + 1`,
      sql.fragment`updated_at = now()`,
    ];
    for (const [field, value] of Object.entries(change) as Array<[keyof UpdateBreachBody, unknown]>) {
      if (value === undefined) continue;
      sets.push(sql.fragment`${sql.identifier([settable[field]])} = ${columnValue(field, value)}`);
    }
    const row = await db.maybeOne(sql.type(breachRow)`
      UPDATE breaches AS b SET ${sql.join(sets, sql.fragment`, `)}
      WHERE b.id = ${id} AND b.version = ${expectedVersion} RETURNING ${selectColumns}`);
    return row ? toBreach(row) : null;
  }

  /**
   * Marks the overdue breaches that have not been reported as overdue yet, and returns them. Rows
   * another instance is marking right now are skipped (SKIP LOCKED), so each breach is returned to
   * exactly one caller, once.
   */
  async takeNewlyOverdue(
    db: Queryable,
    limit = 500,
  ): Promise<Array<{ id: string; tenantId: string; detectedAt: string }>> {
    const rows = await db.any(sql.type(
      z.object({ id: z.uuid(), tenant_id: z.uuid(), detected_at: z.string() }),
    )`
      UPDATE breaches AS t SET overdue_recorded_at = now()
      WHERE t.id IN (
        SELECT b.id FROM breaches b
        WHERE ${overdue} AND b.overdue_recorded_at IS NULL
        ORDER BY b.detected_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING t.id, t.tenant_id, t.detected_at`);
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, detectedAt: r.detected_at }));
  }
}
