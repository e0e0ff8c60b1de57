import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { type ColumnMap, conditionToSql } from '../../core/authz/condition-sql.js';
import { Database, type Queryable } from '../../core/database/database.js';
import { keysetClauses, toPage } from '../../core/database/keyset.js';
import type { Cursor, Page } from '../../core/http/pagination.js';
import type { ListTenantsQuery, Tenant } from './tenants.dto.js';

export const tenantColumns: ColumnMap = {
  id: { column: 't.id', type: 'uuid' },
  slug: { column: 't.slug', type: 'text' },
  name: { column: 't.name', type: 'text' },
  version: { column: 't.version', type: 'int4' },
};

const tenantRow = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.number().int(),
});
type TenantRow = z.infer<typeof tenantRow>;
const selectColumns = sql.fragment`t.id, t.slug, t.name, t.created_at, t.updated_at, t.version`;
const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
});

@Injectable()
export class TenantsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async list(access: Condition, query: ListTenantsQuery, cursor: Cursor | undefined): Promise<Page<Tenant>> {
    const keyset = keysetClauses({
      sortColumn: ['t', query.sort === 'slug' ? 'slug' : 'created_at'],
      sortType: query.sort === 'slug' ? 'text' : 'timestamptz',
      idColumn: ['t', 'id'],
      order: query.order,
      cursor,
      limit: query.limit,
    });
    const rows = await this.db.pool.any(sql.type(tenantRow.extend({ cursor_key: z.string() }))`
      SELECT ${selectColumns}, ${keyset.cursorKey} FROM tenants t
      WHERE ${conditionToSql(access, tenantColumns)} AND ${keyset.after} ${keyset.orderBy} ${keyset.limit}`);
    return toPage(rows, query.limit, query.sort, toTenant);
  }

  async findOne(id: string, access: Condition, db: Queryable = this.db.pool): Promise<Tenant | null> {
    const row = await db.maybeOne(sql.type(tenantRow)`
      SELECT ${selectColumns} FROM tenants t WHERE t.id = ${id} AND ${conditionToSql(access, tenantColumns)}`);
    return row ? toTenant(row) : null;
  }

  async insert(tenant: { slug: string; name: string }, db: Queryable): Promise<Tenant> {
    return toTenant(
      await db.one(sql.type(tenantRow)`
        INSERT INTO tenants AS t (slug, name) VALUES (${tenant.slug}, ${tenant.name}) RETURNING ${selectColumns}`),
    );
  }

  async update(
    id: string,
    expectedVersion: number,
    change: { name: string },
    db: Queryable,
  ): Promise<Tenant | null> {
    const row = await db.maybeOne(sql.type(tenantRow)`
      UPDATE tenants AS t SET name = ${change.name}, version = t.version + 1, updated_at = now()
      WHERE t.id = ${id} AND t.version = ${expectedVersion} RETURNING ${selectColumns}`);
    return row ? toTenant(row) : null;
  }
}
