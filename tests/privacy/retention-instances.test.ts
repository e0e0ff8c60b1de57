/**
 * Retention with several backend instances on one database: the daily slot scheduled by every
 * instance runs once, and runs that overlap (on two instances at once) never remove or count a row
 * twice: their receipts add up to exactly what went, and each verifies.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SigningKeys } from '../../backend/src/core/audit/signing-keys.js';
import { JobWorker } from '../../backend/src/core/jobs/job-worker.js';
import { RetentionJobs } from '../../backend/src/modules/privacy/retention/retention.job.js';
import { RetentionEngine } from '../../backend/src/modules/privacy/retention/retention-engine.js';
import {
  type RetentionReceipt,
  verifyReceipt,
} from '../../backend/src/modules/privacy/retention/retention-receipt.js';
import type { RetentionReport } from '../../backend/src/modules/privacy/retention/retention-report.js';
import { entriesAfter, lastSeq } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  acme,
  type Devices,
  daysAgo,
  devices,
  globex,
  placeHold,
  telemetry,
  telemetryCount,
} from './retention-fixtures.js';

let a: TestApp;
let b: TestApp;
let d: Devices;
beforeAll(async () => {
  const env = { RETENTION_BATCH_SIZE: '100' };
  a = await createTestApp({ env });
  b = await createTestApp({ env, sameDatabaseAs: a });
  d = await devices(a);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const days = [300, 250, 200, 150, 120, 100].map(daysAgo);

async function receiptsAfter(seq: number): Promise<RetentionReceipt[]> {
  const entries = await entriesAfter(a, seq);
  return entries
    .filter((e) => e.type === 'privacy.retention_receipt')
    .map((e) => e.payload as RetentionReceipt);
}

/** Rows removed per tenant and schedule, summed over receipts. */
function removed(receipts: RetentionReceipt[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const receipt of receipts) {
    for (const s of receipt.schedules) {
      if (s.rows === 0) continue;
      const key = `${receipt.tenantId}:${s.schedule}`;
      sums[key] = (sums[key] ?? 0) + s.rows;
    }
  }
  return sums;
}

describe('several instances', () => {
  it('schedule the day’s run once and run it once, whichever instance claims it', async () => {
    const now = new Date();
    const [jobA, jobB] = await Promise.all([
      a.app.get(RetentionJobs).scheduleDaily(now),
      b.app.get(RetentionJobs).scheduleDaily(now),
    ]);
    expect(jobA).toBe(jobB);
    // Every later tick of the same day names the same job.
    expect(await a.app.get(RetentionJobs).scheduleDaily(now)).toBe(jobA);
    const before = await lastSeq(a);
    const ran = await Promise.all([a.app.get(JobWorker).runOnce(), b.app.get(JobWorker).runOnce()]);
    expect(ran.filter(Boolean)).toHaveLength(1);
    const slots = await a.adminPool.any(sql.type(z.object({ slot: z.string(), status: z.string() }))`
      SELECT to_char(slot, 'YYYY-MM-DD') AS slot, status FROM retention_runs WHERE slot IS NOT NULL`);
    expect(slots).toEqual([{ slot: now.toISOString().slice(0, 10), status: 'completed' }]);
    // One receipt per tenant and one for data of no tenant, all from that one run.
    const receipts = await receiptsAfter(before);
    expect(new Set(receipts.map((r) => r.runId)).size).toBe(1);
    expect(receipts.map((r) => r.tenantId).sort()).toEqual([acme, globex, null].sort());
  });

  it('two manual runs at once on two instances drop each day once and count each row once', async () => {
    for (const day of days) await telemetry(a, day, { id: d.northOps, tenantId: acme }, 40);
    const before = await lastSeq(a);
    const first = await a.request('POST', '/api/v1/privacy/retention/runs', {
      as: 'privacy',
      body: { dryRun: false },
    });
    const second = await b.request('POST', '/api/v1/privacy/retention/runs', {
      as: 'privacy',
      body: { dryRun: false },
    });
    expect([first.status, second.status]).toEqual([202, 202]);
    const ran = await Promise.all([a.app.get(JobWorker).runOnce(), b.app.get(JobWorker).runOnce()]);
    expect(ran).toEqual([true, true]);

    expect(await telemetryCount(a)).toBe(0);
    const reports = await Promise.all(
      [first.body.id, second.body.id].map(
        async (id) =>
          (await a.request('GET', `/api/v1/privacy/retention/runs/${id}`, { as: 'privacy' })).body.report,
      ),
    );
    const dropped = reports.flatMap((r) =>
      r.partitions.filter((p: { outcome: string }) => p.outcome === 'dropped'),
    );
    expect(dropped.map((p: { day: string }) => p.day).sort()).toEqual([...days].sort());
    expect(reports[0].totals.rows + reports[1].totals.rows).toBe(240);
    const receipts = await receiptsAfter(before);
    expect(receipts).toHaveLength(2);
    expect(removed(receipts)).toEqual({ [`${acme}:telemetry.operational`]: 240 });
    const keys = await a.app.get(SigningKeys).all();
    for (const receipt of receipts) expect(verifyReceipt(receipt, keys)).toMatchObject({ ok: true });
  });

  it('two runs over all tenants at once, trimming held days batch by batch, never remove a row twice', async () => {
    for (const day of days) {
      await telemetry(a, day, { id: d.northOps, tenantId: acme }, 300);
      await telemetry(a, day, { id: d.southOps, tenantId: acme }, 10);
      await telemetry(a, day, { id: d.globexOps, tenantId: globex }, 50);
    }
    await placeHold(a, { scope: 'device', deviceId: d.southOps });
    const before = await lastSeq(a);
    const run = async (t: TestApp): Promise<RetentionReport> => {
      const id = randomUUID();
      await t.pool.query(sql.unsafe`INSERT INTO retention_runs (id, dry_run) VALUES (${id}, false)`);
      return (await t.app.get(RetentionEngine).execute(id)) as RetentionReport;
    };
    const [one, two] = await Promise.all([run(a), run(b)]);
    expect(one.totals.rows + two.totals.rows).toBe(days.length * 350);
    expect(await telemetryCount(a)).toBe(days.length * 10);
    for (const day of days) expect(await telemetryCount(a, day, d.southOps)).toBe(10);
    // Each run says what holds kept (a fact, not work): both see the same.
    expect(one.totals.held).toBe(days.length * 10);
    expect(two.totals.held).toBe(days.length * 10);
    const receipts = await receiptsAfter(before);
    expect(removed(receipts)).toEqual({
      [`${acme}:telemetry.operational`]: days.length * 300,
      [`${globex}:telemetry.operational`]: days.length * 50,
    });
  });

  it('a run taken over by another instance (a lost lease) is counted by one attempt only', async () => {
    const kept = await telemetryCount(a);
    for (const day of days) await telemetry(a, day, { id: d.globexOps, tenantId: globex }, 250);
    const id = randomUUID();
    await a.pool.query(sql.unsafe`INSERT INTO retention_runs (id, dry_run) VALUES (${id}, false)`);
    const before = await lastSeq(a);
    // Both instances execute the same run at once, as after a lease ran out on a live instance.
    const outcomes = await Promise.allSettled([
      a.app.get(RetentionEngine).execute(id),
      b.app.get(RetentionEngine).execute(id),
    ]);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason.name).toBe('RunSuperseded');
    const stored = await a.adminPool.one(sql.type(z.object({ status: z.string(), report: z.any() }))`
      SELECT status, report FROM retention_runs WHERE id = ${id}`);
    if (stored.status !== 'completed') expect(await b.app.get(RetentionEngine).execute(id)).not.toBeNull();
    const report = (await a.adminPool.oneFirst(
      sql.unsafe`SELECT report FROM retention_runs WHERE id = ${id}`,
    )) as RetentionReport;
    expect(report.totals.rows).toBe(days.length * 250);
    expect(await telemetryCount(a)).toBe(kept);
    const receipts = (await receiptsAfter(before)).filter((r) => r.runId === id);
    expect(receipts.map((r) => r.tenantId).sort()).toEqual([acme, globex, null].sort());
    expect(removed(receipts)).toEqual({ [`${globex}:telemetry.operational`]: days.length * 250 });
  });
});
