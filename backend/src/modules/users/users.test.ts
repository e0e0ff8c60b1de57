import { randomUUID } from 'node:crypto';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { entriesAfter, lastSeq } from '../../../../tests/support/audit.js';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { SubjectDirectory } from '../../core/auth/subject-directory.js';
import { demoSites, demoTenants, demoUserByName } from '../../launcher/demo-data.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('users', () => {
  it('creates or refreshes the user from token claims on first sight', async () => {
    await t.adminPool.query(sql.unsafe`DELETE FROM users WHERE username = 'auditor'`);
    const me = await t.request('GET', '/api/v1/users/me', { as: 'auditor' });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'auditor', roles: ['auditor'], tenantId: demoTenants.acme.id });
    const row = await t.pool.one(sql.type(z.object({ external_id: z.string(), last_seen_at: z.string() }))`
      SELECT external_id, last_seen_at FROM users WHERE username = 'auditor'`);
    expect(row.external_id).toBe(demoUserByName('auditor')?.id);
  });

  it('records the account’s creation and every change the identity provider makes to it, in one event each', async () => {
    const directory = t.app.get(SubjectDirectory);
    const sub = randomUUID();
    const claims = (roles: string[], siteIds: string[]) => ({
      sub,
      iss: inject('testEnv').issuer,
      exp: Math.floor(Date.now() / 1000) + 300,
      preferred_username: 'new-operator',
      realm_access: { roles },
      tenant_id: demoTenants.acme.id,
      site_ids: siteIds,
    });
    const before = await lastSeq(t);
    const { userId } = await directory.resolve(claims(['operator'], [demoSites.north.id]));
    await directory.resolve(claims(['operator'], [demoSites.north.id, demoSites.south.id]));
    await directory.resolve(claims(['operator'], [demoSites.north.id, demoSites.south.id])); // nothing new
    const events = (await entriesAfter(t, before)).filter((e) => e.resource.id === userId);
    expect(events.map((e) => [e.type, e.payload])).toEqual([
      [
        'user.provisioned',
        {
          changed: ['id', 'tenantId', 'username', 'roles', 'siteIds'],
          after: expect.objectContaining({ roles: ['operator'] }),
        },
      ],
      [
        'user.updated',
        { changed: ['siteIds'], after: { siteIds: [demoSites.north.id, demoSites.south.id] } },
      ],
    ]);
    // The username is personal data: sealed under the person's key, never in the clear.
    for (const event of events) expect(JSON.stringify(event.payload)).not.toContain('new-operator');
    expect(events[0]?.sealed).not.toBeNull();
  });

  it('lets everyone read themselves but only tenant staff read the tenant’s users', async () => {
    const self = await t.request('GET', '/api/v1/users/me', { as: 'subject' });
    expect(self.status).toBe(200);
    const subjectList = await t.request('GET', '/api/v1/users', { as: 'subject' });
    expect(subjectList.body.items.map((u: { username: string }) => u.username)).toEqual(['subject']);
    const adminList = await t.request('GET', '/api/v1/users?limit=200', { as: 'tenant-admin' });
    const names = adminList.body.items.map((u: { username: string }) => u.username);
    expect(names).toContain('clinician');
    expect(names).not.toContain('operator-globex');
    expect(names).not.toContain('admin');
  });

  it('lets the tenant admin change attributes with If-Match, not an operator', async () => {
    const clinician = demoUserByName('clinician')?.id as string;
    const read = await t.request('GET', `/api/v1/users/${clinician}`, { as: 'tenant-admin' });
    const changed = await t.request('PATCH', `/api/v1/users/${clinician}`, {
      as: 'tenant-admin',
      body: { displayName: 'Dr. Example', attributes: { department: 'cardiology' } },
      headers: { 'if-match': read.headers.etag as string },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      displayName: 'Dr. Example',
      attributes: { department: 'cardiology' },
    });
    const operator = await t.request('PATCH', `/api/v1/users/${clinician}`, {
      as: 'operator',
      body: { displayName: 'X' },
      headers: { 'if-match': changed.headers.etag as string },
    });
    expect(operator.status).toBe(404); // the operator cannot even see the clinician's record
  });

  it('applies a removed care assignment at once when the subject cache is off', async () => {
    const fresh = await createTestApp({ env: { AUTHZ_SUBJECT_CACHE_TTL_MS: '0' } });
    try {
      const before = await fresh.request('GET', '/api/v1/devices', { as: 'clinician' });
      expect(before.body.items.map((d: { serialNumber: string }) => d.serialNumber).sort()).toEqual([
        'ACME-N-0002',
        'ACME-S-0002',
      ]);
      await fresh.adminPool.query(sql.unsafe`
        DELETE FROM care_assignments WHERE user_id = ${demoUserByName('clinician')?.id as string}
          AND patient_id = (SELECT id FROM patients WHERE code = 'PT-0002')`);
      const after = await fresh.request('GET', '/api/v1/devices', { as: 'clinician' });
      expect(after.body.items.map((d: { serialNumber: string }) => d.serialNumber)).toEqual(['ACME-N-0002']);
    } finally {
      await fresh.close();
    }
  });
});
