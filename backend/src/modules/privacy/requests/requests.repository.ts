/** SQL of the privacy_requests table: the request itself, read under the caller's access condition. */
import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { type ColumnMap, conditionToSql } from '../../../core/authz/condition-sql.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { keysetClauses, toPage } from '../../../core/database/keyset.js';
import type { Cursor, Page } from '../../../core/http/pagination.js';
import {
  changeColumns,
  columns,
  type NewRequest,
  type PrivacyRequestRecord,
  type RequestChange,
  requestRow,
  toRecord,
} from './request-record.js';
import { openStatuses } from './request-states.js';
import type { ListRequestsQuery } from './requests.dto.js';

export const privacyRequestColumns: ColumnMap = {
  id: { column: 'r.id', type: 'uuid' },
  tenantId: { column: 'r.tenant_id', type: 'uuid' },
  reference: { column: 'r.reference', type: 'text' },
  type: { column: 'r.type', type: 'text' },
  status: { column: 'r.status', type: 'text' },
  jurisdiction: { column: 'r.jurisdiction', type: 'text' },
  extensionReason: { column: 'r.extension_reason', type: 'text' },
  contactEmail: { column: 'r.contact_email', type: 'text' },
  locale: { column: 'r.locale', type: 'text' },
  subjectReference: { column: 'r.subject_reference', type: 'text' },
  details: { column: 'r.details', type: 'text' },
  subjectUserId: { column: 'r.subject_user_id', type: 'uuid' },
  subjectPatientId: { column: 'r.subject_patient_id', type: 'uuid' },
  identityMethod: { column: 'r.identity_method', type: 'text' },
  assigneeId: { column: 'r.assignee_id', type: 'uuid' },
  rejectionReason: { column: 'r.rejection_reason', type: 'text' },
  version: { column: 'r.version', type: 'int4' },
};

const jsonb = (value: unknown) =>
  value === null ? null : sql.jsonb(value as Parameters<typeof sql.jsonb>[0]);

@Injectable()
export class RequestsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Null when the reference is taken (the caller draws another). */
  async insert(request: NewRequest, db: Queryable): Promise<PrivacyRequestRecord | null> {
    const row = await db.maybeOne(sql.type(requestRow)`
      INSERT INTO privacy_requests AS r (tenant_id, reference, type, status, jurisdiction, received_at, due_at,
        contact_email, locale, time_zone, subject_reference, details, rectification, objection_purposes,
        subject_user_id, subject_patient_id, identity_method, identity_verified_at, identity_note, created_by)
      VALUES (${request.tenantId}, ${request.reference}, ${request.type}, ${request.status}, ${request.jurisdiction},
        ${request.receivedAt}, ${request.dueAt}, ${request.contactEmail}, ${request.locale}, ${request.timeZone},
        ${request.subjectReference}, ${request.details}, ${jsonb(request.rectification)},
        ${sql.array(request.objectionPurposes, 'text')}, ${request.subjectUserId}, ${request.subjectPatientId},
        ${request.identityMethod}, ${request.identityVerifiedAt}, ${request.identityNote}, ${request.createdBy})
      ON CONFLICT (reference) DO NOTHING
      RETURNING ${columns}`);
    return row ? toRecord(row) : null;
  }

  async findOne(
    id: string,
    access: Condition,
    db: Queryable = this.db.pool,
    lock = false,
  ): Promise<PrivacyRequestRecord | null> {
    const row = await db.maybeOne(sql.type(requestRow)`
      SELECT ${columns} FROM privacy_requests r
      WHERE r.id = ${id} AND ${conditionToSql(access, privacyRequestColumns)}
      ${lock ? sql.fragment`FOR UPDATE` : sql.fragment``}`);
    return row ? toRecord(row) : null;
  }

  /** The portal's lookup: by reference, no policy (the access token or the code is the check). */
  async findByReference(reference: string, db: Queryable = this.db.pool, lock = false) {
    const row = await db.maybeOne(sql.type(requestRow)`
      SELECT ${columns} FROM privacy_requests r WHERE r.reference = ${reference}
      ${lock ? sql.fragment`FOR UPDATE` : sql.fragment``}`);
    return row ? toRecord(row) : null;
  }

  /** For jobs: the request whatever the caller (the job's payload names it). */
  async findById(id: string, db: Queryable = this.db.pool, lock = false) {
    return this.findOne(id, { kind: 'true' }, db, lock);
  }

  async list(access: Condition, query: ListRequestsQuery, cursor: Cursor | undefined) {
    const byDue = query.sort === 'dueAt';
    const keyset = keysetClauses({
      sortColumn: ['r', byDue ? 'effective_due_at' : 'received_at'],
      sortType: 'timestamptz',
      idColumn: ['r', 'id'],
      order: byDue ? 'asc' : 'desc',
      cursor,
      limit: query.limit,
    });
    const filters: FragmentSqlToken[] = [conditionToSql(access, privacyRequestColumns), keyset.after];
    if (query.status) filters.push(sql.fragment`r.status = ${query.status}`);
    if (query.type) filters.push(sql.fragment`r.type = ${query.type}`);
    if (query.assigneeId) filters.push(sql.fragment`r.assignee_id = ${query.assigneeId}`);
    const overdue = sql.fragment`(r.effective_due_at < now() AND r.status = ANY(${sql.array([...openStatuses], 'text')}))`;
    if (query.overdue === 'true') filters.push(overdue);
    if (query.overdue === 'false') filters.push(sql.fragment`NOT ${overdue}`);
    const rows = await this.db.pool.any(sql.type(requestRow.extend({ cursor_key: z.string() }))`
      SELECT ${columns}, ${keyset.cursorKey}
      FROM (SELECT p.*, COALESCE(p.extended_due_at, p.due_at) AS effective_due_at FROM privacy_requests p) r
      WHERE ${sql.join(filters, sql.fragment` AND `)} ${keyset.orderBy} ${keyset.limit}`);
    return toPage(rows, query.limit, query.sort, toRecord) as Page<PrivacyRequestRecord>;
  }

  /**
   * Writes a step's change, bumping the version. With `expectedVersion` the write happens only on
   * that version (If-Match); null when it moved on (or the row is gone).
   */
  async update(
    id: string,
    change: RequestChange,
    db: Queryable,
    expectedVersion?: number,
  ): Promise<PrivacyRequestRecord | null> {
    const sets: FragmentSqlToken[] = [
      sql.fragment`version = r.version + 1`,
      sql.fragment`updated_at = now()`,
    ];
    for (const [field, value] of Object.entries(change) as Array<[keyof RequestChange, unknown]>) {
      if (value === undefined) continue;
      const column = sql.identifier([changeColumns[field]]);
      sets.push(
        field === 'outcome'
          ? sql.fragment`${column} = ${jsonb(value)}`
          : sql.fragment`${column} = ${value as string | null}`,
      );
    }
    const versioned =
      expectedVersion === undefined ? sql.fragment`TRUE` : sql.fragment`r.version = ${expectedVersion}`;
    const row = await db.maybeOne(sql.type(requestRow)`
      UPDATE privacy_requests AS r SET ${sql.join(sets, sql.fragment`, `)}
      WHERE r.id = ${id} AND ${versioned} RETURNING ${columns}`);
    return row ? toRecord(row) : null;
  }

  /**
   * How many requests this address filed in the last hour. Takes a transaction-scoped lock on the
   * address first, so two filings at once cannot both slip under the limit.
   */
  async recentFilingsByEmail(email: string, db: Queryable): Promise<number> {
    const address = email.toLowerCase();
    await db.query(
      sql.unsafe`SELECT pg_advisory_xact_lock(hashtextextended(${`privacy-filing:${address}`}, 0))`,
    );
    return db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM privacy_requests
      WHERE lower(contact_email) = ${address} AND received_at > now() - interval '1 hour'`);
  }

  /** The portal's tenant, by the slug in its address. */
  async tenantBySlug(slug: string) {
    return this.db.pool.maybeOne(sql.type(z.object({ id: z.uuid(), slug: z.string(), name: z.string() }))`
      SELECT id, slug, name FROM tenants WHERE slug = ${slug}`);
  }

  /** The state and progress of the request's latest fulfilment job. */
  async latestJob(requestId: string, db: Queryable = this.db.pool) {
    return db.maybeOne(sql.type(
      z.object({
        state: z.enum(['queued', 'running', 'done', 'failed']),
        progress: z.record(z.string(), z.unknown()).nullable(),
      }),
    )`
      SELECT state, progress FROM jobs
      WHERE queue = 'privacy.fulfil' AND payload ->> 'requestId' = ${requestId}
      ORDER BY id DESC LIMIT 1`);
  }
}

export type { NewRequest, PrivacyRequestRecord, RequestChange } from './request-record.js';
