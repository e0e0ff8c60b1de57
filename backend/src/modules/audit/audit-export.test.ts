/**
 * Export bundles end to end: a compliance officer exports their tenant's trail over HTTP, the
 * standalone verifier accepts the bundle with the keys the API publishes, rejects it after any
 * one-byte change, and the next export proves the trail only grew since. Exports are audited.
 */
import { Readable } from 'node:stream';
import { verifyBundle } from '@custos/audit';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { entriesAfter, flush, lastSeq } from '../../../../tests/support/audit.js';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { demoTenants, demoUserByName } from '../../launcher/demo-data.js';

const acme = demoTenants.acme.id;
let t: TestApp;
let trustedLogKeys: Array<{ keyId: string; algorithm: 'Ed25519'; publicKey: string }>;

beforeAll(async () => {
  t = await createTestApp();
  for (const user of ['tenant-admin', 'operator', 'operator-globex', 'clinician', 'admin']) {
    await t.request('GET', '/api/v1/tenants', { as: user });
  }
  await t.request('POST', '/api/v1/devices', {
    as: 'tenant-admin',
    body: { serialNumber: 'EXP-1', model: 'M' },
  });
  await flush(t);
  trustedLogKeys = (await t.request('GET', '/api/v1/audit/keys', { as: 'auditor' })).body.logKeys.map(
    ({ keyId, algorithm, publicKey }: { keyId: string; algorithm: 'Ed25519'; publicKey: string }) => ({
      keyId,
      algorithm,
      publicKey,
    }),
  );
});
afterAll(() => t?.close());

async function exportBundle(as: string, body: object = {}) {
  const res = await t.request('POST', '/api/v1/audit/exports', { as, body });
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  return res;
}

const verify = (bytes: Buffer) => verifyBundle(Readable.from([bytes]), { trustedLogKeys });

const acmeEvents = (extra = sql.fragment`TRUE`) =>
  t.adminPool.oneFirst(sql.type(z.object({ n: z.coerce.number() }))`
    SELECT count(*) AS n FROM audit_events WHERE tenant_id = ${acme} AND ${extra}`);

describe('exporting a bundle', () => {
  it('streams a bundle the offline verifier accepts, holding exactly the tenant’s events', async () => {
    const res = await exportBundle('compliance');
    expect(String(res.headers['content-disposition'])).toMatch(
      /^attachment; filename="custos-audit-[0-9a-f-]{36}\.tar"$/,
    );
    const verdict = await verify(res.raw);
    expect(verdict, verdict.reason).toMatchObject({ ok: true, warnings: [] });
    // Everything of the tenant that the head covers (the export's own event comes after it).
    const head = (await t.request('GET', `/api/v1/audit/tree-heads/${verdict.treeSize}`, { as: 'auditor' }))
      .body;
    expect(verdict.events).toBe(await acmeEvents(sql.fragment`seq < ${head.treeSize}`));
    expect(verdict.omitted).toBeGreaterThan(0); // Globex and platform events in between, as hashes only
  });

  it('filters by action and period', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const res = await exportBundle('auditor', { action: 'device.registered', from });
    const verdict = await verify(res.raw);
    expect(verdict).toMatchObject({ ok: true, events: 1 });
  });

  it('records the export in the trail before the first byte leaves', async () => {
    const before = await lastSeq(t);
    await exportBundle('compliance');
    const [event] = (await entriesAfter(t, before)).filter((e) => e.type === 'audit.exported');
    expect(event).toMatchObject({
      outcome: 'allowed',
      actor: { id: demoUserByName('compliance')?.id },
      resource: { type: 'AuditEvent', tenantId: acme },
      payload: { exportId: expect.any(String), treeSize: expect.any(Number) },
    });
  });

  it('proves, in the next export, that the trail only grew since the previous one', async () => {
    await exportBundle('compliance');
    await t.request('GET', '/api/v1/tenants', { as: 'tenant-admin' });
    const next = await exportBundle('compliance');
    const verdict = await verify(next.raw);
    expect(verdict.ok, verdict.reason).toBe(true);
    expect(verdict.checks.join('\n')).toMatch(/consisten/i);
  });

  it('is rejected by the verifier after any one-byte change', async () => {
    const { raw } = await exportBundle('compliance', { action: 'device.registered' });
    const positions = [0, 100, 512, Math.floor(raw.length / 2), raw.length - 1500, raw.length - 1];
    for (let i = 0; i < 20; i++) positions.push(Math.floor(Math.random() * raw.length));
    for (const position of positions) {
      const changed = Buffer.from(raw);
      changed[position] = (changed[position] as number) ^ (1 + Math.floor(Math.random() * 255));
      const verdict = await verify(changed);
      expect(verdict.ok, `byte ${position} of ${raw.length}`).toBe(false);
      expect(verdict.reason).toEqual(expect.any(String));
    }
  });

  it('is rejected when the auditor pins keys the bundle was not signed with', async () => {
    const { raw } = await exportBundle('compliance');
    const { generateSigningKey, publicKeyRecord } = await import('@custos/audit');
    const stranger = publicKeyRecord(generateSigningKey().publicKey);
    const verdict = await verifyBundle(Readable.from([raw]), { trustedLogKeys: [stranger] });
    expect(verdict.ok).toBe(false);
  });
});
