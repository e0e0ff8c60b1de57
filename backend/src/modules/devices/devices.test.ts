/** The device registry against a real PostgreSQL, with real tokens from the development identity provider. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { demoSites, demoTenants } from '../../launcher/demo-data.js';
import { demoDevices } from '../../launcher/seed.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const serials = (body: { items: Array<{ serialNumber?: string }> }) =>
  body.items.map((d) => d.serialNumber).sort();

async function deviceId(serial: string, as = 'tenant-admin'): Promise<string> {
  const res = await t.request('GET', `/api/v1/devices?serialPrefix=${serial}`, { as });
  expect(res.status).toBe(200);
  expect(res.body.items).toHaveLength(1);
  return res.body.items[0].id;
}

describe('reading devices', () => {
  it('refuses a call without a token with 401 problem+json', async () => {
    const res = await t.request('GET', '/api/v1/devices');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.body).toMatchObject({
      code: 'unauthenticated',
      status: 401,
      type: 'urn:custos:problem:unauthenticated',
    });
  });

  it('refuses a forged token', async () => {
    const token = await t.tokenFor('operator');
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not-the-signature').toString('base64url')}`;
    const res = await t.request('GET', '/api/v1/devices', { token: forged });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthenticated');
  });

  it('shows the Acme North operator only North devices, without health fields', async () => {
    const res = await t.request('GET', '/api/v1/devices', { as: 'operator' });
    expect(res.status).toBe(200);
    const north = demoDevices
      .filter((d) => d.siteId === demoSites.north.id)
      .map((d) => d.serial)
      .sort();
    expect(serials(res.body)).toEqual(north);
    for (const device of res.body.items) {
      expect(device.siteId).toBe(demoSites.north.id);
      expect(device).not.toHaveProperty('patientId');
    }
  });

  it('answers 404 without leaking when Globex reads an Acme device by id', async () => {
    const id = await deviceId('ACME-N-0001');
    const res = await t.request('GET', `/api/v1/devices/${id}`, { as: 'operator-globex' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
    expect(res.text).not.toContain('ACME');
  });

  it('gives the clinician assigned patients’ devices only, with patient links only for treatment', async () => {
    const plain = await t.request('GET', '/api/v1/devices', { as: 'clinician' });
    expect(serials(plain.body)).toEqual(['ACME-N-0002', 'ACME-S-0002']);
    expect(plain.body.items.every((d: object) => !('patientId' in d))).toBe(true);
    const treatment = await t.request('GET', '/api/v1/devices', {
      as: 'clinician',
      headers: { 'x-purpose-of-use': 'treatment' },
    });
    expect(treatment.body.items.every((d: { patientId?: string }) => typeof d.patientId === 'string')).toBe(
      true,
    );
  });

  it('rejects an unknown purpose of use with a field error', async () => {
    const res = await t.request('GET', '/api/v1/devices', {
      as: 'clinician',
      headers: { 'x-purpose-of-use': 'curiosity' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ location: 'header', path: 'x-purpose-of-use' });
  });

  it('never shows the platform admin a patient link, whatever the purpose', async () => {
    const res = await t.request('GET', '/api/v1/devices?limit=200', {
      as: 'admin',
      headers: { 'x-purpose-of-use': 'treatment' },
    });
    expect(res.body.items).toHaveLength(demoDevices.length);
    expect(res.body.items.some((d: object) => 'patientId' in d)).toBe(false);
  });

  it('shows a data subject only the device attached to them', async () => {
    const res = await t.request('GET', '/api/v1/devices', { as: 'subject' });
    expect(serials(res.body)).toEqual(['ACME-N-0002']);
    expect(Object.keys(res.body.items[0]).sort()).toEqual([
      'id',
      'lifecycleState',
      'model',
      'patientId',
      'serialNumber',
    ]);
  });

  it('pages through every visible device exactly once, in either order', async () => {
    for (const order of ['asc', 'desc'] as const) {
      for (const sort of ['serialNumber', 'createdAt', 'updatedAt'] as const) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const query: string = `limit=2&sort=${sort}&order=${order}${cursor ? `&cursor=${cursor}` : ''}`;
          const page = await t.request('GET', `/api/v1/devices?${query}`, { as: 'tenant-admin' });
          expect(page.status).toBe(200);
          seen.push(...page.body.items.map((d: { id: string }) => d.id));
          cursor = page.body.nextCursor;
        } while (cursor);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toHaveLength(demoDevices.filter((d) => d.tenantId === demoTenants.acme.id).length);
      }
    }
    const bySerial = await t.request('GET', '/api/v1/devices?order=desc', { as: 'tenant-admin' });
    const list = bySerial.body.items.map((d: { serialNumber: string }) => d.serialNumber);
    expect(list).toEqual([...list].sort().reverse());
  });

  it('filters by state, site, model and label', async () => {
    const active = await t.request('GET', '/api/v1/devices?lifecycleState=active', { as: 'tenant-admin' });
    expect(serials(active.body)).toEqual(['ACME-N-0001', 'ACME-N-0002', 'ACME-S-0001']);
    const south = await t.request('GET', `/api/v1/devices?siteId=${demoSites.south.id}`, {
      as: 'tenant-admin',
    });
    expect(serials(south.body)).toEqual(['ACME-S-0001', 'ACME-S-0002']);
    const labelled = await t.request('GET', '/api/v1/devices?label=ward=icu', { as: 'tenant-admin' });
    expect(serials(labelled.body)).toEqual(['ACME-N-0001']);
    const model = await t.request('GET', `/api/v1/devices?model=${encodeURIComponent('CX-Pulse 1')}`, {
      as: 'operator',
    });
    expect(serials(model.body)).toEqual(['ACME-N-0002', 'ACME-N-0003']);
  });

  it('rejects a forged cursor without a key', async () => {
    const forged = Buffer.from(
      JSON.stringify({ s: 'serialNumber', k: null, i: demoTenants.acme.id }),
    ).toString('base64url');
    const res = await t.request('GET', `/api/v1/devices?cursor=${forged}`, { as: 'tenant-admin' });
    expect(res.status).toBe(400);
  });

  it('rejects a cursor made for another sort', async () => {
    const page = await t.request('GET', '/api/v1/devices?limit=1', { as: 'tenant-admin' });
    const res = await t.request(
      'GET',
      `/api/v1/devices?limit=1&sort=createdAt&cursor=${page.body.nextCursor}`,
      { as: 'tenant-admin' },
    );
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ location: 'query', path: 'cursor' });
  });
});

describe('changing devices', () => {
  it('registers a device and refuses a duplicate serial in the tenant', async () => {
    const body = { serialNumber: 'ACME-NEW-0001', model: 'CX-Temp 2', labels: { ward: 'er' } };
    const created = await t.request('POST', '/api/v1/devices', { as: 'tenant-admin', body });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/v1/devices/${created.body.id}`);
    expect(created.headers.etag).toBe('"1"');
    expect(created.body).toMatchObject({
      ...body,
      tenantId: demoTenants.acme.id,
      lifecycleState: 'manufactured',
      siteId: null,
    });
    const again = await t.request('POST', '/api/v1/devices', { as: 'tenant-admin', body });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('conflict');
  });

  it('refuses registration into another tenant with 403 naming the permission', async () => {
    const res = await t.request('POST', '/api/v1/devices', {
      as: 'tenant-admin',
      body: { tenantId: demoTenants.globex.id, serialNumber: 'X-1', model: 'M' },
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'forbidden', permission: 'create:Device' });
  });

  it('walks the lifecycle one action at a time and refuses skipped states', async () => {
    const created = await t.request('POST', '/api/v1/devices', {
      as: 'tenant-admin',
      body: { serialNumber: 'LIFE-1', model: 'M' },
    });
    const id = created.body.id as string;
    const act = (action: string, body?: unknown, as = 'tenant-admin') =>
      t.request('POST', `/api/v1/devices/${id}/${action}`, { as, body });

    const skipped = await act('activate');
    expect(skipped.status).toBe(409);
    expect(skipped.body).toMatchObject({
      code: 'invalid_state_transition',
      lifecycleState: 'manufactured',
      action: 'activate',
    });

    expect((await act('provision')).body.lifecycleState).toBe('provisioned');
    const foreignSite = await act('claim', { siteId: demoSites.globexLab.id });
    expect(foreignSite.status).toBe(422);
    expect(foreignSite.body.code).toBe('invalid_reference');
    const otherSite = await act('claim', { siteId: demoSites.south.id }, 'operator');
    expect(otherSite.status).toBe(422); // South exists, but this operator cannot see it
    expect(otherSite.body.errors[0]).toMatchObject({ location: 'body', path: 'siteId' });
    const claimed = await act('claim', { siteId: demoSites.north.id }, 'operator');
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ lifecycleState: 'claimed', siteId: demoSites.north.id });
    expect((await act('activate', undefined, 'operator')).body.lifecycleState).toBe('active');
    expect((await act('suspend', undefined, 'operator')).body.lifecycleState).toBe('suspended');
    const operatorDecommission = await act('decommission', undefined, 'operator');
    expect(operatorDecommission.status).toBe(403);
    expect(operatorDecommission.body.permission).toBe('decommission:Device');
    const done = await act('decommission');
    expect(done.body.lifecycleState).toBe('decommissioned');
    expect(done.headers.etag).toBe('"6"');
    expect((await act('activate')).status).toBe(409);
    const patch = await t.request('PATCH', `/api/v1/devices/${id}`, {
      as: 'tenant-admin',
      body: { model: 'X' },
      headers: { 'if-match': '"6"' },
    });
    expect(patch.status).toBe(409);
  });

  it('needs If-Match to update and refuses a stale one', async () => {
    const id = await deviceId('ACME-N-0001');
    const current = await t.request('GET', `/api/v1/devices/${id}`, { as: 'operator' });
    const etag = current.headers.etag as string;

    const missing = await t.request('PATCH', `/api/v1/devices/${id}`, {
      as: 'operator',
      body: { firmwareVersion: '2.0.0' },
    });
    expect(missing.status).toBe(428);
    expect(missing.body.code).toBe('precondition_required');

    const ok = await t.request('PATCH', `/api/v1/devices/${id}`, {
      as: 'operator',
      body: { firmwareVersion: '2.0.0' },
      headers: { 'if-match': etag },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.firmwareVersion).toBe('2.0.0');
    expect(ok.headers.etag).not.toBe(etag);

    const stale = await t.request('PATCH', `/api/v1/devices/${id}`, {
      as: 'operator',
      body: { firmwareVersion: '3.0.0' },
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('precondition_failed');
    const after = await t.request('GET', `/api/v1/devices/${id}`, { as: 'operator' });
    expect(after.body.firmwareVersion).toBe('2.0.0');
  });

  it('hides devices of other sites from an operator even for updates (404, not 403)', async () => {
    const id = await deviceId('ACME-S-0001');
    const res = await t.request('PATCH', `/api/v1/devices/${id}`, {
      as: 'operator',
      body: { model: 'X' },
      headers: { 'if-match': '"1"' },
    });
    expect(res.status).toBe(404);
  });

  it('lets exactly one of many concurrent updates with the same If-Match win', async () => {
    const id = await deviceId('ACME-N-0002');
    const etag = (await t.request('GET', `/api/v1/devices/${id}`, { as: 'tenant-admin' })).headers
      .etag as string;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.request('PATCH', `/api/v1/devices/${id}`, {
          as: 'tenant-admin',
          body: { labels: { run: String(i) } },
          headers: { 'if-match': etag },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(412)]);
    const winner = results.find((r) => r.status === 200);
    const after = await t.request('GET', `/api/v1/devices/${id}`, { as: 'tenant-admin' });
    expect(after.body.labels).toEqual(winner?.body.labels);
    expect(after.body.version).toBe(Number(etag.replaceAll('"', '')) + 1);
  });

  it('registers a serial once when many try at the same time', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.request('POST', '/api/v1/devices', {
          as: 'tenant-admin',
          body: { serialNumber: 'RACE-1', model: 'M' },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(7).fill(409)]);
  });

  it('reveals nothing through the claim action about devices the operator cannot read', async () => {
    const southActive = await deviceId('ACME-S-0001');
    const res = await t.request('POST', `/api/v1/devices/${southActive}/claim`, {
      as: 'operator',
      body: { siteId: demoSites.north.id },
    });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('active');
  });

  it('accepts a uuid in upper case as the same uuid', async () => {
    const res = await t.request('POST', '/api/v1/devices', {
      as: 'tenant-admin',
      body: { tenantId: demoTenants.acme.id.toUpperCase(), serialNumber: 'UPPER-1', model: 'M' },
    });
    expect(res.status).toBe(201);
    expect(res.body.tenantId).toBe(demoTenants.acme.id);
    const read = await t.request('GET', `/api/v1/devices/${String(res.body.id).toUpperCase()}`, {
      as: 'tenant-admin',
    });
    expect(read.status).toBe(200);
  });

  it('never matches a weak entity tag in If-Match', async () => {
    const id = await deviceId('ACME-N-0003');
    const etag = (await t.request('GET', `/api/v1/devices/${id}`, { as: 'tenant-admin' })).headers
      .etag as string;
    const res = await t.request('PATCH', `/api/v1/devices/${id}`, {
      as: 'tenant-admin',
      body: { model: 'X' },
      headers: { 'if-match': `W/${etag}` },
    });
    expect(res.status).toBe(412);
  });
});
