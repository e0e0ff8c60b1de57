/**
 * The audit API end to end: searching within policy, proofs a third party can check against the
 * signed heads and published keys, erasure that keeps verification intact, the witness, the jobs,
 * and key rotation.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  cosignTreeHead,
  generateSigningKey,
  publicKeyFromRecord,
  rawPublicKey,
  type SignedTreeHead,
  signTreeHead,
  verifyConsistency,
  verifyCosignature,
  verifyInclusion,
  verifyTreeHead,
} from '@custos/audit';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  deviceIdBySerial,
  entriesAfter,
  flush,
  lastSeq,
  renameDemoUser,
  trailOf,
} from '../../../../tests/support/audit.js';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { AuditRecorder } from '../../core/audit/audit-recorder.js';
import { SigningKeys } from '../../core/audit/signing-keys.js';
import { SubjectErasure } from '../../core/audit/subject-erasure.js';
import { SubjectVault } from '../../core/audit/subject-vault.js';
import { verifyTrail } from '../../core/audit/trail-verifier.js';
import { demoPatients, demoTenants, demoUserByName } from '../../launcher/demo-data.js';

const acme = demoTenants.acme.id;
const globex = demoTenants.globex.id;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  // Some history in both tenants, with personal data inside.
  await renameDemoUser(t, 'operator', 'Olive Operator');
  const device = await deviceIdBySerial(t, 'ACME-N-0002');
  await t.request('GET', `/api/v1/devices/${device}`, {
    as: 'clinician',
    headers: { 'x-purpose-of-use': 'treatment' },
  });
  await t.request('GET', '/api/v1/devices', { as: 'operator-globex' });
  await flush(t);
});
afterAll(() => t?.close());

describe('search', () => {
  it('shows a compliance officer their tenant’s events only, with personal data decrypted', async () => {
    const res = await t.request('GET', '/api/v1/audit/events?action=user.updated', { as: 'compliance' });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const item of res.body.items) expect(item.tenantId).toBe(acme);
    const [event] = res.body.items;
    expect(event.personal).toEqual({ displayName: 'Olive Operator' });
    expect(event.personalStatus).toBe('available');
    const all = await t.request('GET', '/api/v1/audit/events?limit=200', { as: 'compliance' });
    expect(all.body.items.some((e: { tenantId: string }) => e.tenantId === globex)).toBe(false);
  });

  it('shows the platform admin every tenant, never the personal data inside', async () => {
    const res = await t.request('GET', '/api/v1/audit/events?limit=200', { as: 'admin' });
    expect(res.status).toBe(200);
    const tenants = new Set(res.body.items.map((e: { tenantId: string | null }) => e.tenantId));
    expect(tenants.has(acme) && tenants.has(globex)).toBe(true);
    for (const item of res.body.items) expect(item).not.toHaveProperty('personal');
    expect(JSON.stringify(res.body)).not.toContain('Olive');
    const sealed = res.body.items.find((e: { entry: { sealed: unknown } }) => e.entry.sealed);
    expect(sealed.personalStatus).toBe('available');
  });

  it('refuses roles without audit access', async () => {
    for (const user of ['operator', 'tenant-admin', 'clinician', 'subject']) {
      const res = await t.request('GET', '/api/v1/audit/events', { as: user });
      expect(res.status, user).toBe(200);
      expect(res.body.items, user).toEqual([]);
    }
    expect((await t.request('GET', '/api/v1/audit/tree-heads', { as: 'operator' })).status).toBe(403);
  });

  it('filters by subject, actor and outcome, and pages with a cursor', async () => {
    const bySubject = await t.request(
      'GET',
      `/api/v1/audit/events?subjectKind=patient&subjectId=${demoPatients.p1.id}`,
      { as: 'compliance' },
    );
    expect(bySubject.body.items.map((e: { entry: { type: string } }) => e.entry.type)).toContain(
      'device.read',
    );
    const clinician = demoUserByName('clinician')?.id as string;
    const byActor = await t.request('GET', `/api/v1/audit/events?actorId=${clinician}`, { as: 'compliance' });
    expect(byActor.body.items.length).toBeGreaterThan(0);
    for (const e of byActor.body.items) expect(e.entry.actor.id).toBe(clinician);
    await t.request('POST', '/api/v1/tenants', { as: 'operator', body: { slug: 'not-allowed', name: 'No' } });
    await flush(t);
    const denied = await t.request('GET', '/api/v1/audit/events?outcome=denied', { as: 'compliance' });
    expect(denied.body.items.length).toBeGreaterThan(0);
    for (const e of denied.body.items) expect(e.entry.outcome).toBe('denied');

    const first = await t.request('GET', '/api/v1/audit/events?limit=2', { as: 'compliance' });
    expect(first.body.items).toHaveLength(2);
    const second = await t.request('GET', `/api/v1/audit/events?limit=2&cursor=${first.body.nextCursor}`, {
      as: 'compliance',
    });
    expect(second.body.items[0].seq).toBeGreaterThan(first.body.items[1].seq);
    const wrongOrder = await t.request(
      'GET',
      `/api/v1/audit/events?limit=2&order=desc&cursor=${first.body.nextCursor}`,
      { as: 'compliance' },
    );
    expect(wrongOrder.status).toBe(400);
  });

  it('records every search as an event', async () => {
    const before = await lastSeq(t);
    await t.request('GET', '/api/v1/audit/events?action=device.read', { as: 'auditor' });
    const events = await entriesAfter(t, before);
    expect(events.map((e) => e.type)).toContain('audit.searched');
  });
});

describe('proofs anyone can check', () => {
  it('an event’s inclusion proof verifies against the signed head, with the published key', async () => {
    const [item] = (await t.request('GET', '/api/v1/audit/events?action=device.read', { as: 'compliance' }))
      .body.items;
    const res = await t.request('GET', `/api/v1/audit/events/${item.seq}/inclusion-proof`, {
      as: 'compliance',
    });
    expect(res.status).toBe(200);
    const keys = (await t.request('GET', '/api/v1/audit/keys', { as: 'auditor' })).body;
    const key = publicKeyFromRecord(
      keys.logKeys.find((k: { keyId: string }) => k.keyId === res.body.treeHead.keyId),
    );
    expect(verifyTreeHead(res.body.treeHead, key)).toBe(true);
    const proof = res.body.proof.map((h: string) => Buffer.from(h, 'hex'));
    const root = Buffer.from(res.body.treeHead.rootHash, 'hex');
    const leaf = Buffer.from(res.body.leafHash, 'hex');
    expect(verifyInclusion(leaf, item.seq, res.body.treeSize, proof, root)).toBe(true);
    // The leaf is the hash of the entry the search returned.
    const { leafHash, canonicalJson } = await import('@custos/audit');
    expect(leafHash(canonicalJson(item.entry)).toString('hex')).toBe(res.body.leafHash);
    expect(verifyInclusion(leaf, item.seq + 1, res.body.treeSize, proof, root)).toBe(false);
  });

  it('a consistency proof between two heads verifies', async () => {
    const oldHead = (await t.request('GET', '/api/v1/audit/tree-heads/latest', { as: 'auditor' })).body;
    await t.request('GET', '/api/v1/tenants', { as: 'admin' });
    await flush(t);
    const res = await t.request('GET', `/api/v1/audit/consistency-proof?from=${oldHead.treeSize}`, {
      as: 'auditor',
    });
    expect(res.status).toBe(200);
    expect(res.body.newSize).toBeGreaterThan(oldHead.treeSize);
    expect(
      verifyConsistency(
        res.body.oldSize,
        res.body.newSize,
        Buffer.from(res.body.oldHead.rootHash, 'hex'),
        Buffer.from(res.body.newHead.rootHash, 'hex'),
        res.body.proof.map((h: string) => Buffer.from(h, 'hex')),
      ),
    ).toBe(true);
  });

  it('answers 404 for a head that was never signed and 409 for an event not yet covered', async () => {
    expect((await t.request('GET', '/api/v1/audit/tree-heads/999999', { as: 'auditor' })).status).toBe(404);
    expect(
      (await t.request('GET', '/api/v1/audit/consistency-proof?from=999999', { as: 'auditor' })).status,
    ).toBe(404);
    // An event sealed but not yet covered by any head.
    await t.app.get(AuditRecorder).recordDurably('system', {
      type: 'access.denied',
      outcome: 'denied',
      resource: { type: 'Route', id: null, tenantId: null },
      payload: { route: '/not-yet-covered', method: 'GET' },
    });
    await trailOf(t).seal(true);
    const seq = await t.adminPool.oneFirst(
      sql.type(z.object({ seq: z.coerce.number() }))`SELECT max(seq) AS seq FROM audit_events`,
    );
    const res = await t.request('GET', `/api/v1/audit/events/${seq}/inclusion-proof`, { as: 'admin' });
    expect(res.status, res.text).toBe(409);
    expect(res.body.detail).toContain('not yet covered');
    await flush(t);
    expect(
      (await t.request('GET', `/api/v1/audit/events/${seq}/inclusion-proof`, { as: 'admin' })).status,
    ).toBe(200);
  });
});

describe('guarding the trail’s own data', () => {
  it('files a search that names another tenant under the caller’s tenant, not the named one', async () => {
    const before = await lastSeq(t);
    const res = await t.request('GET', `/api/v1/audit/events?tenantId=${globex}`, { as: 'compliance' });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    const [searched] = (await entriesAfter(t, before)).filter((e) => e.type === 'audit.searched');
    expect(searched?.resource.tenantId).toBe(acme);
  });

  it('turns a person’s id into their pseudonym only for readers of personal data', async () => {
    const query = `subjectKind=patient&subjectId=${demoPatients.p2.id}&tenantId=${acme}`;
    expect((await t.request('GET', `/api/v1/audit/events?${query}`, { as: 'admin' })).status).toBe(403);
    expect((await t.request('GET', `/api/v1/audit/events?${query}`, { as: 'auditor' })).status).toBe(200);
  });

  it('reports sealed data whose key no longer decrypts as unreadable, never as erased, and never fails the page', async () => {
    const [event] = (await t.request('GET', '/api/v1/audit/events?action=user.updated', { as: 'compliance' }))
      .body.items;
    await t.adminPool.transaction(async (tx) => {
      await tx.query(sql.unsafe`SET LOCAL session_replication_role = replica`);
      await tx.query(sql.unsafe`
        UPDATE audit_subject_keys SET wrapped_key = '\\x01deadbeef' WHERE pseudonym = ${event.entry.subject}`);
    });
    t.app.get(SubjectVault).forget();
    const res = await t.request('GET', `/api/v1/audit/events/${event.seq}`, { as: 'compliance' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ personal: null, personalStatus: 'unreadable' });
    const admin = await t.request('GET', `/api/v1/audit/events/${event.seq}`, { as: 'admin' });
    expect(admin.status).toBe(200);
    expect(admin.body.personalStatus).toBe('available');
  });

  it('shows in readiness the newest verification of any instance', async () => {
    await t.adminPool.query(sql.unsafe`
      INSERT INTO audit_verifications (started_at, ok, checked_events, first_bad_seq, reason)
      VALUES (now(), false, 10, 7, 'found by another instance')`);
    const ready = await t.request('GET', '/api/health/ready');
    expect(ready.body.auditTrail).toMatchObject({ verification: 'diverged', firstBadSeq: 7 });
  });
});

describe('erasure', () => {
  it('makes the subject’s data unreadable, appends a receipt, and the trail still verifies', async () => {
    const erasure = t.app.get(SubjectErasure);
    const pseudonym = await erasure.erase(
      'system',
      { kind: 'patient', tenantId: acme, id: demoPatients.p1.id },
      'GDPR art. 17 request',
    );
    await flush(t);
    const events = (await t.request('GET', `/api/v1/audit/events?subject=${pseudonym}`, { as: 'compliance' }))
      .body.items;
    const read = events.find((e: { entry: { type: string } }) => e.entry.type === 'device.read');
    expect(read).toMatchObject({ personal: null, personalStatus: 'erased' });
    expect(read.entry.sealed.ciphertext).toEqual(expect.any(String));
    const receipt = events.find((e: { entry: { type: string } }) => e.entry.type === 'audit.subject_erased');
    expect(receipt.entry).toMatchObject({ subject: pseudonym, payload: { keyExisted: true } });
    expect(await verifyTrail(t.adminPool)).toMatchObject({ ok: true });

    // Later events about the same person carry no personal data (no fresh key is made for them).
    const device = await deviceIdBySerial(t, 'ACME-N-0002');
    const before = await lastSeq(t);
    await t.request('GET', `/api/v1/devices/${device}`, {
      as: 'clinician',
      headers: { 'x-purpose-of-use': 'treatment' },
    });
    const [later] = (await entriesAfter(t, before)).filter((e) => e.type === 'device.read');
    expect(later).toMatchObject({ subject: pseudonym, sealed: null });
    const keys = await t.adminPool.one(sql.type(z.object({ wrapped: z.boolean(), erased: z.boolean() }))`
      SELECT wrapped_key IS NOT NULL AS wrapped, erased_at IS NOT NULL AS erased FROM audit_subject_keys
      WHERE pseudonym = ${pseudonym}`);
    expect(keys).toEqual({ wrapped: false, erased: true });
  });
});

describe('verification on demand', () => {
  it('runs for a compliance officer, is recorded, and shows in readiness', async () => {
    const res = await t.request('POST', '/api/v1/audit/verification', { as: 'compliance', body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, firstBadSeq: null });
    const latest = await t.request('GET', '/api/v1/audit/verification', { as: 'auditor' });
    expect(latest.body.ok).toBe(true);
    const ready = await t.request('GET', '/api/health/ready');
    expect(ready.body.auditTrail).toMatchObject({ verification: 'verified', firstBadSeq: null });
  });
});

describe('signing key rotation', () => {
  it('signs new heads with the new key; old heads keep verifying with the old one', async () => {
    const keys = t.app.get(SigningKeys);
    const before = (await keys.all()).length;
    const old = await keys.active();
    const rotated = await trailOf(t).rotateSigningKey('system');
    expect(rotated).toEqual({ keyId: expect.any(String), previousKeyId: old.keyId });
    await t.request('GET', '/api/v1/tenants', { as: 'auditor' });
    const head = (await flush(t)) as SignedTreeHead;
    const [event] = (
      await t.request('GET', '/api/v1/audit/events?action=audit.signing_key_rotated', { as: 'admin' })
    ).body.items;
    expect(event.entry.payload).toEqual(rotated);
    const listed = (await t.request('GET', '/api/v1/audit/keys', { as: 'auditor' })).body.logKeys;
    expect(listed).toHaveLength(before + 1);
    expect(listed[0].keyId).toBe(head.keyId);
    expect(listed[1].retiredAt).not.toBeNull();
    expect(await verifyTrail(t.adminPool)).toMatchObject({ ok: true });

    // A head signed with the retired key after its retirement (a stolen key, say) is flagged.
    await t.request('GET', '/api/v1/tenants', { as: 'auditor' });
    await trailOf(t).seal(true);
    const size = (head.treeSize as number) + 1;
    const { rootHash: root } = await import('@custos/audit');
    const { TrailTree } = await import('../../core/audit/trail-tree.js');
    const forged = signTreeHead(
      {
        treeSize: size,
        rootHash: (await root(new TrailTree(t.adminPool), size)).toString('hex'),
        timestamp: new Date(Date.now() + 1000).toISOString(),
        keyId: old.keyId,
      },
      old.privateKey,
    );
    await t.adminPool.query(sql.unsafe`
      INSERT INTO audit_tree_heads (tree_size, root_hash, "timestamp", key_id, signature)
      VALUES (${size}, ${sql.binary(Buffer.from(forged.rootHash, 'hex'))}, ${forged.timestamp}, ${forged.keyId},
              ${sql.binary(Buffer.from(forged.signature, 'base64'))})`);
    expect(await verifyTrail(t.adminPool)).toMatchObject({ ok: false, badTreeSize: size });
  });
});

describe('the witness', () => {
  let witness: Server;
  let url: string;
  let answering = true;
  const key = generateSigningKey();
  beforeAll(async () => {
    witness = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (!answering) return res.writeHead(503).end();
        const { treeHead } = JSON.parse(body) as { treeHead: SignedTreeHead };
        const cosig = cosignTreeHead(treeHead, key.privateKey, key.keyId, new Date().toISOString());
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(cosig));
      });
    });
    await new Promise<void>((r) => witness.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(witness.address() as AddressInfo).port}/cosign`;
  });
  afterAll(() => new Promise<void>((r) => witness.close(() => r())));

  it('co-signs new heads; the co-signature is stored and served, and verifies', async () => {
    const w = await createTestApp({
      env: {
        AUDIT_WITNESS_URL: url,
        AUDIT_WITNESS_PUBLIC_KEY: rawPublicKey(key.publicKey).toString('base64'),
      },
    });
    try {
      const head = (await flush(w)) as SignedTreeHead;
      const served = (await w.request('GET', `/api/v1/audit/tree-heads/${head.treeSize}`, { as: 'auditor' }))
        .body;
      expect(served.cosignatures).toHaveLength(1);
      expect(verifyCosignature(head, served.cosignatures[0], key.publicKey)).toBe(true);
      const keys = (await w.request('GET', '/api/v1/audit/keys', { as: 'auditor' })).body;
      expect(keys.witnessKeys[0].keyId).toBe(key.keyId);

      answering = false;
      await w.request('GET', '/api/v1/tenants', { as: 'auditor' });
      const unwitnessed = (await flush(w)) as SignedTreeHead;
      expect(unwitnessed.treeSize).toBeGreaterThan(head.treeSize);
      const metrics = await w.request('GET', '/metrics');
      expect(metrics.text).toMatch(/custos_audit_witness_failures_total 1/);
    } finally {
      answering = true;
      await w.close();
    }
  });
});

describe('the jobs', () => {
  it('seal, sign and verify on their own, and report in readiness and metrics', async () => {
    const j = await createTestApp({
      env: {
        AUDIT_JOBS_ENABLED: 'true',
        AUDIT_SEAL_INTERVAL_MS: '20',
        AUDIT_TREE_HEAD_INTERVAL_MS: '100',
        AUDIT_VERIFY_INTERVAL_MS: '200',
      },
    });
    try {
      await j.request('GET', '/api/v1/tenants', { as: 'admin' });
      const deadline = Date.now() + 10_000;
      let ready: { auditTrail: { verification: string } } | undefined;
      let head: { treeSize: number } | undefined;
      while (Date.now() < deadline) {
        ready = (await j.request('GET', '/api/health/ready')).body;
        head = (await j.request('GET', '/api/v1/audit/tree-heads/latest', { as: 'auditor' })).body;
        if (ready?.auditTrail.verification === 'verified' && (head?.treeSize ?? 0) >= 4) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready?.auditTrail.verification).toBe('verified');
      expect(head?.treeSize).toBeGreaterThanOrEqual(4);
      const metrics = (await j.request('GET', '/metrics')).text;
      expect(metrics).toMatch(/custos_audit_verification_ok 1/);
      expect(metrics).toMatch(/custos_audit_events_sealed_total [1-9]/);
    } finally {
      await j.close();
    }
  });
});
