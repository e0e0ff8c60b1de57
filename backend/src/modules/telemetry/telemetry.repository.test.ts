/**
 * The telemetry table as the API role sees it: it may create daily partitions only through the
 * security-definer function (concurrently, idempotently), and a batch written twice (a broker
 * redelivery after a crash) is stored once.
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { Database } from '../../core/database/database.js';
import { isMissingPartition, TelemetryRepository } from './telemetry.repository.js';
import type { TelemetryRow } from './telemetry-message.js';

let t: TestApp;
let repository: TelemetryRepository;
let db: Database;
beforeAll(async () => {
  t = await createTestApp();
  db = new Database(t.pool);
  repository = new TelemetryRepository(db);
});
afterAll(() => t?.close());

const partitions = () =>
  t.adminPool.anyFirst(sql.type(z.object({ name: z.string() }))`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'telemetry'::regclass ORDER BY 1`);

async function someDevice(): Promise<{ id: string; tenantId: string }> {
  return t.adminPool.one(sql.type(z.object({ id: z.string(), tenantId: z.string() }))`
    SELECT id, tenant_id AS "tenantId" FROM devices ORDER BY serial_number LIMIT 1`);
}

describe('TelemetryRepository', () => {
  it('creates each missing daily partition once, even when instances race, as the API role', async () => {
    const from = new Date('2030-01-30T12:00:00Z');
    const to = new Date('2030-02-02T01:00:00Z');
    const made = await Promise.all([1, 2, 3].map(() => repository.ensurePartitions(from, to)));
    expect(made.reduce((a, b) => a + b, 0)).toBe(4);
    expect(await partitions()).toEqual(
      expect.arrayContaining([
        'telemetry_20300130',
        'telemetry_20300131',
        'telemetry_20300201',
        'telemetry_20300202',
      ]),
    );
    expect(await repository.ensurePartitions(from, to)).toBe(0);
  });

  it('stores a batch written twice once, and says how many rows were new', async () => {
    const device = await someDevice();
    await repository.ensurePartitions(new Date('2030-03-01T00:00:00Z'), new Date('2030-03-01T00:00:00Z'));
    const rows: TelemetryRow[] = [0, 1, 2].map((seq) => ({
      deviceId: device.id,
      tenantId: device.tenantId,
      patientId: null,
      measuredAt: `2030-03-01T10:00:0${seq}.000Z`,
      seq,
      metrics: { temperature: 4 + seq },
    }));
    expect(await db.transaction((tx) => repository.insert(rows, tx))).toBe(3);
    expect(
      await db.transaction((tx) => repository.insert([...rows, { ...rows[0], seq: 9 } as TelemetryRow], tx)),
    ).toBe(1);
    const stored = await t.adminPool.any(sql.type(z.object({ seq: z.coerce.number(), metrics: z.unknown() }))`
      SELECT seq, metrics FROM telemetry WHERE device_id = ${device.id} ORDER BY seq`);
    expect(stored).toEqual([
      { seq: 0, metrics: { temperature: 4 } },
      { seq: 1, metrics: { temperature: 5 } },
      { seq: 2, metrics: { temperature: 6 } },
      { seq: 9, metrics: { temperature: 4 } },
    ]);
  });

  it('reports a row without a partition as such, so ingest can create it and retry', async () => {
    const device = await someDevice();
    const row = {
      deviceId: device.id,
      tenantId: device.tenantId,
      patientId: null,
      measuredAt: '2041-05-05T00:00:00.000Z',
      seq: 1,
      metrics: {},
    };
    const error = await db.transaction((tx) => repository.insert([row], tx)).catch((e: unknown) => e);
    expect(isMissingPartition(error)).toBe(true);
  });

  // Rows may be deleted (retention and erasure need it: migration 0006), never rewritten, truncated
  // or given new partitions except through telemetry_ensure_partition().
  it('cannot be changed or emptied by the API role', async () => {
    await expect(t.pool.query(sql.unsafe`UPDATE telemetry SET seq = 0`)).rejects.toThrow(/permission denied/);
    await expect(t.pool.query(sql.unsafe`TRUNCATE telemetry`)).rejects.toThrow(
      /permission denied|must be owner/,
    );
    await expect(
      t.pool.query(
        sql.unsafe`CREATE TABLE telemetry_x PARTITION OF telemetry FOR VALUES FROM ('2050-01-01') TO ('2050-01-02')`,
      ),
    ).rejects.toThrow(/permission denied|must be owner/);
  });
});
