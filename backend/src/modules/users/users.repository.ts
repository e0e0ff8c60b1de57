import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { type ColumnMap, conditionToSql } from '../../core/authz/condition-sql.js';
import { Database, type Queryable } from '../../core/database/database.js';
import { keysetClauses, toPage } from '../../core/database/keyset.js';
import type { Cursor, Page } from '../../core/http/pagination.js';
import type { ListUsersQuery, UpdateUserBody, User } from './users.dto.js';

export const userColumns: ColumnMap = {
  id: { column: 'u.id', type: 'uuid' },
  tenantId: { column: 'u.tenant_id', type: 'uuid' },
  username: { column: 'u.username', type: 'text' },
  displayName: { column: 'u.display_name', type: 'text' },
  kind: { column: 'u.kind', type: 'text' },
  version: { column: 'u.version', type: 'int4' },
};

const userRow = z.object({
  id: z.uuid(),
  tenant_id: z.uuid().nullable(),
  username: z.string(),
  display_name: z.string().nullable(),
  kind: z.enum(['staff', 'data-subject']),
  roles: z.array(z.string()),
  site_ids: z.array(z.uuid()),
  attributes: z.record(z.string(), z.string()),
  last_seen_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.number().int(),
});
type UserRow = z.infer<typeof userRow>;
const selectColumns = sql.fragment`
  u.id, u.tenant_id, u.username, u.display_name, u.kind, u.roles, u.site_ids, u.attributes, u.last_seen_at,
  u.created_at, u.updated_at, u.version`;
const toUser = (r: UserRow): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  username: r.username,
  displayName: r.display_name,
  kind: r.kind,
  roles: r.roles,
  siteIds: r.site_ids,
  attributes: r.attributes,
  lastSeenAt: r.last_seen_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
});

@Injectable()
export class UsersRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async list(access: Condition, query: ListUsersQuery, cursor: Cursor | undefined): Promise<Page<User>> {
    const keyset = keysetClauses({
      sortColumn: ['u', query.sort === 'username' ? 'username' : 'created_at'],
      sortType: query.sort === 'username' ? 'text' : 'timestamptz',
      idColumn: ['u', 'id'],
      order: query.order,
      cursor,
      limit: query.limit,
    });
    const filters: FragmentSqlToken[] = [conditionToSql(access, userColumns), keyset.after];
    if (query.tenantId) filters.push(sql.fragment`u.tenant_id = ${query.tenantId}`);
    const rows = await this.db.pool.any(sql.type(userRow.extend({ cursor_key: z.string() }))`
      SELECT ${selectColumns}, ${keyset.cursorKey} FROM users u
      WHERE ${sql.join(filters, sql.fragment` AND `)} ${keyset.orderBy} ${keyset.limit}`);
    return toPage(rows, query.limit, query.sort, toUser);
  }

  async findOne(id: string, access: Condition, db: Queryable = this.db.pool): Promise<User | null> {
    const row = await db.maybeOne(sql.type(userRow)`
      SELECT ${selectColumns} FROM users u WHERE u.id = ${id} AND ${conditionToSql(access, userColumns)}`);
    return row ? toUser(row) : null;
  }

  async update(
    id: string,
    expectedVersion: number,
    change: UpdateUserBody,
    db: Queryable,
  ): Promise<User | null> {
    const sets: FragmentSqlToken[] = [
      sql.fragment`version = u.version + 1`,
      sql.fragment`updated_at = now()`,
    ];
    if (change.displayName !== undefined) sets.push(sql.fragment`display_name = ${change.displayName}`);
    if (change.attributes !== undefined)
      sets.push(sql.fragment`attributes = ${sql.jsonb(change.attributes)}`);
    const row = await db.maybeOne(sql.type(userRow)`
      UPDATE users AS u SET ${sql.join(sets, sql.fragment`, `)}
      WHERE u.id = ${id} AND u.version = ${expectedVersion} RETURNING ${selectColumns}`);
    return row ? toUser(row) : null;
  }
}
