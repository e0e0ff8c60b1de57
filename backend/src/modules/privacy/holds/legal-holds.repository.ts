/** SQL of legal holds: reads filtered by the caller's access condition, writes conditional on the version. */
import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { type ColumnMap, conditionToSql } from '../../../core/authz/condition-sql.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { keysetClauses, toPage } from '../../../core/database/keyset.js';
import type { Cursor, Page } from '../../../core/http/pagination.js';
import type { HoldScope, LegalHold, ListLegalHoldsQuery } from './legal-holds.dto.js';

export const legalHoldColumns: ColumnMap = {
  id: { column: 'h.id', type: 'uuid' },
  tenantId: { column: 'h.tenant_id', type: 'uuid' },
  scope: { column: 'h.scope', type: 'text' },
  siteId: { column: 'h.site_id', type: 'uuid' },
  deviceId: { column: 'h.device_id', type: 'uuid' },
  patientId: { column: 'h.patient_id', type: 'uuid' },
  userId: { column: 'h.user_id', type: 'uuid' },
  reason: { column: 'h.reason', type: 'text' },
  matter: { column: 'h.matter', type: 'text' },
  ownerId: { column: 'h.owner_id', type: 'uuid' },
  createdBy: { column: 'h.created_by', type: 'uuid' },
  releasedBy: { column: 'h.released_by', type: 'uuid' },
  releaseReason: { column: 'h.release_reason', type: 'text' },
  version: { column: 'h.version', type: 'int4' },
};

const holdRow = z.object({
  id: z.uuid(),
  tenant_id: z.uuid(),
  scope: z.enum(['tenant', 'site', 'device', 'subject']),
  site_id: z.uuid().nullable(),
  device_id: z.uuid().nullable(),
  patient_id: z.uuid().nullable(),
  user_id: z.uuid().nullable(),
  categories: z.array(z.string()),
  reason: z.string(),
  matter: z.string().nullable(),
  owner_id: z.uuid(),
  created_by: z.uuid(),
  released_at: z.string().nullable(),
  released_by: z.uuid().nullable(),
  release_reason: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.number().int(),
});
type HoldRow = z.infer<typeof holdRow>;
const selectColumns = sql.fragment`
  h.id, h.tenant_id, h.scope, h.site_id, h.device_id, h.patient_id, h.user_id, h.categories, h.reason,
  h.matter, h.owner_id, h.created_by, h.released_at, h.released_by, h.release_reason, h.created_at,
  h.updated_at, h.version`;

const toHold = (r: HoldRow): LegalHold => ({
  id: r.id,
  tenantId: r.tenant_id,
  scope: r.scope,
  siteId: r.site_id,
  deviceId: r.device_id,
  patientId: r.patient_id,
  userId: r.user_id,
  categories: r.categories,
  reason: r.reason,
  matter: r.matter,
  ownerId: r.owner_id,
  createdBy: r.created_by,
  releasedAt: r.released_at,
  releasedBy: r.released_by,
  releaseReason: r.release_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
});

export interface NewLegalHold {
  tenantId: string;
  scope: HoldScope;
  siteId: string | null;
  deviceId: string | null;
  patientId: string | null;
  userId: string | null;
  categories: string[];
  reason: string;
  matter: string | null;
  ownerId: string;
  createdBy: string;
}

/** The tables a hold may name, and the column holding their tenant. */
const referenceTables = { site: 'sites', device: 'devices', patient: 'patients', user: 'users' } as const;
export type HoldReference = keyof typeof referenceTables;

@Injectable()
export class LegalHoldsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async list(
    access: Condition,
    query: ListLegalHoldsQuery,
    cursor: Cursor | undefined,
  ): Promise<Page<LegalHold>> {
    const keyset = keysetClauses({
      sortColumn: ['h', 'created_at'],
      sortType: 'timestamptz',
      idColumn: ['h', 'id'],
      order: query.order,
      cursor,
      limit: query.limit,
    });
    const filters: FragmentSqlToken[] = [conditionToSql(access, legalHoldColumns), keyset.after];
    if (query.active === 'true') filters.push(sql.fragment`h.released_at IS NULL`);
    if (query.active === 'false') filters.push(sql.fragment`h.released_at IS NOT NULL`);
    if (query.scope) filters.push(sql.fragment`h.scope = ${query.scope}`);
    const rows = await this.db.pool.any(sql.type(holdRow.extend({ cursor_key: z.string() }))`
      SELECT ${selectColumns}, ${keyset.cursorKey} FROM legal_holds h
      WHERE ${sql.join(filters, sql.fragment` AND `)} ${keyset.orderBy} ${keyset.limit}`);
    return toPage(rows, query.limit, query.sort, toHold);
  }

  async findOne(id: string, access: Condition, db: Queryable = this.db.pool): Promise<LegalHold | null> {
    const row = await db.maybeOne(sql.type(holdRow)`
      SELECT ${selectColumns} FROM legal_holds h
      WHERE h.id = ${id} AND ${conditionToSql(access, legalHoldColumns)}`);
    return row ? toHold(row) : null;
  }

  /** Whether a site, device, patient or user of this id exists in the tenant. */
  async referenceExists(kind: HoldReference, tenantId: string, id: string, db: Queryable): Promise<boolean> {
    return db.oneFirst(sql.type(z.object({ found: z.boolean() }))`
      SELECT EXISTS (SELECT 1 FROM ${sql.identifier([referenceTables[kind]])} r
                     WHERE r.id = ${id} AND r.tenant_id = ${tenantId}) AS found`);
  }

  async insert(hold: NewLegalHold, db: Queryable): Promise<LegalHold> {
    const row = await db.one(sql.type(holdRow)`
      INSERT INTO legal_holds AS h (tenant_id, scope, site_id, device_id, patient_id, user_id, categories,
                                    reason, matter, owner_id, created_by)
      VALUES (${hold.tenantId}, ${hold.scope}, ${hold.siteId}, ${hold.deviceId}, ${hold.patientId}, ${hold.userId},
              ${sql.array(hold.categories, 'text')}, ${hold.reason}, ${hold.matter}, ${hold.ownerId},
              ${hold.createdBy})
      RETURNING ${selectColumns}`);
    return toHold(row);
  }

  async update(
    id: string,
    expectedVersion: number,
    change: { reason?: string; matter?: string | null; ownerId?: string },
    db: Queryable,
  ): Promise<LegalHold | null> {
    const sets: FragmentSqlToken[] = [
      sql.fragment`version = h.version + 1`,
      sql.fragment`updated_at = now()`,
    ];
    if (change.reason !== undefined) sets.push(sql.fragment`reason = ${change.reason}`);
    if (change.matter !== undefined) sets.push(sql.fragment`matter = ${change.matter}`);
    if (change.ownerId !== undefined) sets.push(sql.fragment`owner_id = ${change.ownerId}`);
    const row = await db.maybeOne(sql.type(holdRow)`
      UPDATE legal_holds AS h SET ${sql.join(sets, sql.fragment`, `)}
      WHERE h.id = ${id} AND h.version = ${expectedVersion} AND h.released_at IS NULL
      RETURNING ${selectColumns}`);
    return row ? toHold(row) : null;
  }

  async release(
    id: string,
    expectedVersion: number,
    release: { by: string; reason: string },
    db: Queryable,
  ): Promise<LegalHold | null> {
    const row = await db.maybeOne(sql.type(holdRow)`
      UPDATE legal_holds AS h
      SET released_at = now(), released_by = ${release.by}, release_reason = ${release.reason},
          version = h.version + 1, updated_at = now()
      WHERE h.id = ${id} AND h.version = ${expectedVersion} AND h.released_at IS NULL
      RETURNING ${selectColumns}`);
    return row ? toHold(row) : null;
  }
}
