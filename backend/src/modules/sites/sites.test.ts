import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { demoSites, demoTenants } from '../../launcher/demo-data.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const codes = (body: { items: Array<{ code?: string }> }) => body.items.map((s) => s.code).sort();

describe('sites', () => {
  it('lists only the sites policy grants', async () => {
    expect(codes((await t.request('GET', '/api/v1/sites', { as: 'operator' })).body)).toEqual(['NORTH']);
    expect(codes((await t.request('GET', '/api/v1/sites', { as: 'tenant-admin' })).body)).toEqual([
      'NORTH',
      'SOUTH',
    ]);
    expect(codes((await t.request('GET', '/api/v1/sites', { as: 'operator-globex' })).body)).toEqual([
      'LAB-1',
    ]);
    expect(codes((await t.request('GET', '/api/v1/sites', { as: 'admin' })).body)).toEqual([
      'LAB-1',
      'NORTH',
      'SOUTH',
    ]);
    expect((await t.request('GET', '/api/v1/sites', { as: 'subject' })).body.items).toEqual([]);
  });

  it('creates a site in the caller’s tenant, refuses a duplicate code and an unknown time zone', async () => {
    const created = await t.request('POST', '/api/v1/sites', {
      as: 'tenant-admin',
      body: { code: 'EAST', name: 'East', timezone: 'Europe/Paris' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tenantId: demoTenants.acme.id,
      code: 'EAST',
      timezone: 'Europe/Paris',
      version: 1,
    });
    const duplicate = await t.request('POST', '/api/v1/sites', {
      as: 'tenant-admin',
      body: { code: 'EAST', name: 'East again' },
    });
    expect(duplicate.status).toBe(409);
    const badZone = await t.request('POST', '/api/v1/sites', {
      as: 'tenant-admin',
      body: { code: 'WEST', name: 'W', timezone: 'Mars/Olympus' },
    });
    expect(badZone.status).toBe(400);
    expect(badZone.body.errors[0].path).toBe('timezone');
  });

  it('lets an operator read but not create or rename', async () => {
    const create = await t.request('POST', '/api/v1/sites', {
      as: 'operator',
      body: { code: 'OPS', name: 'Ops' },
    });
    expect(create.status).toBe(403);
    expect(create.body.permission).toBe('create:Site');
    const rename = await t.request('PATCH', `/api/v1/sites/${demoSites.north.id}`, {
      as: 'operator',
      body: { name: 'N' },
      headers: { 'if-match': '"1"' },
    });
    expect(rename.status).toBe(403);
    expect(rename.body.permission).toBe('update:Site');
  });

  it('renames with If-Match and refuses a stale ETag', async () => {
    const read = await t.request('GET', `/api/v1/sites/${demoSites.south.id}`, { as: 'tenant-admin' });
    const etag = read.headers.etag as string;
    const renamed = await t.request('PATCH', `/api/v1/sites/${demoSites.south.id}`, {
      as: 'tenant-admin',
      body: { name: 'South Wing' },
      headers: { 'if-match': etag },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('South Wing');
    const stale = await t.request('PATCH', `/api/v1/sites/${demoSites.south.id}`, {
      as: 'tenant-admin',
      body: { name: 'X' },
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
  });

  it('hides another tenant’s site behind 404', async () => {
    const res = await t.request('GET', `/api/v1/sites/${demoSites.globexLab.id}`, { as: 'tenant-admin' });
    expect(res.status).toBe(404);
  });
});
