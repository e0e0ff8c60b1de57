/**
 * The legal holds API on the real stack: who may place, read, change and release holds, what a
 * hold may name, optimistic concurrency, the finality of a release, and audit events that keep the
 * officer's free text sealed.
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SubjectVault } from '../../backend/src/core/audit/subject-vault.js';
import { entriesOf } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  acme,
  type Devices,
  demoUserId,
  devices,
  globex,
  north,
  p1,
  placeHold,
} from './retention-fixtures.js';

let t: TestApp;
let d: Devices;
beforeAll(async () => {
  t = await createTestApp();
  d = await devices(t);
});
afterAll(() => t?.close());

const privacy = demoUserId('privacy');
const place = (body: Record<string, unknown>, as = 'privacy') =>
  t.request('POST', '/api/v1/privacy/legal-holds', { as, body });
/** The request's event of this type (a first request also records the caller's sign-in). */
async function eventOf(res: { headers: Record<string, unknown> }, type: string) {
  const entries = await entriesOf(t, String(res.headers['x-request-id']));
  const found = entries.filter((e) => e.type === type);
  expect(found).toHaveLength(1);
  return found[0];
}
const deviceHold = () => ({
  scope: 'device',
  deviceId: d.northOps,
  categories: ['user.device.telemetry'],
  reason: 'Litigation about the north ward pump (Dr Smith)',
  matter: 'CASE-2026-17',
  ownerId: privacy,
});

describe('placing a hold', () => {
  it('lets a privacy officer place one, with its reason sealed in the audit event', async () => {
    const res = await place(deviceHold());
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/privacy/legal-holds/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({
      tenantId: acme,
      scope: 'device',
      deviceId: d.northOps,
      siteId: null,
      categories: ['user.device.telemetry'],
      ownerId: privacy,
      createdBy: privacy,
      releasedAt: null,
      version: 1,
    });
    const event = await eventOf(res, 'privacy.legal_hold_placed');
    expect(event?.outcome).toBe('allowed');
    expect(event?.resource).toEqual({ type: 'LegalHold', id: res.body.id, tenantId: acme });
    const text = JSON.stringify(event?.payload);
    expect(text).not.toContain('Smith');
    expect(text).not.toContain('CASE-2026-17');
    expect(event?.payload).toMatchObject({
      changed: expect.arrayContaining(['reason', 'matter', 'deviceId']),
    });
    // Not a subject hold: sealed under the officer who wrote the text.
    const vault = t.app.get(SubjectVault);
    expect(event?.subject).toBe(await vault.pseudonym('user', acme, privacy));
    expect(await vault.open(event?.sealed as never)).toMatchObject({
      reason: deviceHold().reason,
      matter: 'CASE-2026-17',
    });
  });

  it('seals a subject hold’s text and patient under the patient', async () => {
    const res = await place({
      scope: 'subject',
      patientId: p1,
      reason: 'Complaint by the patient',
      ownerId: privacy,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ patientId: p1, userId: null, categories: [] });
    const event = await eventOf(res, 'privacy.legal_hold_placed');
    expect(event?.subject).toBe(await t.app.get(SubjectVault).pseudonym('patient', acme, p1));
    expect(JSON.stringify(event?.payload)).not.toContain(p1);
  });

  it.each([
    ['a device scope without its device', { scope: 'device' }, 'deviceId'],
    ['a tenant scope naming a site', { scope: 'tenant', siteId: north.id }, 'siteId'],
    ['a subject scope naming both', { scope: 'subject', patientId: p1, userId: privacy }, 'patientId'],
    ['an unknown category', { scope: 'tenant', categories: ['user.made-up'] }, 'categories.0'],
    ['a repeated category', { scope: 'tenant', categories: ['user.name', 'user.name'] }, 'categories'],
    ['an empty reason', { scope: 'tenant', reason: '   ' }, 'reason'],
  ])('refuses %s (400, naming the field)', async (_what, change, path) => {
    const res = await place({ reason: 'x', ownerId: privacy, ...change });
    expect(res.status, res.text).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it.each([
    ['a device of another tenant', () => ({ scope: 'device', deviceId: d.globexOps }), 'deviceId'],
    ['an unknown site', () => ({ scope: 'site', siteId: '7d1c2b8e-5a4f-4c3e-9b2a-1f0e9d8c7b6a' }), 'siteId'],
    [
      'an owner of another tenant',
      () => ({ scope: 'tenant', ownerId: demoUserId('operator-globex') }),
      'ownerId',
    ],
  ])('refuses %s (422 invalid_reference, naming the field)', async (_what, change, path) => {
    const res = await place({ reason: 'x', ownerId: privacy, ...change() });
    expect(res.status, res.text).toBe(422);
    expect(res.body).toMatchObject({ code: 'invalid_reference', errors: [{ path }] });
  });

  it('refuses operators, auditors and the platform admin (403)', async () => {
    for (const as of ['operator', 'auditor', 'admin', 'tenant-admin']) {
      const res = await place(deviceHold(), as);
      expect(res.status, as).toBe(403);
      expect(res.body.permission).toBe('create:LegalHold');
    }
  });
});

describe('reading holds', () => {
  it('lists the tenant’s holds for privacy and compliance officers, filtered and newest first', async () => {
    const globexHold = await placeHold(t, { tenantId: globex, scope: 'tenant' });
    const list = await t.request('GET', '/api/v1/privacy/legal-holds?scope=device&active=true', {
      as: 'compliance',
    });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(
      list.body.items.every(
        (h: { scope: string; tenantId: string }) => h.scope === 'device' && h.tenantId === acme,
      ),
    ).toBe(true);
    const all = await t.request('GET', '/api/v1/privacy/legal-holds?limit=200', { as: 'privacy' });
    const times = all.body.items.map((h: { createdAt: string }) => h.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(all.body.items.map((h: { id: string }) => h.id)).not.toContain(globexHold);
    expect(
      (await t.request('GET', `/api/v1/privacy/legal-holds/${globexHold}`, { as: 'privacy' })).status,
    ).toBe(404);
    expect((await t.request('GET', '/api/v1/privacy/legal-holds', { as: 'operator' })).body.items).toEqual(
      [],
    );
  });

  it('pages with a cursor', async () => {
    const first = await t.request('GET', '/api/v1/privacy/legal-holds?limit=1', { as: 'privacy' });
    expect(first.body.items).toHaveLength(1);
    const second = await t.request(
      'GET',
      `/api/v1/privacy/legal-holds?limit=1&cursor=${first.body.nextCursor}`,
      {
        as: 'privacy',
      },
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });
});

describe('changing and releasing a hold', () => {
  it('changes the reason with If-Match, refusing a stale or missing one', async () => {
    const created = await place(deviceHold());
    const url = `/api/v1/privacy/legal-holds/${created.body.id}`;
    expect((await t.request('PATCH', url, { as: 'privacy', body: { matter: null } })).status).toBe(428);
    const changed = await t.request('PATCH', url, {
      as: 'compliance',
      body: { reason: 'Litigation, now also the south ward', ownerId: demoUserId('compliance') },
      headers: { 'if-match': '"1"' },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, ownerId: demoUserId('compliance') });
    expect(changed.headers.etag).toBe('"2"');
    const event = await eventOf(changed, 'privacy.legal_hold_updated');
    expect(event?.payload).toMatchObject({ changed: ['reason', 'ownerId'] });
    expect(JSON.stringify(event?.payload)).not.toContain('south ward');
    const stale = await t.request('PATCH', url, {
      as: 'privacy',
      body: { matter: 'X' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    const operator = await t.request('PATCH', url, {
      as: 'operator',
      body: { matter: 'X' },
      headers: { 'if-match': '"2"' },
    });
    expect(operator.status).toBe(404);
  });

  it('releases once, finally: the hold can then be neither changed nor released again', async () => {
    const created = await place(deviceHold());
    const url = `/api/v1/privacy/legal-holds/${created.body.id}`;
    const released = await t.request('POST', `${url}/release`, {
      as: 'privacy',
      body: { reason: 'Settled out of court' },
      headers: { 'if-match': '"1"' },
    });
    expect(released.status, released.text).toBe(200);
    expect(released.body).toMatchObject({
      releasedBy: privacy,
      releaseReason: 'Settled out of court',
      version: 2,
    });
    expect(released.body.releasedAt).toEqual(expect.any(String));
    const event = await eventOf(released, 'privacy.legal_hold_released');
    expect(event?.payload).toMatchObject({ from: 'active', to: 'released' });
    expect(JSON.stringify(event?.payload)).not.toContain('Settled');

    const again = await t.request('POST', `${url}/release`, {
      as: 'privacy',
      body: { reason: 'Again' },
      headers: { 'if-match': '"2"' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_state_transition');
    const change = await t.request('PATCH', url, {
      as: 'privacy',
      body: { matter: 'X' },
      headers: { 'if-match': '"2"' },
    });
    expect(change.status).toBe(409);
    // The database refuses it too, whoever asks.
    await expect(
      t.pool.query(sql.unsafe`UPDATE legal_holds SET reason = 'rewritten' WHERE id = ${created.body.id}`),
    ).rejects.toThrow();
    const active = await t.request('GET', '/api/v1/privacy/legal-holds?active=false', { as: 'privacy' });
    expect(active.body.items.map((h: { id: string }) => h.id)).toContain(created.body.id);
  });

  it('never lets the application change what a hold covers', async () => {
    const created = await place(deviceHold());
    await expect(
      t.pool.query(
        sql.unsafe`UPDATE legal_holds SET device_id = ${d.southOps} WHERE id = ${created.body.id}`,
      ),
    ).rejects.toThrow();
    const row = await t.adminPool.oneFirst(
      sql.type(
        z.object({ device_id: z.uuid() }),
      )`SELECT device_id FROM legal_holds WHERE id = ${created.body.id}`,
    );
    expect(row).toBe(d.northOps);
  });
});
