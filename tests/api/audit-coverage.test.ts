/**
 * No change without its event: every state-changing call of the API leaves exactly one audit
 * event, in the same transaction, with outcome allowed; a refused call leaves exactly one with
 * outcome denied, a failed one exactly one with outcome failed. Reads of personal or health data,
 * sign-ins and policy refusals are events too.
 */
import type { AuditEntry } from '@custos/audit';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  demoPatients,
  demoSites,
  demoTenants,
  demoUserByName,
} from '../../backend/src/launcher/demo-data.js';
import { deviceIdBySerial, entriesOf, flush } from '../support/audit.js';
import { createTestApp, type RequestOptions, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  // Warm every caller's token up, so the sign-in event of a first request does not mix in.
  for (const user of ['admin', 'tenant-admin', 'operator', 'clinician', 'compliance']) {
    await t.request('GET', '/api/v1/tenants', { as: user });
  }
});
afterAll(() => t?.close());

async function call(method: string, url: string, options: RequestOptions) {
  const res = await t.request(method, url, options);
  const entries = await entriesOf(t, String(res.headers['x-request-id']));
  return { res, entries };
}

/** The one event of a mutation; fails the test unless there is exactly one. */
function only(entries: AuditEntry[]): AuditEntry {
  expect(entries.map((e) => `${e.type}:${e.outcome}`)).toHaveLength(1);
  return entries[0] as AuditEntry;
}

const acme = demoTenants.acme.id;

describe('every successful change leaves exactly one event', () => {
  it('tenants: created, updated', async () => {
    const created = await call('POST', '/api/v1/tenants', {
      as: 'admin',
      body: { slug: 'audit-cov', name: 'Audit Coverage' },
    });
    expect(created.res.status).toBe(201);
    const event = only(created.entries);
    expect(event).toMatchObject({
      type: 'tenant.created',
      outcome: 'allowed',
      actor: { kind: 'user', id: demoUserByName('admin')?.id, roles: ['platform-admin'] },
      resource: { type: 'Tenant', id: created.res.body.id, tenantId: created.res.body.id },
      payload: { after: { slug: 'audit-cov', name: 'Audit Coverage' } },
    });
    const updated = await call('PATCH', `/api/v1/tenants/${created.res.body.id}`, {
      as: 'admin',
      body: { name: 'Renamed' },
      headers: { 'if-match': String(created.res.headers.etag) },
    });
    expect(updated.res.status).toBe(200);
    expect(only(updated.entries)).toMatchObject({
      type: 'tenant.updated',
      payload: { changed: ['name'], after: { name: 'Renamed' } },
    });
  });

  it('sites: created, updated', async () => {
    const created = await call('POST', '/api/v1/sites', {
      as: 'tenant-admin',
      body: { code: 'AUD', name: 'A' },
    });
    expect(created.res.status).toBe(201);
    expect(only(created.entries)).toMatchObject({ type: 'site.created', resource: { tenantId: acme } });
    const updated = await call('PATCH', `/api/v1/sites/${created.res.body.id}`, {
      as: 'tenant-admin',
      body: { name: 'B' },
      headers: { 'if-match': String(created.res.headers.etag) },
    });
    expect(only(updated.entries)).toMatchObject({ type: 'site.updated', payload: { changed: ['name'] } });
  });

  it('users: the personal fields of a change are sealed, never in the clear', async () => {
    const id = demoUserByName('operator')?.id as string;
    const read = await t.request('GET', `/api/v1/users/${id}`, { as: 'tenant-admin' });
    const updated = await call('PATCH', `/api/v1/users/${id}`, {
      as: 'tenant-admin',
      body: { displayName: 'Olive Operator-Secret' },
      headers: { 'if-match': String(read.headers.etag) },
    });
    expect(updated.res.status).toBe(200);
    const event = only(updated.entries);
    expect(event).toMatchObject({ type: 'user.updated', payload: { changed: ['displayName'], after: {} } });
    expect(event.subject).toMatch(/^[0-9a-f]{64}$/);
    expect(event.sealed).toMatchObject({ alg: 'A256GCM', keyRef: event.subject });
    expect(JSON.stringify(event)).not.toContain('Olive');
  });

  it('devices: registered, updated and each lifecycle step', async () => {
    const registered = await call('POST', '/api/v1/devices', {
      as: 'tenant-admin',
      body: { serialNumber: 'AUD-0001', model: 'M1' },
    });
    expect(only(registered.entries)).toMatchObject({ type: 'device.registered', outcome: 'allowed' });
    const id = registered.res.body.id as string;
    let etag = String(registered.res.headers.etag);
    const updated = await call('PATCH', `/api/v1/devices/${id}`, {
      as: 'tenant-admin',
      body: { labels: { ward: 'x' } },
      headers: { 'if-match': etag },
    });
    expect(only(updated.entries)).toMatchObject({
      type: 'device.updated',
      payload: { changed: ['labels'], after: { labels: '{"ward":"x"}' } },
    });
    etag = String(updated.res.headers.etag);
    const steps: Array<[string, object, string, string]> = [
      ['provision', {}, 'manufactured', 'provisioned'],
      ['claim', { siteId: demoSites.north.id }, 'provisioned', 'claimed'],
      ['activate', {}, 'claimed', 'active'],
      ['suspend', {}, 'active', 'suspended'],
      ['decommission', {}, 'suspended', 'decommissioned'],
    ];
    for (const [action, body, from, to] of steps) {
      const step = await call('POST', `/api/v1/devices/${id}/${action}`, { as: 'tenant-admin', body });
      expect(step.res.status, step.res.text).toBe(200);
      expect(only(step.entries)).toMatchObject({
        type: `device.${to === 'active' ? 'activated' : to}`,
        payload: { from, to },
      });
    }
  });
});

describe('refused and failed attempts leave exactly one event too', () => {
  it('a change refused by policy: outcome denied, nothing changed', async () => {
    const { res, entries } = await call('POST', '/api/v1/tenants', {
      as: 'operator',
      body: { slug: 'nope-tenant', name: 'Nope' },
    });
    expect(res.status).toBe(403);
    expect(only(entries)).toMatchObject({
      type: 'tenant.created',
      outcome: 'denied',
      payload: { error: { code: 'forbidden', status: 403 } },
    });
  });

  it('a change that fails in the database: outcome failed, and no allowed event survives the rollback', async () => {
    const { res, entries } = await call('POST', '/api/v1/devices', {
      as: 'tenant-admin',
      body: { serialNumber: 'ACME-N-0001', model: 'duplicate' },
    });
    expect(res.status).toBe(409);
    expect(only(entries)).toMatchObject({ type: 'device.registered', outcome: 'failed' });
  });

  it('a stale If-Match: outcome failed with precondition_failed', async () => {
    const id = await deviceIdBySerial(t, 'ACME-N-0001');
    const { res, entries } = await call('PATCH', `/api/v1/devices/${id}`, {
      as: 'tenant-admin',
      body: { model: 'X' },
      headers: { 'if-match': '"999"' },
    });
    expect(res.status).toBe(412);
    expect(only(entries)).toMatchObject({
      type: 'device.updated',
      outcome: 'failed',
      resource: { type: 'Device', id },
      payload: { error: { code: 'precondition_failed' } },
    });
  });

  it('invalid input on a changing route: outcome failed; a malformed id is not recorded', async () => {
    const { res, entries } = await call('POST', '/api/v1/devices/not-a-uuid/provision', {
      as: 'tenant-admin',
      body: {},
    });
    expect(res.status).toBe(400);
    expect(only(entries)).toMatchObject({
      type: 'device.provisioned',
      outcome: 'failed',
      resource: { id: null },
    });
  });

  it('a read refused by policy: access.denied', async () => {
    const { res, entries } = await call('GET', '/api/v1/audit/tree-heads', { as: 'operator' });
    expect(res.status).toBe(403);
    expect(only(entries)).toMatchObject({
      type: 'access.denied',
      outcome: 'denied',
      payload: { permission: 'read:AuditEvent', route: '/api/v1/audit/tree-heads', method: 'GET' },
    });
  });

  it('no token: no event (nobody to attribute it to)', async () => {
    const { res, entries } = await call('POST', '/api/v1/tenants', { body: { slug: 'x-y', name: 'x' } });
    expect(res.status).toBe(401);
    expect(entries).toEqual([]);
  });
});

describe('reads of personal or health data', () => {
  it('a clinician seeing which patient a device monitors: one device.read per patient, patient sealed', async () => {
    const id = await deviceIdBySerial(t, 'ACME-N-0002');
    const { res, entries } = await call('GET', `/api/v1/devices/${id}`, {
      as: 'clinician',
      headers: { 'x-purpose-of-use': 'treatment' },
    });
    expect(res.body.patientId).toBe(demoPatients.p1.id);
    const event = only(entries);
    expect(event).toMatchObject({
      type: 'device.read',
      purposeOfUse: 'treatment',
      resource: { type: 'Device', id },
      payload: { ids: [id], count: 1 },
    });
    expect(event.sealed?.keyRef).toBe(event.subject);
    expect(JSON.stringify(event)).not.toContain(demoPatients.p1.id);
  });

  it('a list showing several patients: one event per patient', async () => {
    const { res, entries } = await call('GET', '/api/v1/devices', {
      as: 'clinician',
      headers: { 'x-purpose-of-use': 'treatment' },
    });
    const patients = new Set(res.body.items.map((d: { patientId?: string }) => d.patientId).filter(Boolean));
    expect(patients.size).toBeGreaterThan(0);
    expect(entries.map((e) => e.type)).toEqual([...patients].map(() => 'device.listed'));
    expect(new Set(entries.map((e) => e.subject)).size).toBe(patients.size);
  });

  it('a read without health data records nothing', async () => {
    const id = await deviceIdBySerial(t, 'ACME-N-0002');
    const { res, entries } = await call('GET', `/api/v1/devices/${id}`, { as: 'operator' });
    expect(res.status).toBe(200);
    expect(res.body.patientId).toBeUndefined();
    expect(entries).toEqual([]);
  });

  it('reading a person’s account records a user.read for that person', async () => {
    const id = demoUserByName('operator')?.id as string;
    const { entries } = await call('GET', `/api/v1/users/${id}`, { as: 'tenant-admin' });
    expect(only(entries)).toMatchObject({ type: 'user.read', resource: { type: 'User', id } });
  });
});

describe('sign-ins and starts', () => {
  it('records the first request of a new token as a sign-in, once', async () => {
    const token = await t.tokenFor('privacy');
    const first = await call('GET', '/api/v1/tenants', { token });
    expect(only(first.entries)).toMatchObject({
      type: 'auth.signed_in',
      actor: { id: demoUserByName('privacy')?.id },
      payload: { issuer: expect.stringContaining('/realms/custos') },
    });
    expect(JSON.stringify(first.entries)).not.toContain(token);
    const second = await call('GET', '/api/v1/tenants', { token });
    expect(second.entries).toEqual([]);
  });

  it('records each start with the hashes of the policy set and configuration in force', async () => {
    await flush(t);
    const types = await t.adminPool.anyFirst(
      sql.type(
        z.object({ type: z.string() }),
      )`SELECT type FROM audit_events WHERE actor_id = 'custos' ORDER BY seq`,
    );
    expect(types.slice(0, 3)).toEqual(['system.started', 'policy.changed', 'config.changed']);
  });
});
