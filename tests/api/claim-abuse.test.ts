/**
 * Abuse of device claiming, end to end: guessing a device's code (locked after five wrong codes,
 * even for the right one, with Retry-After), reusing or outliving a code, claiming another tenant's
 * device with its real code (indistinguishable from an unknown serial number), and enumerating
 * serial numbers (one user blocked after twenty failures). Every refusal is in the audit trail with
 * its reason; no input, however random, gives a 500 or claims anything.
 */

import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '@custos/audit';
import fc from 'fast-check';
import { sql } from 'slonik';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sqlStateOf } from '../../backend/src/core/errors/to-app-error.js';
import { demoSites, demoTenants } from '../../backend/src/launcher/demo-data.js';
import { generateClaimCode } from '../../backend/src/modules/devices/claiming/claim-code.js';
import {
  DEVICE_LOCK_AFTER,
  DEVICE_LOCK_SECONDS,
  USER_FAILURE_LIMIT,
  USER_WINDOW_SECONDS,
} from '../../backend/src/modules/devices/claiming/claim-limits.js';
import { entriesOf } from '../support/audit.js';
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.js';
import { expectProblem } from './support/fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());
beforeEach(async () => {
  await t.adminPool.query(sql.unsafe`DELETE FROM device_claim_throttle`);
});

const { acme, globex } = demoTenants;
const { north, globexLab } = demoSites;

/** A provisioned Acme device with a fresh claim code, issued through the API. */
async function claimable(): Promise<{ id: string; serial: string; code: string }> {
  const serial = `ABU-${randomUUID().slice(0, 8).toUpperCase()}`;
  const id = (await t.adminPool.oneFirst(sql.unsafe`
    INSERT INTO devices (tenant_id, serial_number, model, lifecycle_state)
    VALUES (${acme.id}, ${serial}, 'CX-Temp 2', 'provisioned') RETURNING id`)) as string;
  const res = await t.request('POST', `/api/v1/devices/${id}/claim-code`, { as: 'tenant-admin' });
  expect(res.status, res.text).toBe(201);
  return { id, serial, code: res.body.code };
}

const redeem = (body: Record<string, string>, as = 'operator') =>
  t.request('POST', '/api/v1/claims', { as, body });
const wrongCodeFor = (code: string) => {
  let other = generateClaimCode();
  while (other === code) other = generateClaimCode();
  return other;
};
/** The audit events of a request, without the sign-in its token's first request records. */
const eventsOf = async (res: TestResponse) =>
  (await entriesOf(t, String(res.headers['x-request-id']))).filter(
    (e) => e.type !== 'auth.signed_in',
  ) as Array<Omit<AuditEntry, 'payload'> & { payload: Record<string, unknown> }>;
const reasonOf = async (res: TestResponse) => (await eventsOf(res))[0]?.payload.reason;
const stateOf = (id: string) =>
  t.adminPool.one(sql.type(z.object({ lifecycle_state: z.string(), site_id: z.string().nullable() }))`
    SELECT lifecycle_state, site_id FROM devices WHERE id = ${id}`);
const withoutRequestId = ({ requestId: _, ...problem }: Record<string, unknown>) => problem;

describe('brute force against one device', () => {
  it(`locks the device after ${DEVICE_LOCK_AFTER} wrong codes, even for the right code, with Retry-After`, async () => {
    const d = await claimable();
    for (let i = 1; i <= DEVICE_LOCK_AFTER; i++) {
      const res = await redeem({ serialNumber: d.serial, code: wrongCodeFor(d.code), siteId: north.id });
      expect(res.status).toBe(422);
      expect((await eventsOf(res))[0]?.payload).toMatchObject({
        reason: 'wrong_code',
        attempts: i,
      });
    }
    for (const code of [d.code, wrongCodeFor(d.code)]) {
      const locked = await redeem({ serialNumber: d.serial, code, siteId: north.id }, 'tenant-admin');
      expectProblem(locked, 429);
      expect(locked.body.code).toBe('too_many_attempts');
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(DEVICE_LOCK_SECONDS - 60);
      expect(retryAfter).toBeLessThanOrEqual(DEVICE_LOCK_SECONDS);
      expect(await reasonOf(locked)).toBe('device_locked');
    }
    expect(await stateOf(d.id)).toEqual({ lifecycle_state: 'provisioned', site_id: null });

    // The lock is in the database, not in one instance: when it ends, the right code works.
    await t.adminPool.query(sql.unsafe`
      UPDATE device_claim_codes SET locked_until = now() - interval '1 second' WHERE device_id = ${d.id}`);
    const ok = await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id }, 'tenant-admin');
    expect(ok.status, ok.text).toBe(200);
  });

  it('counts parallel guesses one by one: no more than the limit get through before the lock', async () => {
    const d = await claimable();
    const answers = await Promise.all(
      Array.from({ length: DEVICE_LOCK_AFTER + 3 }, (_, i) =>
        redeem(
          { serialNumber: d.serial, code: wrongCodeFor(d.code), siteId: north.id },
          i % 2 ? 'operator' : 'tenant-admin',
        ),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 422)).toHaveLength(DEVICE_LOCK_AFTER);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    const attempts = await t.adminPool.oneFirst(sql.unsafe`
      SELECT attempts FROM device_claim_codes WHERE device_id = ${d.id}`);
    expect(attempts).toBe(DEVICE_LOCK_AFTER);
  });
});

describe('reuse and expiry', () => {
  it('refuses a used code with the generic answer, audited as reuse', async () => {
    const d = await claimable();
    expect((await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id })).status).toBe(200);
    const again = await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id }, 'tenant-admin');
    expectProblem(again, 422);
    expect(again.body.code).toBe('invalid_claim_code');
    expect(await reasonOf(again)).toBe('code_used');
  });

  it('refuses an expired code with the generic answer, audited as expired', async () => {
    const d = await claimable();
    await t.adminPool.query(sql.unsafe`
      UPDATE device_claim_codes
      SET created_at = now() - interval '31 days', expires_at = now() - interval '1 day'
      WHERE device_id = ${d.id}`);
    const res = await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id });
    expectProblem(res, 422);
    expect(res.body.code).toBe('invalid_claim_code');
    expect(await reasonOf(res)).toBe('code_expired');
    expect(await stateOf(d.id)).toEqual({ lifecycle_state: 'provisioned', site_id: null });
  });

  it('does not let the API role rewrite a code’s validity, delete it or bring a used code back', async () => {
    const d = await claimable();
    const failure = (query: ReturnType<typeof sql.unsafe>) =>
      t.pool.query(query).then(() => 'succeeded', sqlStateOf);
    expect(
      await failure(sql.unsafe`
        UPDATE device_claim_codes SET expires_at = now() + interval '10 years' WHERE device_id = ${d.id}`),
    ).toBe('42501');
    expect(await failure(sql.unsafe`DELETE FROM device_claim_codes WHERE device_id = ${d.id}`)).toBe('42501');
    expect((await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id })).status).toBe(200);
    expect(
      await failure(sql.unsafe`
        UPDATE device_claim_codes SET used_at = NULL, used_by = NULL WHERE device_id = ${d.id}`),
    ).toBe('23514');
  });
});

describe('another tenant’s device', () => {
  it('answers its real serial and code exactly like an unknown serial, and audits it in the caller’s tenant', async () => {
    const d = await claimable();
    const foreign = await redeem(
      { serialNumber: d.serial, code: d.code, siteId: globexLab.id },
      'operator-globex',
    );
    const unknown = await redeem(
      { serialNumber: `NONE-${randomUUID().slice(0, 8)}`, code: d.code, siteId: globexLab.id },
      'operator-globex',
    );
    for (const res of [foreign, unknown]) expectProblem(res, 422);
    expect(withoutRequestId(foreign.body)).toEqual(withoutRequestId(unknown.body));
    expect(Object.keys(foreign.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
    expect(foreign.text).not.toContain(d.id);

    const [event] = await eventsOf(foreign);
    expect(event).toMatchObject({
      type: 'device.claim_code_redeemed',
      outcome: 'denied',
      actor: { tenantId: globex.id },
      resource: { type: 'Device', id: null, tenantId: globex.id },
      payload: { reason: 'unknown_serial', serialNumber: d.serial },
    });
    // Nothing of Acme's moved: its device, its code's guess count (no cross-tenant lock-out).
    expect(await stateOf(d.id)).toEqual({ lifecycle_state: 'provisioned', site_id: null });
    const attempts = await t.adminPool.oneFirst(sql.unsafe`
      SELECT attempts FROM device_claim_codes WHERE device_id = ${d.id}`);
    expect(attempts).toBe(0);
  });
});

describe('enumeration across serial numbers', () => {
  it(`blocks a user after ${USER_FAILURE_LIMIT} failures, whatever the serials, and no one else`, async () => {
    const d = await claimable();
    for (let i = 0; i < USER_FAILURE_LIMIT; i++) {
      const res = await redeem({
        serialNumber: `ENUM-${String(i).padStart(4, '0')}`,
        code: generateClaimCode(),
        siteId: north.id,
      });
      expect(res.status).toBe(422);
    }
    const blocked = await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id });
    expectProblem(blocked, 429);
    expect(blocked.body.code).toBe('too_many_attempts');
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(USER_WINDOW_SECONDS - 120);
    expect(retryAfter).toBeLessThanOrEqual(USER_WINDOW_SECONDS);
    expect(await reasonOf(blocked)).toBe('too_many_failures');
    expect(await stateOf(d.id)).toEqual({ lifecycle_state: 'provisioned', site_id: null });

    const other = await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id }, 'tenant-admin');
    expect(other.status, other.text).toBe(200);

    // The window ends: the user may try again.
    await t.adminPool.query(sql.unsafe`
      UPDATE device_claim_throttle SET window_started_at = now() - interval '2 hours'`);
    const later = await redeem({ serialNumber: 'ENUM-LATER', code: generateClaimCode(), siteId: north.id });
    expect(later.status).toBe(422);
  });
});

describe('random input', () => {
  it('never answers 5xx and never claims anything, whatever serial and code', async () => {
    const d = await claimable();
    const devices = () =>
      t.adminPool.oneFirst(sql.unsafe`
        SELECT md5(string_agg(to_jsonb(r)::text, ',' ORDER BY id)) FROM devices r`);
    const before = await devices();
    const serial = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/),
      fc.constant(d.serial),
    );
    const code = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 -]{0,38}$/),
      fc.constant(generateClaimCode()),
    );
    const caller = fc.constantFrom('operator', 'operator-globex', 'tenant-admin', 'clinician');
    await fc.assert(
      fc.asyncProperty(serial, code, caller, async (s, c, as) => {
        const res = await redeem({ serialNumber: s, code: c, siteId: north.id }, as);
        expect(res.status, res.text).toBeGreaterThanOrEqual(400);
        expect(res.status, res.text).toBeLessThan(500);
        expectProblem(res);
      }),
      { numRuns: 120, endOnFailure: true },
    );
    expect(await devices()).toBe(before);
    const used = await t.adminPool.oneFirst(sql.unsafe`
      SELECT count(*)::int FROM device_claim_codes WHERE used_at IS NOT NULL AND device_id = ${d.id}`);
    expect(used).toBe(0);
  });
});
