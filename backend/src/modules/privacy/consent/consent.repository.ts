/**
 * SQL of consent records. Rows are only ever inserted: the current state per subject and purpose is
 * the latest row (recorded_at, then id, the same order everywhere so that every reader agrees).
 */
import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { type ColumnMap, conditionToSql } from '../../../core/authz/condition-sql.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { keysetClauses, toPage } from '../../../core/database/keyset.js';
import type { Cursor, Page } from '../../../core/http/pagination.js';
import {
  type ConsentRecord,
  type ConsentSubjectKind,
  consentActions,
  consentSources,
  type ListConsentsQuery,
} from './consent.dto.js';

export const consentRecordColumns: ColumnMap = {
  id: { column: 'c.id', type: 'uuid' },
  tenantId: { column: 'c.tenant_id', type: 'uuid' },
  patientId: { column: 'c.patient_id', type: 'uuid' },
  userId: { column: 'c.user_id', type: 'uuid' },
  purpose: { column: 'c.purpose', type: 'text' },
  action: { column: 'c.action', type: 'text' },
  source: { column: 'c.source', type: 'text' },
  evidence: { column: 'c.evidence', type: 'text' },
  recordedBy: { column: 'c.recorded_by', type: 'uuid' },
};

const consentRow = z.object({
  id: z.uuid(),
  tenant_id: z.uuid(),
  patient_id: z.uuid().nullable(),
  user_id: z.uuid().nullable(),
  purpose: z.string(),
  action: z.enum(consentActions),
  source: z.enum(consentSources),
  evidence: z.string().nullable(),
  recorded_at: z.string(),
  recorded_by: z.uuid().nullable(),
});
type ConsentRow = z.infer<typeof consentRow>;
const selectColumns = sql.fragment`c.id, c.tenant_id, c.patient_id, c.user_id, c.purpose, c.action, c.source,
  c.evidence, c.recorded_at, c.recorded_by`;

const toConsent = (r: ConsentRow): ConsentRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  patientId: r.patient_id,
  userId: r.user_id,
  purpose: r.purpose,
  action: r.action,
  source: r.source,
  evidence: r.evidence,
  recordedAt: r.recorded_at,
  recordedBy: r.recorded_by,
});

const subjectColumn = (kind: ConsentSubjectKind) =>
  kind === 'patient' ? sql.fragment`c.patient_id` : sql.fragment`c.user_id`;

export interface NewConsent {
  tenantId: string;
  patientId: string | null;
  userId: string | null;
  purpose: string;
  action: ConsentRecord['action'];
  source: ConsentRecord['source'];
  evidence: string | null;
  recordedBy: string;
}

@Injectable()
export class ConsentRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async insert(consent: NewConsent, db: Queryable): Promise<ConsentRecord> {
    const row = await db.one(sql.type(consentRow)`
      INSERT INTO consent_records AS c (tenant_id, patient_id, user_id, purpose, action, source, evidence, recorded_by)
      VALUES (${consent.tenantId}, ${consent.patientId}, ${consent.userId}, ${consent.purpose}, ${consent.action},
              ${consent.source}, ${consent.evidence}, ${consent.recordedBy})
      RETURNING ${selectColumns}`);
    return toConsent(row);
  }

  /** Whether the patient or account exists in the tenant (consent is only recorded for real subjects). */
  async subjectExists(
    tenantId: string,
    kind: ConsentSubjectKind,
    id: string,
    db: Queryable,
  ): Promise<boolean> {
    const table = kind === 'patient' ? sql.identifier(['patients']) : sql.identifier(['users']);
    return db.oneFirst(sql.type(z.object({ exists: z.boolean() }))`
      SELECT EXISTS (SELECT 1 FROM ${table} WHERE tenant_id = ${tenantId} AND id = ${id}) AS exists`);
  }

  async list(
    access: Condition,
    query: ListConsentsQuery,
    cursor: Cursor | undefined,
  ): Promise<Page<ConsentRecord>> {
    const keyset = keysetClauses({
      sortColumn: ['c', 'recorded_at'],
      sortType: 'timestamptz',
      idColumn: ['c', 'id'],
      order: query.order,
      cursor,
      limit: query.limit,
    });
    const filters: FragmentSqlToken[] = [conditionToSql(access, consentRecordColumns), keyset.after];
    if (query.patientId) filters.push(sql.fragment`c.patient_id = ${query.patientId}`);
    if (query.userId) filters.push(sql.fragment`c.user_id = ${query.userId}`);
    if (query.purpose) filters.push(sql.fragment`c.purpose = ${query.purpose}`);
    const rows = await this.db.pool.any(sql.type(consentRow.extend({ cursor_key: z.string() }))`
      SELECT ${selectColumns}, ${keyset.cursorKey} FROM consent_records c
      WHERE ${sql.join(filters, sql.fragment` AND `)} ${keyset.orderBy} ${keyset.limit}`);
    return toPage(rows, query.limit, 'recordedAt', toConsent);
  }

  /** One subject's records the caller may read, newest first. */
  async history(
    access: Condition,
    kind: ConsentSubjectKind,
    id: string,
    limit: number,
  ): Promise<ConsentRecord[]> {
    const rows = await this.db.pool.any(sql.type(consentRow)`
      SELECT ${selectColumns} FROM consent_records c
      WHERE ${subjectColumn(kind)} = ${id} AND ${conditionToSql(access, consentRecordColumns)}
      ORDER BY c.recorded_at DESC, c.id DESC LIMIT ${limit}`);
    return rows.map(toConsent);
  }

  /** The latest record per purpose of one subject, among the rows the caller may read. */
  async latestPerPurpose(access: Condition, kind: ConsentSubjectKind, id: string): Promise<ConsentRecord[]> {
    const rows = await this.db.pool.any(sql.type(consentRow)`
      SELECT DISTINCT ON (c.purpose) ${selectColumns} FROM consent_records c
      WHERE ${subjectColumn(kind)} = ${id} AND ${conditionToSql(access, consentRecordColumns)}
      ORDER BY c.purpose, c.recorded_at DESC, c.id DESC`);
    return rows.map(toConsent);
  }

  /** Per purpose and action, how many subjects of the tenant have that as their latest record. */
  async countLatest(
    access: Condition,
    tenantId: string,
  ): Promise<ReadonlyArray<{ purpose: string; action: ConsentRecord['action']; subjects: number }>> {
    return this.db.pool.any(
      sql.type(
        z.object({ purpose: z.string(), action: z.enum(consentActions), subjects: z.coerce.number() }),
      )`
      SELECT latest.purpose, latest.action, count(*) AS subjects
      FROM (
        SELECT DISTINCT ON (c.patient_id, c.user_id, c.purpose) c.purpose, c.action
        FROM consent_records c
        WHERE c.tenant_id = ${tenantId} AND ${conditionToSql(access, consentRecordColumns)}
        ORDER BY c.patient_id, c.user_id, c.purpose, c.recorded_at DESC, c.id DESC
      ) latest
      GROUP BY latest.purpose, latest.action
      ORDER BY latest.purpose, latest.action`,
    );
  }
}
