/**
 * The retention API on the real stack: schedules as they apply to the caller's tenant, a tenant's
 * own period within the declared bounds, runs by hand through the job queue, reports that show each
 * tenant only its part, and signed receipts in the audit trail that verify (and fail when changed).
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigningKeys } from '../../backend/src/core/audit/signing-keys.js';
import { JobWorker } from '../../backend/src/core/jobs/job-worker.js';
import { RetentionJobs } from '../../backend/src/modules/privacy/retention/retention.job.js';
import { verifyReceipt } from '../../backend/src/modules/privacy/retention/retention-receipt.js';
import { entriesAfter, lastSeq } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { acme, type Devices, daysAgo, demoUserId, devices, globex, telemetry } from './retention-fixtures.js';

let t: TestApp;
let d: Devices;
beforeAll(async () => {
  t = await createTestApp();
  d = await devices(t);
});
afterAll(() => t?.close());

const schedules = '/api/v1/privacy/retention/schedules';
const runs = '/api/v1/privacy/retention/runs';

describe('retention schedules', () => {
  it('lists every schedule as it applies to the caller’s tenant', async () => {
    const res = await t.request('GET', schedules, { as: 'privacy' });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(12);
    expect(res.body.items.every((s: { tenantId: string }) => s.tenantId === acme)).toBe(true);
    expect(res.body.items.find((s: { id: string }) => s.id === 'telemetry.health')).toEqual({
      id: 'telemetry.health',
      tenantId: acme,
      description: expect.any(String),
      table: 'telemetry',
      category: 'user.device.telemetry',
      action: 'drop-partitions',
      basis: expect.stringContaining('9(2)(h)'),
      days: 90,
      defaultDays: 90,
      tenantDays: { min: 7, max: 3650 },
      updatedAt: null,
      updatedBy: null,
    });
    for (const as of ['compliance', 'auditor', 'tenant-admin']) {
      expect((await t.request('GET', schedules, { as })).body.items, as).toHaveLength(12);
    }
    for (const as of ['operator', 'clinician', 'admin', 'subject']) {
      expect((await t.request('GET', schedules, { as })).body.items, as).toEqual([]);
    }
  });

  it('lets the privacy officer choose the tenant’s period within the bounds, audited', async () => {
    const before = await lastSeq(t);
    const res = await t.request('PUT', `${schedules}/telemetry.health`, {
      as: 'privacy',
      body: { days: 30 },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ days: 30, defaultDays: 90, updatedBy: demoUserId('privacy') });
    const listed = await t.request('GET', schedules, { as: 'auditor' });
    expect(listed.body.items.find((s: { id: string }) => s.id === 'telemetry.health').days).toBe(30);
    const events = (await entriesAfter(t, before)).filter((e) => e.type === 'privacy.retention_changed');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      resource: { type: 'RetentionSchedule', id: 'telemetry.health', tenantId: acme },
      payload: { changed: ['days', 'updatedBy'], after: { days: 30 } },
    });
    // Another tenant's view is untouched.
    const globexDays = await t.adminPool.maybeOneFirst(
      sql.unsafe`SELECT days FROM retention_settings WHERE tenant_id = ${globex}`,
    );
    expect(globexDays).toBeNull();
  });

  it.each([
    ['below the bounds', 'telemetry.health', 6],
    ['above the bounds', 'telemetry.operational', 3651],
    ['for a schedule whose period is fixed', 'device.commands', 3000],
  ])('refuses a period %s (400 on days)', async (_what, id, days) => {
    const res = await t.request('PUT', `${schedules}/${id}`, { as: 'privacy', body: { days } });
    expect(res.status, res.text).toBe(400);
    expect(res.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'days', location: 'body' }],
    });
  });

  it('answers 404 for an unknown schedule, 403 for readers who may not change it', async () => {
    expect(
      (await t.request('PUT', `${schedules}/made.up`, { as: 'privacy', body: { days: 30 } })).status,
    ).toBe(404);
    const compliance = await t.request('PUT', `${schedules}/telemetry.health`, {
      as: 'compliance',
      body: { days: 30 },
    });
    expect(compliance.status).toBe(403);
    expect(compliance.body.permission).toBe('update:RetentionSchedule');
    expect(
      (await t.request('PUT', `${schedules}/telemetry.health`, { as: 'operator', body: { days: 30 } }))
        .status,
    ).toBe(404);
  });
});

describe('retention runs', () => {
  it('runs a dry run by hand through the queue, with a signed receipt that verifies and fails when changed', async () => {
    await telemetry(t, daysAgo(100), { id: d.northOps, tenantId: acme }, 12);
    const before = await lastSeq(t);
    const res = await t.request('POST', runs, { as: 'privacy', body: { dryRun: true } });
    expect(res.status, res.text).toBe(202);
    expect(res.headers.location).toBe(`${runs}/${res.body.id}`);
    expect(res.body).toMatchObject({
      dryRun: true,
      status: 'running',
      trigger: 'manual',
      tenantId: acme,
      report: null,
    });
    expect(await t.app.get(JobWorker).runOnce()).toBe(true);

    const run = await t.request('GET', `${runs}/${res.body.id}`, { as: 'privacy' });
    expect(run.body).toMatchObject({ status: 'completed', requestedBy: demoUserId('privacy') });
    expect(run.body.finishedAt).toEqual(expect.any(String));
    expect(run.body.report.scope).toEqual({ tenantId: acme });
    expect(run.body.report.totals).toMatchObject({ rows: 12, partitions: 1 });
    expect(await t.adminPool.oneFirst(sql.unsafe`SELECT count(*)::int FROM telemetry`)).toBe(12);

    const entries = await entriesAfter(t, before);
    expect(entries.filter((e) => e.type === 'privacy.retention_run_requested')).toHaveLength(1);
    const receipts = entries.filter((e) => e.type === 'privacy.retention_receipt');
    expect(receipts).toHaveLength(1);
    const receipt = receipts[0]?.payload as Record<string, unknown>;
    expect(receipt).toMatchObject({ runId: res.body.id, tenantId: acme, dryRun: true });
    expect(run.body.report.receipts).toEqual([receipt]);

    const keys = await t.app.get(SigningKeys).all();
    expect(verifyReceipt(receipt, keys)).toMatchObject({ ok: true });
    const schedulesOf = receipt.schedules as Array<{ schedule: string; rows: number }>;
    const changed = {
      ...receipt,
      schedules: schedulesOf.map((s) =>
        s.schedule === 'telemetry.operational' ? { ...s, rows: s.rows - 1 } : s,
      ),
    };
    expect(verifyReceipt(changed, keys)).toEqual({ ok: false, reason: 'signature does not match' });
    expect(verifyReceipt({ ...receipt, dryRun: false }, keys)).toMatchObject({ ok: false });
  });

  it('refuses a run to anyone but the privacy officer', async () => {
    for (const as of ['operator', 'compliance', 'auditor', 'admin', 'tenant-admin']) {
      const res = await t.request('POST', runs, { as, body: { dryRun: true } });
      expect(res.status, as).toBe(403);
      expect(res.body.permission).toBe('run:RetentionSchedule');
    }
  });

  it('shows a tenant only its runs and its part of the scheduled run over all tenants', async () => {
    await telemetry(t, daysAgo(101), { id: d.globexOps, tenantId: globex }, 4);
    await t.app.get(RetentionJobs).scheduleDaily();
    expect(await t.app.get(JobWorker).runOnce()).toBe(true);
    const globexRun = await t.adminPool.oneFirst(sql.unsafe`
      INSERT INTO retention_runs (dry_run, tenant_id, status) VALUES (true, ${globex}, 'completed') RETURNING id`);

    const list = await t.request('GET', runs, { as: 'privacy' });
    expect(list.status).toBe(200);
    const ids = list.body.items.map((r: { id: string }) => r.id);
    expect(ids).not.toContain(globexRun);
    const scheduled = list.body.items.find((r: { trigger: string }) => r.trigger === 'scheduled');
    expect(scheduled).toMatchObject({ tenantId: null, dryRun: false, status: 'completed' });
    expect(scheduled.slot).toBe(new Date().toISOString().slice(0, 10));
    const startedAt = list.body.items.map((r: { startedAt: string }) => r.startedAt);
    expect(startedAt).toEqual([...startedAt].sort().reverse());

    const read = await t.request('GET', `${runs}/${scheduled.id}`, { as: 'auditor' });
    expect(read.body.report.tenants.map((s: { tenantId: string }) => s.tenantId)).toEqual([acme]);
    expect(read.body.report.receipts.map((r: { tenantId: string }) => r.tenantId)).toEqual([acme]);
    // Acme's twelve rows (left by the dry run) went, and Globex's four, which Acme's officers do not see.
    expect(read.body.report.totals).toMatchObject({ rows: 12, partitions: 1 });
    expect(read.body.report.partitions).toEqual([
      expect.objectContaining({
        day: daysAgo(100),
        rows: 12,
        tenants: [{ tenantId: acme, rows: 12, held: 0 }],
      }),
    ]);
    const all = await t.adminPool.oneFirst(
      sql.unsafe`SELECT report FROM retention_runs WHERE id = ${scheduled.id}`,
    );
    expect((all as { totals: { rows: number; partitions: number } }).totals).toMatchObject({
      rows: 16,
      partitions: 2,
    });

    expect((await t.request('GET', `${runs}/${globexRun}`, { as: 'privacy' })).status).toBe(404);
    expect((await t.request('GET', runs, { as: 'operator' })).body.items).toEqual([]);
    expect((await t.request('GET', `${runs}/${scheduled.id}`, { as: 'operator' })).status).toBe(404);
  });
});
