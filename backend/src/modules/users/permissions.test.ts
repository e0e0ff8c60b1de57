/** GET /api/v1/users/me/permissions: the caller's rules and actions, from the policy set in force. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const permissions = async (as: string, headers?: Record<string, string>) => {
  const res = await t.request('GET', '/api/v1/users/me/permissions', { as, headers });
  expect(res.status).toBe(200);
  return res.body;
};

describe('GET /api/v1/users/me/permissions', () => {
  it('lists the operator’s actions per resource: lifecycle on devices, nothing on the trail', async () => {
    const body = await permissions('operator');
    expect(body.username).toBe('operator');
    expect(body.roles).toEqual(['operator']);
    expect(body.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.siteIds).toHaveLength(1);
    expect(body.allowed.Device).toEqual(expect.arrayContaining(['read', 'claim', 'activate', 'suspend']));
    expect(body.allowed.Device).not.toContain('decommission');
    expect(body.allowed.AuditEvent).toEqual([]);
  });

  it('gives the compliance officer read and export on the trail', async () => {
    const body = await permissions('compliance');
    expect(body.allowed.AuditEvent).toEqual(['read', 'export']);
  });

  it('returns only the rules of the caller’s roles, with placeholders, never other people’s values', async () => {
    const body = await permissions('clinician');
    expect(body.grants.length).toBeGreaterThan(0);
    for (const grant of body.grants) expect(grant.roles).toEqual(['clinician']);
    const text = JSON.stringify(body.grants);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the policy placeholder, literally.
    expect(text).toContain('${subject.patientIds}');
    // Patient ids the clinician is assigned to are not listed (the rule keeps its placeholder).
    expect(text).not.toMatch(/fa710000-0000-4000-8000/);
  });

  it('names the fields a rule withholds, and the purposes a rule needs', async () => {
    const admin = await permissions('admin');
    const device = admin.grants.find((g: { resource: string }) => g.resource === 'Device');
    expect(device.withheldFields).toContain('patientId');
    const clinician = await permissions('clinician');
    expect(
      clinician.grants.some((g: { purposes: string[] | null }) => g.purposes?.includes('treatment')),
    ).toBe(true);
  });

  it('reflects the purpose of use of the request', async () => {
    const plain = await permissions('clinician');
    const treating = await permissions('clinician', { 'x-purpose-of-use': 'treatment' });
    expect(plain.purposeOfUse).toBeNull();
    expect(treating.purposeOfUse).toBe('treatment');
  });

  it('needs a token', async () => {
    expect((await t.request('GET', '/api/v1/users/me/permissions')).status).toBe(401);
  });
});
