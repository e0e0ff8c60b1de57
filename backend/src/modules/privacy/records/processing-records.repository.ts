/** What the record of processing needs from the database: the tenant's name and its retention choices. */
import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { type ColumnMap, conditionToSql } from '../../../core/authz/condition-sql.js';
import { Database } from '../../../core/database/database.js';

/** A tenant's record of processing is generated from its tenant row: the policy's fields map onto it. */
export const processingRecordColumns: ColumnMap = {
  tenantId: { column: 't.id', type: 'uuid' },
};

@Injectable()
export class ProcessingRecordsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** The tenant whose record the caller may generate, or null. */
  async tenant(id: string, access: Condition): Promise<{ name: string; slug: string } | null> {
    return this.db.pool.maybeOne(sql.type(z.object({ name: z.string(), slug: z.string() }))`
      SELECT t.name, t.slug FROM tenants t
      WHERE t.id = ${id} AND ${conditionToSql(access, processingRecordColumns)}`);
  }

  /** The tenant's chosen period per schedule id (the schedule's bounds are applied by the caller). */
  async retentionDays(tenantId: string): Promise<Map<string, number>> {
    const rows = await this.db.pool.any(sql.type(z.object({ schedule: z.string(), days: z.number().int() }))`
      SELECT schedule, days FROM retention_settings WHERE tenant_id = ${tenantId}`);
    return new Map(rows.map((r) => [r.schedule, r.days]));
  }
}
