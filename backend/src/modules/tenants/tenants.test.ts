import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { demoTenants } from '../../launcher/demo-data.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('tenants', () => {
  it('shows the platform admin every tenant and everyone else their own', async () => {
    const all = await t.request('GET', '/api/v1/tenants', { as: 'admin' });
    expect(all.body.items.map((x: { slug: string }) => x.slug)).toEqual(['acme-health', 'globex-labs']);
    const own = await t.request('GET', '/api/v1/tenants', { as: 'auditor' });
    expect(own.body.items.map((x: { slug: string }) => x.slug)).toEqual(['acme-health']);
    expect(
      (await t.request('GET', `/api/v1/tenants/${demoTenants.globex.id}`, { as: 'auditor' })).status,
    ).toBe(404);
  });

  it('lets only the platform admin create and rename tenants', async () => {
    const created = await t.request('POST', '/api/v1/tenants', {
      as: 'admin',
      body: { slug: 'initech', name: 'Initech' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/v1/tenants/${created.body.id}`);
    expect(
      (await t.request('POST', '/api/v1/tenants', { as: 'admin', body: { slug: 'initech', name: 'Again' } }))
        .status,
    ).toBe(409);
    const denied = await t.request('POST', '/api/v1/tenants', {
      as: 'tenant-admin',
      body: { slug: 'rogue', name: 'Rogue' },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.permission).toBe('create:Tenant');

    const renamed = await t.request('PATCH', `/api/v1/tenants/${created.body.id}`, {
      as: 'admin',
      body: { name: 'Initech Corp' },
      headers: { 'if-match': created.headers.etag as string },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Initech Corp', version: 2 });
    const ownRename = await t.request('PATCH', `/api/v1/tenants/${demoTenants.acme.id}`, {
      as: 'tenant-admin',
      body: { name: 'X' },
      headers: { 'if-match': '"1"' },
    });
    expect(ownRename.status).toBe(403);
  });

  it('pages tenants with a cursor', async () => {
    const first = await t.request('GET', '/api/v1/tenants?limit=1', { as: 'admin' });
    expect(first.body.items).toHaveLength(1);
    const second = await t.request('GET', `/api/v1/tenants?limit=1&cursor=${first.body.nextCursor}`, {
      as: 'admin',
    });
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });
});
