/**
 * Fixtures of the retention tests: telemetry in daily partitions written by the database owner,
 * runs started the way the API and the scheduler start them, and what is left afterwards.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'slonik';
import { z } from 'zod';
import {
  demoPatients,
  demoSites,
  demoTenants,
  demoUserByName,
} from '../../backend/src/launcher/demo-data.js';
import { RetentionEngine } from '../../backend/src/modules/privacy/retention/retention-engine.js';
import type { RetentionReport } from '../../backend/src/modules/privacy/retention/retention-report.js';
import { deviceIdBySerial } from '../support/audit.js';
import type { TestApp } from '../support/test-app.js';

export const acme = demoTenants.acme.id;
export const globex = demoTenants.globex.id;
export const { north, south } = demoSites;
export const p1 = demoPatients.p1.id;

export const demoUserId = (username: string): string => demoUserByName(username)?.id as string;

/** The UTC date `days` before today. */
export function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

export interface Devices {
  /** Acme North, monitors no patient. */
  northOps: string;
  /** Acme North, monitors patient p1. */
  northP1: string;
  /** Acme South, monitors no patient. */
  southOps: string;
  /** Globex, monitors no patient. */
  globexOps: string;
}

export async function devices(t: TestApp): Promise<Devices> {
  return {
    northOps: await deviceIdBySerial(t, 'ACME-N-0001'),
    northP1: await deviceIdBySerial(t, 'ACME-N-0002'),
    southOps: await deviceIdBySerial(t, 'ACME-S-0001'),
    globexOps: await deviceIdBySerial(t, 'GLX-0001'),
  };
}

/** `rows` readings of one device on one day (its partition created first), spread over the day. */
export async function telemetry(
  t: TestApp,
  day: string,
  device: { id: string; tenantId: string; patientId?: string | null },
  rows: number,
): Promise<void> {
  await t.adminPool.query(sql.unsafe`SELECT telemetry_ensure_partition(${day}::date)`);
  await t.adminPool.query(sql.unsafe`
    INSERT INTO telemetry (device_id, measured_at, seq, tenant_id, patient_id, metrics)
    SELECT ${device.id}, ${day}::date + make_interval(secs => i * 86399.0 / ${rows}), i, ${device.tenantId},
           ${device.patientId ?? null}, jsonb_build_object('t', i)
    FROM generate_series(0, ${rows - 1}) AS i`);
}

export async function telemetryCount(t: TestApp, day?: string, deviceId?: string): Promise<number> {
  const filters = [sql.fragment`TRUE`];
  if (day) filters.push(sql.fragment`measured_at >= ${day}::date AND measured_at < ${day}::date + 1`);
  if (deviceId) filters.push(sql.fragment`device_id = ${deviceId}`);
  return t.adminPool.oneFirst(sql.type(z.object({ n: z.coerce.number() }))`
    SELECT count(*) AS n FROM telemetry WHERE ${sql.join(filters, sql.fragment` AND `)}`);
}

export async function partitionExists(t: TestApp, day: string): Promise<boolean> {
  return t.adminPool.oneFirst(sql.type(z.object({ found: z.boolean() }))`
    SELECT to_regclass(${`telemetry_${day.replaceAll('-', '')}`}) IS NOT NULL AS found`);
}

/** A run as the engine runs it from the queue: over one tenant, or over all (tenantId null). */
export async function runRetention(
  t: TestApp,
  options: { dryRun?: boolean; tenantId?: string | null } = {},
): Promise<RetentionReport> {
  const id = randomUUID();
  await t.pool.query(sql.unsafe`
    INSERT INTO retention_runs (id, dry_run, tenant_id) VALUES (${id}, ${options.dryRun ?? false}, ${options.tenantId ?? null})`);
  const report = await t.app.get(RetentionEngine).execute(id);
  if (!report) throw new Error('the run did not execute');
  return report;
}

/** The outcome of one schedule for one tenant in a report. */
export function outcome(report: RetentionReport, tenantId: string | null, schedule: string) {
  const found = report.tenants
    .find((s) => s.tenantId === tenantId)
    ?.schedules.find((s) => s.schedule === schedule);
  if (!found) throw new Error(`no ${schedule} for ${tenantId} in the report`);
  return found;
}

/** Places a hold straight in the database (the API is tested on its own). */
export async function placeHold(
  t: TestApp,
  hold: {
    tenantId?: string;
    scope: 'tenant' | 'site' | 'device' | 'subject';
    siteId?: string;
    deviceId?: string;
    patientId?: string;
    userId?: string;
    categories?: string[];
  },
): Promise<string> {
  // The owner must be a user of the hold's tenant: Acme's privacy officer, Globex's operator.
  const owner = (hold.tenantId ?? acme) === acme ? demoUserId('privacy') : demoUserId('operator-globex');
  return t.adminPool.oneFirst(sql.type(z.object({ id: z.uuid() }))`
    INSERT INTO legal_holds (tenant_id, scope, site_id, device_id, patient_id, user_id, categories, reason, owner_id, created_by)
    VALUES (${hold.tenantId ?? acme}, ${hold.scope}, ${hold.siteId ?? null}, ${hold.deviceId ?? null},
            ${hold.patientId ?? null}, ${hold.userId ?? null}, ${sql.array(hold.categories ?? [], 'text')},
            'A test matter', ${owner}, ${owner})
    RETURNING id`);
}

export async function releaseHold(t: TestApp, id: string): Promise<void> {
  await t.adminPool.query(sql.unsafe`
    UPDATE legal_holds SET released_at = now(), released_by = owner_id, release_reason = 'Matter closed', version = version + 1
    WHERE id = ${id}`);
}
