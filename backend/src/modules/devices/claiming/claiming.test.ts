/**
 * Claiming a device with the code on its sticker, and what its owner may do afterwards, through the
 * real API: codes are shown once and stored only as salted hashes (not in the table, the trail or
 * the logs), a redeemed code claims the device with its audit events, every refusal is recorded
 * with its reason, and transfer and unclaim need the device's current owner.
 */

import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { AuditEntry } from '@custos/audit';
import { sql } from 'slonik';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { entriesAfter, entriesOf, lastSeq } from '../../../../../tests/support/audit.js';
import { createTestApp, type TestApp, type TestResponse } from '../../../../../tests/support/test-app.js';
import { demoPatients, demoSites, demoTenants, demoUsers } from '../../../launcher/demo-data.js';
import { generateClaimCode, normaliseClaimCode } from './claim-code.js';

class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
}

const logs = new Capture();
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ logDestination: logs });
});
afterAll(() => t?.close());
// Each test starts with a fresh failure window per user: the limits have their own file.
beforeEach(async () => {
  await t.adminPool.query(sql.unsafe`DELETE FROM device_claim_throttle`);
});

const { acme } = demoTenants;
const { north, south } = demoSites;
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

type State = 'manufactured' | 'provisioned' | 'claimed' | 'active' | 'suspended';
async function device(state: State, siteId: string | null = null, patientId: string | null = null) {
  const serial = `CLM-${randomUUID().slice(0, 8).toUpperCase()}`;
  const id = (await t.adminPool.oneFirst(sql.unsafe`
    INSERT INTO devices (tenant_id, site_id, serial_number, model, lifecycle_state, patient_id, data_category)
    VALUES (${acme.id}, ${siteId}, ${serial}, 'CX-Temp 2', ${state}, ${patientId},
            ${patientId ? 'health' : 'operational'})
    RETURNING id`)) as string;
  return { id, serial };
}

const issue = (id: string, as = 'tenant-admin') =>
  t.request('POST', `/api/v1/devices/${id}/claim-code`, { as });
const redeem = (body: Record<string, string>, as = 'operator') =>
  t.request('POST', '/api/v1/claims', { as, body });
/** The audit events of a request, without the sign-in its token's first request records. */
const eventsOf = async (res: TestResponse) =>
  (await entriesOf(t, String(res.headers['x-request-id']))).filter(
    (e) => e.type !== 'auth.signed_in',
  ) as Array<Omit<AuditEntry, 'payload'> & { payload: Record<string, unknown> }>;
/** A code that differs from `code` in its last character only. */
const otherCode = (code: string) => `${code.slice(0, -1)}${code.endsWith('0') ? '1' : '0'}`;

async function withCode(state: State = 'provisioned') {
  const d = await device(state);
  const res = await issue(d.id);
  expect(res.status, res.text).toBe(201);
  return { ...d, code: res.body.code as string, issued: res };
}

const codeRows = (deviceId: string) =>
  t.adminPool.any(sql.type(
    z.object({ row: z.string(), used_by: z.string().nullable(), revoked: z.boolean(), attempts: z.number() }),
  )`
    SELECT to_jsonb(c)::text AS row, used_by, revoked_at IS NOT NULL AS revoked, attempts
    FROM device_claim_codes c WHERE device_id = ${deviceId} ORDER BY created_at`);

describe('claim codes', () => {
  it('are 80 random bits in four groups of base32, read forgivingly', () => {
    const codes = new Set(Array.from({ length: 2000 }, generateClaimCode));
    expect(codes.size).toBe(2000);
    for (const code of codes) expect(code).toMatch(CODE);
    expect(normaliseClaimCode(' k7qf 9xmb-2trw-hc4d ')).toBe('K7QF9XMB2TRWHC4D');
    expect(normaliseClaimCode('O1IL-0000-0000-0000')).toBe('0111000000000000');
    expect(normaliseClaimCode('K7QF-9XMB-2TRW-HC4')).toBe('');
    expect(normaliseClaimCode('U7QF-9XMB-2TRW-HC4D')).toBe('');
  });
});

describe('POST /api/v1/devices/{id}/claim-code', () => {
  it('answers the code and claim URL once, stores only a salted hash, and audits without the code', async () => {
    const d = await device('provisioned');
    const res = await issue(d.id);
    expect(res.status).toBe(201);
    const { code, claimUrl, expiresAt, createdAt } = res.body;
    expect(code).toMatch(CODE);
    expect(res.body).toMatchObject({ deviceId: d.id, serialNumber: d.serial });
    const url = new URL(claimUrl);
    expect(url.origin).toBe('http://localhost:3000');
    expect(url.pathname).toBe('/claim');
    expect(res.body.qrSvg).toMatch(
      /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*viewBox="0 0 \d+ \d+"[\s\S]*<path[\s\S]*<\/svg>\s*$/,
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({ serial: d.serial, code });
    const days = (Date.parse(expiresAt) - Date.parse(createdAt)) / 86_400_000;
    expect(days).toBeCloseTo(30, 5);
    expect(res.headers['cache-control']).toBe('no-store');

    const [stored] = await codeRows(d.id);
    expect(stored?.row).toMatch(/"code_hash": "[0-9a-f]{64}"/);
    for (const secret of [code, normaliseClaimCode(code)]) {
      expect(stored?.row).not.toContain(secret);
    }
    const events = await eventsOf(res);
    expect(events.map((e) => [e.type, e.outcome])).toEqual([['device.claim_code_issued', 'allowed']]);
    expect(events[0]?.payload).toEqual({ claimCodeId: expect.any(String), expiresAt, replaced: false });
    expect(JSON.stringify(events)).not.toContain(code.slice(0, 9));
  });

  it('replaces the previous live code: the old one no longer claims the device', async () => {
    const d = await withCode();
    const again = await issue(d.id);
    expect(again.status).toBe(201);
    expect(again.body.code).not.toBe(d.code);
    expect((await eventsOf(again))[0]?.payload).toMatchObject({ replaced: true });
    expect((await codeRows(d.id)).map((r) => r.revoked)).toEqual([true, false]);

    const old = await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id });
    expect(old.status).toBe(422);
    expect((await eventsOf(old))[0]?.payload).toMatchObject({ reason: 'code_superseded' });
  });

  it('is for whoever provisions: others get 404 or 403; a claimed device gets none', async () => {
    const d = await device('provisioned');
    expect((await issue(d.id, 'operator')).status).toBe(404);
    const compliance = await issue(d.id, 'compliance');
    expect(compliance.status).toBe(403);
    expect(compliance.body).toMatchObject({ code: 'forbidden', permission: 'provision:Device' });
    expect((await issue(d.id, 'operator-globex')).status).toBe(404);
    const claimed = await issue((await device('claimed', north.id)).id);
    expect(claimed.status).toBe(409);
    expect(claimed.body.code).toBe('invalid_state_transition');
    expect(await codeRows(d.id)).toEqual([]);
  });
});

describe('POST /api/v1/claims', () => {
  it('claims the device into the site, marks the code used and audits both steps', async () => {
    const d = await withCode();
    const typed = d.code.toLowerCase().replaceAll('-', ' ');
    const res = await redeem({ serialNumber: d.serial, code: typed, siteId: north.id });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: d.id, lifecycleState: 'claimed', siteId: north.id });
    expect(res.headers.etag).toBe(`"${res.body.version}"`);
    const operatorId = demoUsers.find((u) => u.username === 'operator')?.id;
    expect((await codeRows(d.id))[0]?.used_by).toBe(operatorId);

    const events = await eventsOf(res);
    expect(events.map((e) => [e.type, e.outcome])).toEqual([
      ['device.claimed', 'allowed'],
      ['device.claim_code_redeemed', 'allowed'],
    ]);
    expect(events[0]?.payload).toMatchObject({
      from: 'provisioned',
      to: 'claimed',
      after: { siteId: north.id },
    });
    expect(events[1]).toMatchObject({
      resource: { type: 'Device', id: d.id, tenantId: acme.id },
      payload: { claimCodeId: expect.any(String), serialNumber: d.serial },
    });
  });

  it('refuses a wrong code and an unknown serial with the same document, each audited with its reason', async () => {
    const d = await withCode();
    const wrong = await redeem({ serialNumber: d.serial, code: generateClaimCode(), siteId: north.id });
    const unknown = await redeem({ serialNumber: 'NO-SUCH-SERIAL', code: d.code, siteId: north.id });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['retry-after']).toBeUndefined();
    }
    const { requestId: _a, ...wrongDoc } = wrong.body;
    const { requestId: _b, ...unknownDoc } = unknown.body;
    expect(wrongDoc).toEqual(unknownDoc);
    expect(wrongDoc.code).toBe('invalid_claim_code');

    const [w] = await eventsOf(wrong);
    expect(w).toMatchObject({
      type: 'device.claim_code_redeemed',
      outcome: 'denied',
      resource: { id: d.id, tenantId: acme.id },
      payload: { reason: 'wrong_code', attempts: 1, error: { code: 'invalid_claim_code', status: 422 } },
    });
    const unknownEvents = await eventsOf(unknown);
    expect(unknownEvents).toHaveLength(1);
    expect(unknownEvents[0]).toMatchObject({
      outcome: 'denied',
      resource: { id: null, tenantId: acme.id },
      payload: { reason: 'unknown_serial', serialNumber: 'NO-SUCH-SERIAL' },
    });
    expect(JSON.stringify(unknownEvents)).not.toContain(d.code);
  });

  it('needs a provisioned device: the right code of a manufactured one answers 409 and stays live', async () => {
    const d = await withCode('manufactured');
    const res = await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id }, 'tenant-admin');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('invalid_state_transition');
    expect((await eventsOf(res))[0]?.payload).toMatchObject({ reason: 'not_claimable' });
    expect((await codeRows(d.id))[0]).toMatchObject({ used_by: null, revoked: false, attempts: 0 });
  });

  it('refuses a site the caller cannot see as a bad reference, and the code stays usable', async () => {
    const d = await withCode();
    const res = await redeem({ serialNumber: d.serial, code: d.code, siteId: south.id });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('invalid_reference');
    const events = await eventsOf(res);
    expect(events.map((e) => [e.outcome, e.payload.reason])).toEqual([['denied', 'site_unavailable']]);
    const ok = await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id });
    expect(ok.status).toBe(200);
  });

  it('refuses callers who may claim nothing before looking anything up (403, one event)', async () => {
    const d = await withCode();
    for (const user of ['compliance', 'clinician', 'admin']) {
      const res = await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id }, user);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'forbidden', permission: 'claim:Device' });
      const events = await eventsOf(res);
      expect(events.map((e) => [e.type, e.outcome])).toEqual([['device.claim_code_redeemed', 'denied']]);
    }
    expect((await codeRows(d.id))[0]).toMatchObject({ used_by: null, attempts: 0 });
  });
});

describe('transfer and unclaim', () => {
  const transfer = (id: string, siteId: string, as = 'tenant-admin') =>
    t.request('POST', `/api/v1/devices/${id}/transfer`, { as, body: { siteId } });
  const unclaim = (id: string, as = 'tenant-admin') =>
    t.request('POST', `/api/v1/devices/${id}/unclaim`, { as });

  it('moves a device to another site of its tenant, audited with where it was', async () => {
    const d = await device('active', north.id);
    const res = await transfer(d.id, south.id);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ siteId: south.id, lifecycleState: 'active' });
    const [event] = await eventsOf(res);
    expect(event).toMatchObject({
      type: 'device.transferred',
      payload: { changed: ['siteId'], after: { siteId: south.id }, fromSiteId: north.id },
    });
    expect((await transfer(d.id, south.id)).body.code).toBe('conflict');
  });

  it('needs the current owner, and a target site the caller can see', async () => {
    const mine = await device('claimed', north.id);
    const notMine = await device('claimed', south.id);
    expect((await transfer(mine.id, south.id, 'operator')).body.code).toBe('invalid_reference');
    expect((await transfer(notMine.id, north.id, 'operator')).status).toBe(404);
    expect((await transfer(mine.id, south.id, 'operator-globex')).status).toBe(404);
    const compliance = await transfer(mine.id, south.id, 'compliance');
    expect(compliance.status).toBe(403);
    expect(compliance.body.permission).toBe('update:Device');
    const global = await transfer(mine.id, demoSites.globexLab.id);
    expect(global.body.code).toBe('invalid_reference');
    expect((await transfer((await device('provisioned')).id, north.id)).status).toBe(409);
    const stale = await t.request('POST', `/api/v1/devices/${mine.id}/transfer`, {
      as: 'tenant-admin',
      body: { siteId: south.id },
      headers: { 'if-match': '"7"' },
    });
    expect(stale.status).toBe(412);
  });

  it('releases a device to provisioned, ends its patient link and kills every code it had', async () => {
    const d = await withCode();
    expect((await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id })).status).toBe(200);
    await t.adminPool.query(
      sql.unsafe`UPDATE devices SET patient_id = ${demoPatients.p1.id} WHERE id = ${d.id}`,
    );
    const res = await unclaim(d.id, 'operator');
    expect(res.status, res.text).toBe(200);
    const row = await t.adminPool.one(sql.unsafe`
      SELECT lifecycle_state, site_id, patient_id FROM devices WHERE id = ${d.id}`);
    expect(row).toEqual({ lifecycle_state: 'provisioned', site_id: null, patient_id: null });
    const [event] = await eventsOf(res);
    expect(event).toMatchObject({
      type: 'device.unclaimed',
      payload: { from: 'claimed', to: 'provisioned', after: { siteId: null } },
    });
    expect(event?.payload.changed).toContain('patientId');
    expect(event?.subject).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(event)).not.toContain(demoPatients.p1.id);

    const reused = await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id });
    expect(reused.status).toBe(422);
    expect((await eventsOf(reused))[0]?.payload).toMatchObject({ reason: 'code_used' });
  });

  it('revokes a live code on release, releases suspended devices but not active ones', async () => {
    const d = await withCode();
    await t.adminPool.query(sql.unsafe`
      UPDATE devices SET lifecycle_state = 'claimed', site_id = ${north.id} WHERE id = ${d.id}`);
    expect((await unclaim(d.id)).status).toBe(200);
    expect((await codeRows(d.id)).map((r) => r.revoked)).toEqual([true]);

    const active = await device('active', north.id);
    const refused = await unclaim(active.id);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ lifecycleState: 'active', action: 'unclaim' });
    expect((await unclaim((await device('suspended', south.id)).id)).status).toBe(200);
    expect((await unclaim(active.id, 'operator-globex')).status).toBe(404);
    expect((await unclaim((await device('claimed', south.id)).id, 'operator')).status).toBe(404);
  });
});

describe('secrets', () => {
  it('never writes a claim code to the logs or the audit trail', async () => {
    const before = await lastSeq(t);
    const d = await withCode();
    await redeem({ serialNumber: d.serial, code: otherCode(d.code), siteId: north.id });
    await redeem({ serialNumber: d.serial, code: d.code, siteId: north.id });
    const trail = JSON.stringify(await entriesAfter(t, before));
    const logged = logs.lines.join('');
    expect(logged).toContain('request completed');
    for (const secret of [d.code, normaliseClaimCode(d.code), d.code.slice(0, 14)]) {
      expect(logged).not.toContain(secret);
      expect(trail).not.toContain(secret);
    }
  });
});
