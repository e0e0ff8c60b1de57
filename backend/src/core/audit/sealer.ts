/**
 * Moves committed events from the intake into the sealed trail, in batches: each gets the next
 * sequence number and the hash of the entry before it, then the batch is inserted and removed from
 * the intake in one transaction. One sealer at a time (an advisory lock), whichever instance: the
 * chain can never fork, and sequence numbers have no gaps.
 */
import { type AuditEvent, canonicalJson, leafHash, toHex, ZERO_HASH_HEX } from '@custos/audit';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Database } from '../database/database.js';
import { advisoryXactLock, SEAL_LOCK } from './locks.js';
import { SealedColumns } from './search-columns.js';

const tailRow = z.object({ seq: z.coerce.number(), leaf_hash: z.instanceof(Buffer) });
const intakeRow = z.object({ id: z.coerce.number(), event: z.string() });

export class AuditSealer {
  constructor(
    private readonly db: Database,
    private readonly batchSize = 5000,
  ) {}

  /**
   * Seals one batch; returns how many events it sealed. Returns 0 when idle, or at once when
   * another instance holds the lock, unless `wait` (then it queues behind it).
   */
  sealBatch(wait = false): Promise<number> {
    return this.db.transaction(async (tx) => {
      if (!(await advisoryXactLock(tx, SEAL_LOCK, wait))) return 0;
      const rows = await tx.any(
        sql.type(intakeRow)`SELECT id, event FROM audit_intake ORDER BY id LIMIT ${this.batchSize}`,
      );
      if (rows.length === 0) return 0;
      const tail = await tx.maybeOne(
        sql.type(tailRow)`SELECT seq, leaf_hash FROM audit_events ORDER BY seq DESC LIMIT 1`,
      );
      let seq = tail ? tail.seq + 1 : 0;
      let prevHash = tail ? toHex(tail.leaf_hash) : ZERO_HASH_HEX;
      const columns = new SealedColumns();
      for (const row of rows) {
        const event = JSON.parse(row.event) as AuditEvent;
        const entry = canonicalJson({ ...event, seq, prevHash });
        const hash = leafHash(entry);
        columns.push(seq, entry, hash, event);
        prevHash = toHex(hash);
        seq++;
      }
      await tx.query(sql.unsafe`
        INSERT INTO audit_events
          (seq, entry, leaf_hash, occurred_at, type, outcome, tenant_id, actor_id, resource_type, resource_id, subject)
        SELECT * FROM unnest(${sql.array(columns.seq, 'int8')}, ${sql.array(columns.entry, 'text')},
          ${sql.array(columns.leafHash, 'bytea')}, ${sql.array(columns.occurredAt, 'timestamptz')},
          ${sql.array(columns.type, 'text')}, ${sql.array(columns.outcome, 'text')},
          ${sql.array(columns.tenantId, 'uuid')}, ${sql.array(columns.actorId, 'text')},
          ${sql.array(columns.resourceType, 'text')}, ${sql.array(columns.resourceId, 'text')},
          ${sql.array(columns.subject, 'text')})`);
      await tx.query(
        sql.unsafe`DELETE FROM audit_intake WHERE id = ANY(${sql.array(
          rows.map((r) => r.id),
          'int8',
        )})`,
      );
      return rows.length;
    });
  }

  /** Seals until the intake is empty (or, unless `wait`, until another instance is sealing). */
  async sealAll(wait = false): Promise<number> {
    let total = 0;
    for (;;) {
      const sealed = await this.sealBatch(wait);
      total += sealed;
      if (sealed < this.batchSize) return total;
    }
  }
}
