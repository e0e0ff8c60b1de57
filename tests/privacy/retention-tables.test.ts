/**
 * Retention of ordinary tables on the real stack: `delete` schedules remove expired rows in
 * batches and spare held ones (also where the table links to its subject through another table or
 * by a text column), `anonymise` overwrites what the data map says and keeps the row, `review`
 * only counts, and data of no tenant is left to the scheduled run over all tenants.
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  acme,
  type Devices,
  demoUserId,
  devices,
  globex,
  outcome,
  p1,
  placeHold,
  releaseHold,
  runRetention,
} from './retention-fixtures.js';

let t: TestApp;
let d: Devices;
const operator = demoUserId('operator');

beforeAll(async () => {
  // Small batches, so that several batches run.
  t = await createTestApp({ env: { RETENTION_BATCH_SIZE: '100' } });
  d = await devices(t);
});
afterAll(() => t?.close());

const count = (query: ReturnType<typeof sql.unsafe>) =>
  t.adminPool.oneFirst(sql.type(z.object({ n: z.coerce.number() }))`SELECT count(*) AS n FROM (${query}) q`);

/** `rows` commands to a device, created `age` ago (an interval such as '7 years'). */
async function commands(
  deviceId: string,
  tenantId: string,
  rows: number,
  age: string,
  by = operator,
): Promise<void> {
  await t.adminPool.query(sql.unsafe`
    INSERT INTO device_commands (device_id, tenant_id, name, requested_by, created_at, expires_at, status)
    SELECT ${deviceId}, ${tenantId}, 'reboot', ${by}, now() - ${age}::interval,
           now() - ${age}::interval + interval '1 minute', 'acknowledged'
    FROM generate_series(1, ${rows})`);
}

describe('delete schedules', () => {
  it('delete expired commands in batches, sparing a device hold and a hold on who requested them', async () => {
    const old = '7 years';
    await commands(d.northOps, acme, 250, old);
    await commands(d.southOps, acme, 120, old, demoUserId('tenant-admin'));
    await commands(d.globexOps, globex, 30, old, demoUserId('operator-globex'));
    await commands(d.northOps, acme, 5, '0 seconds');
    const deviceHold = await placeHold(t, { scope: 'device', deviceId: d.southOps });
    const userHold = await placeHold(t, { scope: 'subject', userId: operator });
    await commands(d.northP1, acme, 40, old);

    const report = await runRetention(t);
    const left = (deviceId: string) =>
      count(sql.unsafe`SELECT 1 FROM device_commands WHERE device_id = ${deviceId}`);
    expect(await left(d.northOps)).toBe(255);
    expect(await left(d.northP1)).toBe(40);
    expect(await left(d.southOps)).toBe(120);
    expect(await left(d.globexOps)).toBe(0);
    expect(outcome(report, acme, 'device.commands')).toMatchObject({ rows: 0, held: 410 });
    expect(outcome(report, globex, 'device.commands')).toMatchObject({ rows: 30, held: 0 });
    expect(report.tenants.find((s) => s.tenantId === acme)?.holds.sort()).toEqual(
      [deviceHold, userHold].sort(),
    );

    await releaseHold(t, userHold);
    const next = await runRetention(t);
    expect(outcome(next, acme, 'device.commands')).toMatchObject({ rows: 290, held: 120 });
    expect(await left(d.northOps)).toBe(5);
    await releaseHold(t, deviceHold);
  });

  it('delete one-time codes of requests (linked through the request) and finished jobs of no tenant', async () => {
    const request = await insertRequest(acme, 'DSR-CODE-0001', '0 seconds');
    await t.adminPool.query(sql.unsafe`
      INSERT INTO privacy_request_codes (request_id, code_salt, code_hash, created_at, expires_at)
      SELECT ${request}, decode(repeat('00', 16), 'hex'), repeat('a', 64), now() - interval '3 days', now() - interval '2 days'
      FROM generate_series(1, 3)`);
    await t.adminPool.query(sql.unsafe`
      INSERT INTO jobs (queue, state, finished_at, created_at)
      SELECT 'test.queue', 'done', now() - interval '40 days', now() - interval '41 days' FROM generate_series(1, 4)`);

    const globexRun = await runRetention(t, { tenantId: globex });
    expect(outcome(globexRun, globex, 'privacy.request-codes').rows).toBe(0);
    expect(globexRun.tenants.some((s) => s.tenantId === null)).toBe(false);
    expect(await count(sql.unsafe`SELECT 1 FROM jobs WHERE queue = 'test.queue'`)).toBe(4);

    const hold = await placeHold(t, { scope: 'subject', patientId: p1 });
    const held = await runRetention(t, { tenantId: acme });
    expect(outcome(held, acme, 'privacy.request-codes')).toMatchObject({ rows: 0, held: 3 });
    await releaseHold(t, hold);

    const all = await runRetention(t);
    expect(outcome(all, acme, 'privacy.request-codes')).toMatchObject({ rows: 3, held: 0 });
    expect(outcome(all, null, 'jobs.finished').rows).toBeGreaterThanOrEqual(4);
    expect(await count(sql.unsafe`SELECT 1 FROM privacy_request_codes`)).toBe(0);
    expect(await count(sql.unsafe`SELECT 1 FROM jobs WHERE queue = 'test.queue'`)).toBe(0);
  });

  it('delete restrictions lifted long ago, never ones in force', async () => {
    await t.adminPool.query(sql.unsafe`
      INSERT INTO processing_restrictions (tenant_id, patient_id, kind, created_at, lifted_at, lifted_reason)
      VALUES (${acme}, ${p1}, 'restriction', now() - interval '8 years', now() - interval '7 years', 'done'),
             (${acme}, ${p1}, 'restriction', now() - interval '8 years', NULL, NULL)`);
    const report = await runRetention(t, { tenantId: acme });
    expect(outcome(report, acme, 'privacy.restrictions-lifted').rows).toBe(1);
    expect(await count(sql.unsafe`SELECT 1 FROM processing_restrictions WHERE lifted_at IS NULL`)).toBe(1);
  });
});

/** A completed access request received `age` ago (an interval). */
async function insertRequest(tenantId: string, reference: string, age: string): Promise<string> {
  return t.adminPool.oneFirst(sql.type(z.object({ id: z.uuid() }))`
    INSERT INTO privacy_requests (tenant_id, reference, type, status, jurisdiction, received_at, due_at,
                                  contact_email, details, subject_reference, subject_patient_id, access_token_sha256)
    VALUES (${tenantId}, ${reference}, 'access', 'completed', 'gdpr', now() - ${age}::interval,
            now() - ${age}::interval + interval '30 days', 'pat@example.org', 'Please send my data',
            'Pat', ${tenantId === acme ? p1 : null}, repeat('b', 64))
    RETURNING id`);
}

describe('anonymise and review schedules', () => {
  it('anonymise requests older than six years: the row stays, what identifies the requester goes', async () => {
    const old = await insertRequest(acme, 'DSR-OLD0-0001', '7 years');
    const recent = await insertRequest(acme, 'DSR-NEW0-0001', '0 seconds');
    const dry = await runRetention(t, { dryRun: true, tenantId: acme });
    expect(outcome(dry, acme, 'privacy.requests').rows).toBe(1);
    const report = await runRetention(t, { tenantId: acme });
    expect(outcome(report, acme, 'privacy.requests')).toMatchObject({ action: 'anonymise', rows: 1 });
    const row = await t.adminPool.one(
      sql.type(
        z.object({
          contact_email: z.string().nullable(),
          details: z.string().nullable(),
          reference: z.string(),
          version: z.number(),
          access_token_sha256: z.string().nullable(),
        }),
      )`SELECT contact_email, details, reference, version, access_token_sha256 FROM privacy_requests WHERE id = ${old}`,
    );
    expect(row).toEqual({
      contact_email: null,
      details: null,
      reference: 'DSR-OLD0-0001',
      version: 2,
      access_token_sha256: null,
    });
    expect(
      await count(
        sql.unsafe`SELECT 1 FROM privacy_requests WHERE id = ${recent} AND contact_email IS NOT NULL`,
      ),
    ).toBe(1);
    const again = await runRetention(t, { tenantId: acme });
    expect(outcome(again, acme, 'privacy.requests').rows).toBe(0);
  });

  it('review schedules count what is past the period and remove nothing', async () => {
    await t.adminPool.query(sql.unsafe`
      INSERT INTO consent_records (tenant_id, patient_id, purpose, action, source, recorded_at)
      VALUES (${acme}, ${p1}, 'analytics', 'given', 'officer', now() - interval '7 years'),
             (${acme}, ${p1}, 'analytics', 'withdrawn', 'officer', now())`);
    const report = await runRetention(t, { tenantId: acme });
    expect(outcome(report, acme, 'consent.records')).toMatchObject({
      action: 'review',
      rows: 0,
      pastPeriod: 1,
    });
    expect(await count(sql.unsafe`SELECT 1 FROM consent_records`)).toBe(2);
  });
});
