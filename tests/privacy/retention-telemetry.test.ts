/**
 * Telemetry retention on the real stack: whole expired days dropped as partitions, per-tenant
 * periods, legal holds of every scope keeping exactly their rows, dry runs that report what the
 * real run then removes, and reruns that find nothing left.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'slonik';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lockHoldsForDeletion } from '../../backend/src/modules/privacy/holds/hold-lock.js';
import { RetentionEngine } from '../../backend/src/modules/privacy/retention/retention-engine.js';
import { entriesAfter } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  acme,
  type Devices,
  daysAgo,
  devices,
  globex,
  north,
  outcome,
  p1,
  partitionExists,
  placeHold,
  releaseHold,
  runRetention,
  telemetry,
  telemetryCount,
} from './retention-fixtures.js';

let t: TestApp;
let d: Devices;
beforeEach(async () => {
  t = await createTestApp();
  d = await devices(t);
});
afterEach(() => t?.close());

const old1 = daysAgo(200);
const old2 = daysAgo(120);
const recent = daysAgo(10);

/** Operational and health telemetry of both tenants on two expired days and a recent one. */
async function fleetTelemetry(): Promise<void> {
  for (const day of [old1, old2, recent]) {
    await telemetry(t, day, { id: d.northOps, tenantId: acme }, 30);
    await telemetry(t, day, { id: d.northP1, tenantId: acme, patientId: p1 }, 20);
    await telemetry(t, day, { id: d.globexOps, tenantId: globex }, 10);
  }
}

describe('telemetry retention', () => {
  it('drops whole expired days as partitions and keeps younger ones', async () => {
    await fleetTelemetry();
    const report = await runRetention(t);
    expect(await partitionExists(t, old1)).toBe(false);
    expect(await partitionExists(t, old2)).toBe(false);
    expect(await partitionExists(t, recent)).toBe(true);
    expect(await telemetryCount(t)).toBe(60);
    expect(report.partitions.map((p) => [p.day, p.outcome, p.rows])).toEqual([
      [old1, 'dropped', 60],
      [old2, 'dropped', 60],
    ]);
    expect(outcome(report, acme, 'telemetry.operational')).toMatchObject({
      rows: 60,
      partitions: 2,
      held: 0,
    });
    expect(outcome(report, acme, 'telemetry.health')).toMatchObject({ rows: 40, partitions: 2, held: 0 });
    expect(outcome(report, globex, 'telemetry.operational')).toMatchObject({ rows: 20, partitions: 2 });
    const acmeOps = outcome(report, acme, 'telemetry.operational');
    expect(acmeOps.from?.slice(0, 10)).toBe(old1);
    expect(acmeOps.to?.slice(0, 10)).toBe(old2);
    expect(report.totals).toMatchObject({ rows: 120, partitions: 2, held: 0 });
  });

  it('keeps a shared day for a tenant with a longer period and deletes only the other tenant’s rows', async () => {
    await fleetTelemetry();
    // Acme keeps operational telemetry 150 days: old2 (120 days ago) is still Acme's to keep.
    await t.adminPool.query(sql.unsafe`
      INSERT INTO retention_settings (tenant_id, schedule, days, updated_by)
      VALUES (${acme}, 'telemetry.operational', 150, '05e70000-0000-4000-8000-000000000007')`);
    const report = await runRetention(t);
    expect(await partitionExists(t, old1)).toBe(false);
    expect(await partitionExists(t, old2)).toBe(true);
    expect(await telemetryCount(t, old2, d.northOps)).toBe(30);
    expect(await telemetryCount(t, old2, d.northP1)).toBe(0);
    expect(await telemetryCount(t, old2, d.globexOps)).toBe(0);
    expect(report.partitions.find((p) => p.day === old2)).toMatchObject({ outcome: 'trimmed', rows: 30 });
    expect(outcome(report, acme, 'telemetry.operational')).toMatchObject({
      days: 150,
      rows: 30,
      partitions: 1,
    });
    expect(outcome(report, acme, 'telemetry.health')).toMatchObject({ days: 90, rows: 40, partitions: 1 });
    expect(outcome(report, globex, 'telemetry.operational')).toMatchObject({ days: 90, rows: 20 });
  });

  it.each([
    ['tenant', () => ({ scope: 'tenant' as const, tenantId: globex }), () => [d.globexOps]],
    ['site', () => ({ scope: 'site' as const, siteId: north.id }), () => [d.northOps, d.northP1]],
    ['device', () => ({ scope: 'device' as const, deviceId: d.northOps }), () => [d.northOps]],
    ['subject (patient)', () => ({ scope: 'subject' as const, patientId: p1 }), () => [d.northP1]],
    [
      'subject (the patient’s account)',
      () => ({ scope: 'subject' as const, userId: '05e70000-0000-4000-8000-000000000009' }),
      () => [d.northP1],
    ],
  ])(
    'a %s hold keeps exactly its rows; released, they go on the next run',
    async (_scope, hold, keptDevices) => {
      await fleetTelemetry();
      await telemetry(t, old1, { id: d.southOps, tenantId: acme }, 5);
      const holdId = await placeHold(t, hold());
      const kept = keptDevices();
      const expected = (day: string) =>
        ({
          [d.northOps]: 30,
          [d.northP1]: 20,
          [d.globexOps]: 10,
          [d.southOps]: day === old1 ? 5 : 0,
        }) as Record<string, number>;
      const report = await runRetention(t);
      for (const day of [old1, old2]) {
        for (const device of [d.northOps, d.northP1, d.southOps, d.globexOps]) {
          const left = kept.includes(device) ? expected(day)[device] : 0;
          expect(await telemetryCount(t, day, device), `${day} ${device}`).toBe(left);
        }
      }
      const heldRows = [old1, old2].reduce(
        (n, day) => n + kept.reduce((m, dev) => m + (expected(day)[dev] ?? 0), 0),
        0,
      );
      expect(report.totals.held).toBe(heldRows);
      expect(report.tenants.flatMap((s) => s.holds)).toEqual([holdId]);
      expect(report.partitions.every((p) => p.outcome === 'trimmed')).toBe(true);

      await releaseHold(t, holdId);
      const next = await runRetention(t);
      expect(next.totals).toMatchObject({ rows: heldRows, held: 0 });
      expect(await partitionExists(t, old1)).toBe(false);
      expect(await partitionExists(t, old2)).toBe(false);
    },
  );

  it('a hold on other categories keeps nothing of telemetry', async () => {
    await fleetTelemetry();
    await placeHold(t, { scope: 'tenant', categories: ['user.privacy.request'] });
    const report = await runRetention(t);
    expect(report.totals).toMatchObject({ rows: 120, held: 0, partitions: 2 });
  });

  it('a dry run removes nothing and reports exactly what the real run then removes', async () => {
    await fleetTelemetry();
    await placeHold(t, { scope: 'device', deviceId: d.northP1 });
    const dry = await runRetention(t, { dryRun: true });
    expect(await telemetryCount(t)).toBe(180);
    expect(await partitionExists(t, old1)).toBe(true);
    const real = await runRetention(t);
    const counts = (r: typeof dry) => ({
      totals: r.totals,
      partitions: r.partitions.map(({ ms: _, ...p }) => p),
      tenants: r.tenants,
    });
    expect(dry.dryRun).toBe(true);
    expect(counts(dry)).toEqual(counts(real));
    expect(real.totals).toMatchObject({ rows: 80, held: 40 });
  });

  it('a second run right after the first removes nothing and says so', async () => {
    await fleetTelemetry();
    await placeHold(t, { tenantId: globex, scope: 'device', deviceId: d.globexOps });
    const first = await runRetention(t);
    expect(first.totals.rows).toBe(100);
    const second = await runRetention(t);
    expect(second.totals).toMatchObject({ rows: 0, partitions: 0, held: 20 });
    expect(second.partitions.map((p) => p.outcome)).toEqual(['kept', 'kept']);
  });

  it('a run over one tenant removes only that tenant’s rows and drops no shared day', async () => {
    await fleetTelemetry();
    const report = await runRetention(t, { tenantId: globex });
    expect(report.scope).toEqual({ tenantId: globex });
    expect(report.tenants.map((s) => s.tenantId)).toEqual([globex]);
    expect(await telemetryCount(t, old1)).toBe(50);
    expect(await telemetryCount(t, old1, d.globexOps)).toBe(0);
    expect(report.totals).toMatchObject({ rows: 20, partitions: 0 });
    // The day held nothing but Globex's rows now: Globex's next run may drop it.
    await t.adminPool.query(sql.unsafe`DELETE FROM telemetry WHERE tenant_id = ${acme}`);
    await telemetry(t, daysAgo(300), { id: d.globexOps, tenantId: globex }, 7);
    const next = await runRetention(t, { tenantId: globex });
    expect(next.partitions.find((p) => p.day === daysAgo(300))).toMatchObject({
      outcome: 'dropped',
      rows: 7,
    });
  });

  it('a run cut short resumes where it stopped, with exact counts and one set of receipts', async () => {
    await fleetTelemetry();
    const id = randomUUID();
    await t.pool.query(sql.unsafe`INSERT INTO retention_runs (id, dry_run) VALUES (${id}, false)`);
    const engine = t.app.get(RetentionEngine);
    const crash = {
      unitFinished: async (unit: string) => {
        if (unit === `telemetry:${old1}`) throw new Error('instance died');
      },
    };
    await expect(engine.execute(id, { observer: crash })).rejects.toThrow('instance died');
    const failed = await t.adminPool.one(sql.type(z.object({ status: z.string(), report: z.any() }))`
      SELECT status, report FROM retention_runs WHERE id = ${id}`);
    expect(failed.status).toBe('failed');
    expect(failed.report.done).toEqual([`telemetry:${old1}`]);
    expect(await partitionExists(t, old1)).toBe(false);

    const report = await engine.execute(id);
    expect(report?.totals).toMatchObject({ rows: 120, partitions: 2 });
    expect(report?.partitions.map((p) => p.day)).toEqual([old1, old2]);
    expect(await engine.execute(id)).toBeNull();
    const receipts = (await entriesAfter(t)).filter((e) => e.type === 'privacy.retention_receipt');
    expect(receipts.map((e) => (e.payload as { runId: string }).runId)).toEqual([id, id, id]);
  });

  it('a hold placed while a deletion is in flight waits for it, and later batches spare its rows', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const deletion = t.pool.transaction(async (tx) => {
      await lockHoldsForDeletion(tx);
      await held;
    });
    let placed = false;
    const placing = t
      .request('POST', '/api/v1/privacy/legal-holds', {
        as: 'privacy',
        body: {
          scope: 'device',
          deviceId: d.northOps,
          reason: 'Pump litigation',
          ownerId: '05e70000-0000-4000-8000-000000000007',
        },
      })
      .then((res) => {
        placed = true;
        return res;
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(placed).toBe(false);
    release();
    await deletion;
    expect((await placing).status).toBe(201);
  });
});
