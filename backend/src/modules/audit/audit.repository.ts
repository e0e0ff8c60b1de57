/** SQL of the audit API: searching the sealed trail, reading tree heads and streaming rows for exports. */
import type { BundleRow, SignedTreeHead, WitnessCosignature } from '@custos/audit';
import { toHex } from '@custos/audit';
import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { HEAD_COLUMNS, headFromRow, headRow } from '../../core/audit/tree-signer.js';
import { type ColumnMap, conditionToSql } from '../../core/authz/condition-sql.js';
import { Database, type Queryable } from '../../core/database/database.js';
import type { AuditFilter } from './audit.dto.js';

export const auditEventColumns: ColumnMap = {
  seq: { column: 'e.seq', type: 'int4' },
  tenantId: { column: 'e.tenant_id', type: 'uuid' },
};

const eventRow = z.object({
  seq: z.coerce.number(),
  entry: z.string(),
  leaf_hash: z.instanceof(Buffer),
  tenant_id: z.string().nullable(),
  /** The event's subject has no usable key (erased): read here so a page needs no query per row. */
  subject_key_gone: z.boolean(),
});
export type AuditEventRow = z.infer<typeof eventRow>;
const EVENT_COLUMNS = sql.fragment`e.seq, e.entry, e.leaf_hash, e.tenant_id, k.wrapped_key IS NULL AS subject_key_gone`;
const SUBJECT_KEY_JOIN = sql.fragment`LEFT JOIN audit_subject_keys k ON k.pseudonym = e.subject`;

const cosigRow = z.object({
  tree_size: z.coerce.number(),
  witness_key_id: z.string(),
  timestamp: z.string(),
  signature: z.instanceof(Buffer),
});

export interface ResolvedFilter extends Omit<AuditFilter, 'subjectKind' | 'subjectId'> {}

/** The WHERE clauses of a filter (the caller adds the access condition). */
export function filterClauses(filter: ResolvedFilter): FragmentSqlToken[] {
  const clauses: FragmentSqlToken[] = [];
  if (filter.from) clauses.push(sql.fragment`e.occurred_at >= ${filter.from}::timestamptz`);
  if (filter.to) clauses.push(sql.fragment`e.occurred_at < ${filter.to}::timestamptz`);
  if (filter.tenantId) clauses.push(sql.fragment`e.tenant_id = ${filter.tenantId}`);
  if (filter.actorId) clauses.push(sql.fragment`e.actor_id = ${filter.actorId}`);
  if (filter.action) clauses.push(sql.fragment`e.type = ${filter.action}`);
  if (filter.resourceType) clauses.push(sql.fragment`e.resource_type = ${filter.resourceType}`);
  if (filter.resourceId) clauses.push(sql.fragment`e.resource_id = ${filter.resourceId}`);
  if (filter.outcome) clauses.push(sql.fragment`e.outcome = ${filter.outcome}`);
  if (filter.subject) clauses.push(sql.fragment`e.subject = ${filter.subject}`);
  return clauses;
}

const and = (clauses: FragmentSqlToken[]) =>
  clauses.length > 0 ? sql.join(clauses, sql.fragment` AND `) : sql.fragment`TRUE`;

@Injectable()
export class AuditRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async search(
    access: Condition,
    filter: ResolvedFilter,
    page: { afterSeq: number | undefined; order: 'asc' | 'desc'; limit: number },
  ): Promise<AuditEventRow[]> {
    const clauses = [conditionToSql(access, auditEventColumns), ...filterClauses(filter)];
    if (page.afterSeq !== undefined) {
      clauses.push(
        page.order === 'asc'
          ? sql.fragment`e.seq > ${page.afterSeq}`
          : sql.fragment`e.seq < ${page.afterSeq}`,
      );
    }
    const direction = page.order === 'asc' ? sql.fragment`ASC` : sql.fragment`DESC`;
    return [
      ...(await this.db.pool.any(sql.type(eventRow)`
        SELECT ${EVENT_COLUMNS} FROM audit_events e ${SUBJECT_KEY_JOIN}
        WHERE ${and(clauses)} ORDER BY e.seq ${direction} LIMIT ${page.limit + 1}`)),
    ];
  }

  findOne(seq: number, access: Condition): Promise<AuditEventRow | null> {
    return this.db.pool.maybeOne(sql.type(eventRow)`
      SELECT ${EVENT_COLUMNS} FROM audit_events e ${SUBJECT_KEY_JOIN}
      WHERE e.seq = ${seq} AND ${conditionToSql(access, auditEventColumns)}`);
  }

  /** First and last sequence numbers (and count) matching, within the first `treeSize` events. */
  async span(
    access: Condition,
    filter: ResolvedFilter,
    treeSize: number,
  ): Promise<{ first: number; last: number; count: number } | null> {
    const row = await this.db.pool.one(sql.type(
      z.object({
        first: z.coerce.number().nullable(),
        last: z.coerce.number().nullable(),
        count: z.coerce.number(),
      }),
    )`
      SELECT min(e.seq) AS first, max(e.seq) AS last, count(*) AS count FROM audit_events e
      WHERE e.seq < ${treeSize} AND ${conditionToSql(access, auditEventColumns)} AND ${and(filterClauses(filter))}`);
    return row.first === null || row.last === null
      ? null
      : { first: row.first, last: row.last, count: row.count };
  }

  /**
   * Every row of [first, last] in order: the entry of those the export includes, only the leaf
   * hash of the others. Batches are fetched one ahead of the consumer.
   */
  async *rowsForExport(
    access: Condition,
    filter: ResolvedFilter,
    first: number,
    last: number,
    batch = 2_000,
  ): AsyncGenerator<BundleRow> {
    const included = and([conditionToSql(access, auditEventColumns), ...filterClauses(filter)]);
    const fetch = (from: number) =>
      this.db.pool.query(sql.unsafe`
        SELECT e.seq, e.leaf_hash, CASE WHEN ${included} THEN e.entry END AS entry FROM audit_events e
        WHERE e.seq >= ${from} AND e.seq < ${Math.min(from + batch, last + 1)} ORDER BY e.seq`);
    let next = first <= last ? fetch(first) : null;
    next?.catch(() => undefined);
    for (let from = first; next; from += batch) {
      const result = await next;
      next = from + batch <= last ? fetch(from + batch) : null;
      // Awaited on the next turn; if the reader goes away first, its failure must not go unhandled.
      next?.catch(() => undefined);
      for (const row of result.rows as { seq: string | number; leaf_hash: Buffer; entry: string | null }[]) {
        yield row.entry === null
          ? { seq: Number(row.seq), leafHash: row.leaf_hash }
          : { seq: Number(row.seq), leafHash: row.leaf_hash, entry: row.entry };
      }
    }
  }

  async heads(options: { before?: number; limit: number }): Promise<SignedTreeHead[]> {
    const rows = await this.db.pool.any(sql.type(headRow)`
      SELECT ${HEAD_COLUMNS} FROM audit_tree_heads
      WHERE ${options.before ? sql.fragment`tree_size < ${options.before}` : sql.fragment`TRUE`}
      ORDER BY tree_size DESC LIMIT ${options.limit}`);
    return rows.map(headFromRow);
  }

  async cosignatures(treeSizes: number[]): Promise<Map<number, WitnessCosignature[]>> {
    const byHead = new Map<number, WitnessCosignature[]>();
    if (treeSizes.length === 0) return byHead;
    const rows = await this.db.pool.any(sql.type(cosigRow)`
      SELECT tree_size, witness_key_id, "timestamp", signature FROM audit_witness_cosignatures
      WHERE tree_size = ANY(${sql.array(treeSizes, 'int8')}) ORDER BY tree_size, witness_key_id`);
    for (const row of rows) {
      const list = byHead.get(row.tree_size) ?? [];
      list.push({
        witnessKeyId: row.witness_key_id,
        timestamp: row.timestamp,
        signature: row.signature.toString('base64'),
      });
      byHead.set(row.tree_size, list);
    }
    return byHead;
  }

  /** The tree size of the tenant's previous export, if any. */
  async previousExportSize(tenantId: string | null): Promise<number | null> {
    return this.db.pool.maybeOneFirst(sql.type(z.object({ tree_size: z.coerce.number() }))`
      SELECT tree_size FROM audit_exports WHERE tenant_id IS NOT DISTINCT FROM ${tenantId}
      ORDER BY created_at DESC LIMIT 1`);
  }

  async recordExport(
    tx: Queryable,
    row: { id: string; tenantId: string | null; requestedBy: string; filter: object; treeSize: number },
  ): Promise<void> {
    await tx.query(sql.unsafe`
      INSERT INTO audit_exports (id, tenant_id, requested_by, filter, tree_size)
      VALUES (${row.id}, ${row.tenantId}, ${row.requestedBy}, ${sql.jsonb(row.filter as never)}, ${row.treeSize})`);
  }
}

export const leafHex = (row: { leaf_hash: Buffer }) => toHex(row.leaf_hash);
