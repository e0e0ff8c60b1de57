/** SQL for telemetry: batched idempotent inserts and the daily partitions they land in. */
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { type ProcessingFlags, readProcessingFlags } from '../../core/authz/processing-flags.js';
import { Database, type Queryable } from '../../core/database/database.js';
import type { TelemetryRow } from './telemetry-message.js';

const DAY_MS = 24 * 3600 * 1000;

const storedPoint = z.object({
  measuredAt: z.string(),
  seq: z.coerce.number(),
  patientId: z.string().nullable(),
  metrics: z.record(z.string(), z.union([z.number(), z.boolean()])),
});
export type StoredPoint = z.infer<typeof storedPoint>;

@Injectable()
export class TelemetryRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * Inserts the rows in one statement; rows already there (a redelivery after a crash) are skipped.
   * Returns how many were new.
   */
  async insert(rows: readonly TelemetryRow[], db: Queryable): Promise<number> {
    if (rows.length === 0) return 0;
    const result = await db.query(sql.unsafe`
      INSERT INTO telemetry (device_id, measured_at, seq, tenant_id, patient_id, metrics)
      SELECT * FROM ${sql.unnest(
        rows.map((r) => [
          r.deviceId,
          r.measuredAt,
          r.seq,
          r.tenantId,
          r.patientId,
          JSON.stringify(r.metrics),
        ]),
        ['uuid', 'timestamptz', 'int8', 'uuid', 'uuid', 'jsonb'],
      )}
      ON CONFLICT DO NOTHING`);
    return result.rowCount;
  }

  /** The device's most recent points in [from, to), at most `limit`, returned oldest first. */
  async range(deviceId: string, from: Date, to: Date, limit: number): Promise<StoredPoint[]> {
    const rows = await this.db.pool.any(sql.type(storedPoint)`
      SELECT measured_at AS "measuredAt", seq, patient_id AS "patientId", metrics FROM telemetry
      WHERE device_id = ${deviceId}
        AND measured_at >= ${from.toISOString()}::timestamptz AND measured_at < ${to.toISOString()}::timestamptz
      ORDER BY measured_at DESC, seq DESC
      LIMIT ${limit}`);
    return [...rows].reverse();
  }

  /** What each patient said about processing (restriction, objection, consent), as the policies read it. */
  processingFlags(tenantId: string, patientIds: readonly string[]): Promise<Map<string, ProcessingFlags>> {
    return readProcessingFlags(this.db.pool, tenantId, patientIds);
  }

  /** Creates the daily partitions covering [from, to] that do not exist yet; returns how many it made. */
  async ensurePartitions(from: Date, to: Date): Promise<number> {
    const days: string[] = [];
    for (let t = startOfUtcDay(from); t <= to.getTime(); t += DAY_MS)
      days.push(new Date(t).toISOString().slice(0, 10));
    let created = 0;
    for (const day of days) {
      const made = await this.db.pool.oneFirst(
        sql.type(z.object({ made: z.boolean() }))`SELECT telemetry_ensure_partition(${day}::date) AS made`,
      );
      if (made) created += 1;
    }
    return created;
  }
}

export function startOfUtcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

/** PostgreSQL's answer when a row's time has no partition (SQLSTATE 23514 with this text). */
export function isMissingPartition(error: unknown): boolean {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const candidates = [e, e?.cause];
  return candidates.some((c) => c?.code === '23514' && /no partition of relation/.test(c.message ?? ''));
}
