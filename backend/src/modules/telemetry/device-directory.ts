/**
 * Which devices exist and may send, as ingest needs it: one query per batch for the devices not
 * seen recently. A lifecycle change (suspension, decommissioning) reaches ingest within the TTL.
 */
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { Database } from '../../core/database/database.js';
import type { DeviceFacts } from './telemetry-message.js';

const TTL_MS = 5_000;
const MAX_ENTRIES = 100_000;

const factsRow = z.object({
  id: z.string(),
  tenant_id: z.string(),
  model: z.string(),
  lifecycle_state: z.string(),
  patient_id: z.string().nullable(),
});

@Injectable()
export class DeviceDirectory {
  private readonly cache = new Map<string, { facts: DeviceFacts | undefined; until: number }>();

  constructor(@Inject(Database) private readonly db: Database) {}

  async lookup(ids: Iterable<string>, now = Date.now()): Promise<Map<string, DeviceFacts | undefined>> {
    const found = new Map<string, DeviceFacts | undefined>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = this.cache.get(id);
      if (hit && hit.until > now) found.set(id, hit.facts);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const rows = await this.db.pool.any(sql.type(factsRow)`
      SELECT id, tenant_id, model, lifecycle_state, patient_id FROM devices
      WHERE id = ANY(${sql.array(missing, 'uuid')})`);
    const byId = new Map(rows.map((r) => [r.id, r]));
    if (this.cache.size + missing.length > MAX_ENTRIES) this.cache.clear();
    for (const id of missing) {
      const row = byId.get(id);
      // Unknown ids are cached too, so a device that does not exist cannot cost a query per message.
      const facts = row
        ? {
            id: row.id,
            tenantId: row.tenant_id,
            model: row.model,
            lifecycleState: row.lifecycle_state,
            patientId: row.patient_id,
          }
        : undefined;
      this.cache.set(id, { facts, until: now + TTL_MS });
      found.set(id, facts);
    }
    return found;
  }
}
