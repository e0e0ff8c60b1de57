/**
 * Erasure (GDPR art. 17) on the real stack, what the main erasure test leaves aside: every batch that
 * deletes or anonymises rows records a counts-only `privacy.data_erased` event in its own transaction
 * (the trail accounts for every row the outcome reports), and a person known only by their account
 * loses their earlier requests' bundles and codes too (the data map links those through either the
 * request's patient or its account).
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '@custos/audit';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { demoPatients, demoTenants } from '../../backend/src/launcher/demo-data.js';
import { FulfilmentService } from '../../backend/src/modules/privacy/fulfilment/fulfilment.service.js';
import { deviceIdBySerial, flush } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { addTelemetry, fileRequest, jobContext } from './fulfilment-support.js';

const acme = demoTenants.acme.id;

let t: TestApp;
let service: FulfilmentService;

beforeAll(async () => {
  // Small batches, so one table takes several transactions (and so several events).
  t = await createTestApp({ env: { RETENTION_BATCH_SIZE: '100' } });
  service = t.app.get(FulfilmentService);
});
afterAll(() => t?.close());

const count = (query: ReturnType<typeof sql.unsafe>) =>
  t.adminPool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM (${query}) q`);

/** The `privacy.data_erased` events of a request, as recorded. */
async function erasedEvents(requestId: string) {
  await flush(t);
  const rows = await t.adminPool.any(sql.type(z.object({ entry: z.string() }))`
    SELECT entry FROM audit_events WHERE type = 'privacy.data_erased' AND resource_id = ${requestId} ORDER BY seq`);
  return rows.map((r) => JSON.parse(r.entry) as AuditEntry);
}

describe('the audit trail of an erasure', () => {
  it('records a counts-only event per batch, whose rows add up to what the outcome reports', async () => {
    const p2 = demoPatients.p2.id;
    const device = await deviceIdBySerial(t, 'ACME-S-0002');
    await addTelemetry(t, { id: device, tenantId: acme }, p2, '2026-11-20T10:00:00Z', 250);
    const request = await fileRequest(t, { tenantId: acme, type: 'erasure', patientId: p2 });
    const outcome = await service.fulfil(request, jobContext());
    expect(outcome.counts.telemetry).toBe(250);

    const events = await erasedEvents(request.id);
    const sums: Record<string, number> = {};
    for (const event of events) {
      const payload = event.payload as { table: string; action: string; rows: number };
      expect(Object.keys(payload).sort()).toEqual(['action', 'rows', 'table']); // counts, never values
      expect(payload.rows).toBeGreaterThan(0);
      expect(event.sealed ?? null).toBeNull();
      expect(event.resource).toMatchObject({ type: 'PrivacyRequest', id: request.id });
      expect(event.subject).not.toBeNull();
      sums[payload.table] = (sums[payload.table] ?? 0) + payload.rows;
    }
    const changed = Object.fromEntries(
      Object.entries(outcome.counts).filter(
        ([table, n]) => n > 0 && table !== 'audit_events' && table !== 'audit_subject_keys',
      ),
    );
    expect(sums).toEqual(changed);
    // 250 telemetry rows in batches of 100: three transactions, three events.
    expect(events.filter((e) => (e.payload as { table: string }).table === 'telemetry')).toHaveLength(3);
    expect(events.find((e) => (e.payload as { table: string }).table === 'patients')?.payload).toMatchObject({
      action: 'anonymise',
    });

    // A second run changes nothing, and so records nothing.
    await service.fulfil(request, jobContext());
    expect(await erasedEvents(request.id)).toHaveLength(events.length);
  });
});

describe('a person known only by their account', () => {
  it('loses the bundles and codes of their earlier requests', async () => {
    const userId = await t.adminPool.oneFirst(sql.type(z.object({ id: z.string() }))`
      INSERT INTO users (external_id, issuer, tenant_id, username, display_name, roles)
      VALUES (${randomUUID()}, 'urn:custos:test-fixture', ${acme}, ${`only-account-${randomUUID().slice(0, 8)}`},
              'Only Account', ${sql.array(['data-subject'], 'text')})
      RETURNING id`);
    // An earlier access request about the account alone, answered: its bundle is stored in parts.
    const earlier = await fileRequest(t, { tenantId: acme, type: 'access', userId });
    await service.fulfil(earlier, jobContext());
    await t.adminPool.query(sql.unsafe`
      INSERT INTO privacy_request_codes (request_id, code_salt, code_hash, expires_at)
      VALUES (${earlier.id}, ${sql.binary(Buffer.alloc(16))}, ${'0'.repeat(64)}, now() + interval '30 minutes')`);
    const files = sql.unsafe`SELECT 1 FROM privacy_request_files WHERE request_id = ${earlier.id}`;
    const codes = sql.unsafe`SELECT 1 FROM privacy_request_codes WHERE request_id = ${earlier.id}`;
    expect(await count(files)).toBeGreaterThan(0);

    const erasure = await fileRequest(t, { tenantId: acme, type: 'erasure', userId });
    const outcome = await service.fulfil(erasure, jobContext());
    expect(await count(files)).toBe(0);
    expect(await count(codes)).toBe(0);
    expect(outcome.counts.privacy_request_files).toBeGreaterThan(0);
    expect(outcome.counts.privacy_request_codes).toBe(1);
  });
});
