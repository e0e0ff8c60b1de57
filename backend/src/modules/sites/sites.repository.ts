import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { type ColumnMap, conditionToSql } from '../../core/authz/condition-sql.js';
import { Database, type Queryable } from '../../core/database/database.js';
import { keysetClauses, toPage } from '../../core/database/keyset.js';
import type { Cursor, Page } from '../../core/http/pagination.js';
import type { ListSitesQuery, Site } from './sites.dto.js';

export const siteColumns: ColumnMap = {
  id: { column: 's.id', type: 'uuid' },
  tenantId: { column: 's.tenant_id', type: 'uuid' },
  code: { column: 's.code', type: 'text' },
  name: { column: 's.name', type: 'text' },
  timezone: { column: 's.timezone', type: 'text' },
  version: { column: 's.version', type: 'int4' },
};

const siteRow = z.object({
  id: z.uuid(),
  tenant_id: z.uuid(),
  code: z.string(),
  name: z.string(),
  timezone: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.number().int(),
});
type SiteRow = z.infer<typeof siteRow>;
const selectColumns = sql.fragment`s.id, s.tenant_id, s.code, s.name, s.timezone, s.created_at, s.updated_at, s.version`;

const toSite = (r: SiteRow): Site => ({
  id: r.id,
  tenantId: r.tenant_id,
  code: r.code,
  name: r.name,
  timezone: r.timezone,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
});

@Injectable()
export class SitesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async list(access: Condition, query: ListSitesQuery, cursor: Cursor | undefined): Promise<Page<Site>> {
    const keyset = keysetClauses({
      sortColumn: ['s', query.sort === 'code' ? 'code' : 'created_at'],
      sortType: query.sort === 'code' ? 'text' : 'timestamptz',
      idColumn: ['s', 'id'],
      order: query.order,
      cursor,
      limit: query.limit,
    });
    const filters: FragmentSqlToken[] = [conditionToSql(access, siteColumns), keyset.after];
    if (query.tenantId) filters.push(sql.fragment`s.tenant_id = ${query.tenantId}`);
    const rows = await this.db.pool.any(sql.type(siteRow.extend({ cursor_key: z.string() }))`
      SELECT ${selectColumns}, ${keyset.cursorKey} FROM sites s
      WHERE ${sql.join(filters, sql.fragment` AND `)} ${keyset.orderBy} ${keyset.limit}`);
    return toPage(rows, query.limit, query.sort, toSite);
  }

  async findOne(id: string, access: Condition, db: Queryable = this.db.pool): Promise<Site | null> {
    const row = await db.maybeOne(sql.type(siteRow)`
      SELECT ${selectColumns} FROM sites s WHERE s.id = ${id} AND ${conditionToSql(access, siteColumns)}`);
    return row ? toSite(row) : null;
  }

  async insert(
    site: { tenantId: string; code: string; name: string; timezone: string },
    db: Queryable,
  ): Promise<Site> {
    const row = await db.one(sql.type(siteRow)`
      INSERT INTO sites AS s (tenant_id, code, name, timezone)
      VALUES (${site.tenantId}, ${site.code}, ${site.name}, ${site.timezone}) RETURNING ${selectColumns}`);
    return toSite(row);
  }

  async update(
    id: string,
    expectedVersion: number,
    change: { name?: string; timezone?: string },
    db: Queryable,
  ): Promise<Site | null> {
    const sets: FragmentSqlToken[] = [
      sql.fragment`version = s.version + 1`,
      sql.fragment`updated_at = now()`,
    ];
    if (change.name !== undefined) sets.push(sql.fragment`name = ${change.name}`);
    if (change.timezone !== undefined) sets.push(sql.fragment`timezone = ${change.timezone}`);
    const row = await db.maybeOne(sql.type(siteRow)`
      UPDATE sites AS s SET ${sql.join(sets, sql.fragment`, `)}
      WHERE s.id = ${id} AND s.version = ${expectedVersion} RETURNING ${selectColumns}`);
    return row ? toSite(row) : null;
  }
}
