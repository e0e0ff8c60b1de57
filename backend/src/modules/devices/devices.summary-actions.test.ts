/**
 * What interfaces read to show only what policy allows: fleet counts filtered by the same policy as
 * the list, and the lifecycle actions a caller may take on one device now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

async function deviceId(serial: string): Promise<string> {
  const res = await t.request('GET', `/api/v1/devices?serialPrefix=${serial}`, { as: 'tenant-admin' });
  expect(res.body.items).toHaveLength(1);
  return res.body.items[0].id;
}

async function visibleStates(as: string): Promise<Record<string, number>> {
  const res = await t.request('GET', '/api/v1/devices?limit=200', { as });
  expect(res.status).toBe(200);
  const counts: Record<string, number> = {};
  for (const device of res.body.items)
    counts[device.lifecycleState] = (counts[device.lifecycleState] ?? 0) + 1;
  return counts;
}

describe('GET /api/v1/devices/summary', () => {
  it.each(['operator', 'operator-globex', 'tenant-admin', 'admin', 'clinician'])(
    'counts exactly the devices the list shows %s',
    async (user) => {
      const res = await t.request('GET', '/api/v1/devices/summary', { as: user });
      expect(res.status).toBe(200);
      const listed = await visibleStates(user);
      const expected = Object.fromEntries(
        ['manufactured', 'provisioned', 'claimed', 'active', 'suspended', 'decommissioned'].map((s) => [
          s,
          listed[s] ?? 0,
        ]),
      );
      expect(res.body.byState).toEqual(expected);
      expect(res.body.total).toBe(Object.values(listed).reduce((a, b) => a + b, 0));
    },
  );

  it('gives the North operator North only: two active, one suspended', async () => {
    const res = await t.request('GET', '/api/v1/devices/summary', { as: 'operator' });
    expect(res.body).toMatchObject({ total: 3, byState: { active: 2, suspended: 1, manufactured: 0 } });
  });

  it('needs a token', async () => {
    const res = await t.request('GET', '/api/v1/devices/summary');
    expect(res.status).toBe(401);
  });
});

describe('GET /api/v1/devices/{id}/actions', () => {
  it('offers what policy and state allow: the operator may suspend an active North device', async () => {
    const res = await t.request('GET', `/api/v1/devices/${await deviceId('ACME-N-0001')}/actions`, {
      as: 'operator',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ actions: ['suspend'] });
  });

  it('offers the tenant admin decommissioning as well', async () => {
    const res = await t.request('GET', `/api/v1/devices/${await deviceId('ACME-N-0001')}/actions`, {
      as: 'tenant-admin',
    });
    expect(res.body).toEqual({ actions: ['suspend', 'decommission'] });
  });

  it('follows the state: a suspended device can be activated, not suspended', async () => {
    const res = await t.request('GET', `/api/v1/devices/${await deviceId('ACME-N-0003')}/actions`, {
      as: 'operator',
    });
    expect(res.body).toEqual({ actions: ['activate'] });
  });

  it('offers every action that the API then accepts, and only those', async () => {
    const id = await deviceId('ACME-U-0001');
    const offered = (await t.request('GET', `/api/v1/devices/${id}/actions`, { as: 'tenant-admin' })).body
      .actions;
    expect(offered).toEqual(['claim', 'decommission']);
    for (const action of ['provision', 'activate', 'suspend']) {
      const device = await t.request('GET', `/api/v1/devices/${id}`, { as: 'tenant-admin' });
      const res = await t.request('POST', `/api/v1/devices/${id}/${action}`, {
        as: 'tenant-admin',
        headers: { 'if-match': device.headers.etag as string },
      });
      expect(res.status, action).toBe(409);
    }
  });

  it('offers nothing to a reader without lifecycle rights', async () => {
    const res = await t.request('GET', `/api/v1/devices/${await deviceId('ACME-N-0001')}/actions`, {
      as: 'admin',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ actions: [] });
  });

  it.each([
    ['operator', 'ACME-S-0001'],
    ['operator-globex', 'ACME-N-0001'],
  ])('answers 404 to %s for %s, which they cannot see', async (user, serial) => {
    const res = await t.request('GET', `/api/v1/devices/${await deviceId(serial)}/actions`, { as: user });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });

  it('rejects an id that is not a UUID with a field error', async () => {
    const res = await t.request('GET', '/api/v1/devices/not-a-uuid/actions', { as: 'operator' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });
});
