/**
 * Importing signed secure-element manifests (Trust&GO) through the real API: a manifest whose every
 * entry verifies becomes the tenant's allowlist, once (a re-import changes nothing), with its audit
 * event; one bad entry, a foreign signer or a key off the curve refuses the whole import with the
 * entry at fault and stores nothing; each tenant sees only its own lists. Malformed bodies and
 * random mutations: manifests.malformed-input.test.ts.
 */
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FlattenedSign } from 'jose';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { entriesOf } from '../../../../../tests/support/audit.js';
import { createTestApp, type TestApp, type TestResponse } from '../../../../../tests/support/test-app.js';
import {
  createManifestSigner,
  globexAdmin,
  type SignedSecureElement,
  secureElementOf,
  signSecureElement,
  slot0Jwk,
  type TestManifestSigner,
  type TrustAndGoChip,
  trustAndGoChip,
  trustAndGoManifest,
} from '../../../../../tests/support/trust-and-go.js';
import { ManifestsService } from './manifests.service.js';

let t: TestApp;
let dir: string;
let signer: TestManifestSigner;
let rogue: TestManifestSigner;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'custos-manifests-'));
  [signer, rogue] = await Promise.all([createManifestSigner(), createManifestSigner('Rogue Signer')]);
  const file = path.join(dir, 'signers.pem');
  await writeFile(file, signer.certificatePem);
  t = await createTestApp({ env: { MANIFEST_SIGNER_CERTIFICATES_FILE: file } });
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

const importManifest = (body: unknown, as = 'tenant-admin') =>
  t.request('POST', '/api/v1/device-manifests', { as, body });

/** Rows in both tables, read as the owner: what "nothing stored" is checked against. */
async function stored(): Promise<{ manifests: number; entries: number }> {
  return t.adminPool.one(sql.type(z.object({ manifests: z.coerce.number(), entries: z.coerce.number() }))`
    SELECT (SELECT count(*) FROM secure_element_manifests) AS manifests,
           (SELECT count(*) FROM secure_element_manifest_entries) AS entries`);
}

/** SHA-256 of the chip's slot-0 key as a SubjectPublicKeyInfo: how the list names a key. */
const keyFingerprint = (chip: TrustAndGoChip) =>
  createHash('sha256')
    .update(
      createPublicKey({ key: slot0Jwk(chip.publicKey), format: 'jwk' }).export({
        type: 'spki',
        format: 'der',
      }),
    )
    .digest('hex');

const eventsOf = async (res: TestResponse) =>
  (await entriesOf(t, String(res.headers['x-request-id']))).filter((e) => e.type !== 'auth.signed_in');

describe('POST /api/v1/device-manifests', () => {
  it('imports a signed manifest as the tenant’s allowlist and audits the import', async () => {
    const { manifest, chips } = await trustAndGoManifest(signer, 3);
    const res = await importManifest(manifest);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      entryCount: 3,
      newEntryCount: 3,
      signers: [signer.fingerprintSha256],
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(res.headers.location).toBe(`/api/v1/device-manifests/${res.body.id}`);

    const read = await t.request('GET', `/api/v1/device-manifests/${res.body.id}`, { as: 'tenant-admin' });
    expect(read.status).toBe(200);
    const expected = chips.map((chip) => ({
      uniqueId: chip.uniqueId,
      model: 'ATECC608A',
      partNumber: 'ATECC608A-TNGTLSU-G',
      publicKeySha256: keyFingerprint(chip),
      deviceId: null,
      matchedAt: null,
    }));
    expect(read.body.entries.items).toEqual(
      expected
        .sort((a, b) => a.uniqueId.localeCompare(b.uniqueId))
        .map((entry) => expect.objectContaining(entry)),
    );
    const listed = await t.request('GET', '/api/v1/device-manifests', { as: 'tenant-admin' });
    expect(listed.body.items.map((m: { id: string }) => m.id)).toContain(res.body.id);

    // The signed entries are kept as received, so the list can be re-verified without this database.
    const kept = await t.adminPool.anyFirst(sql.type(z.object({ signed_entry: z.unknown() }))`
      SELECT signed_entry FROM secure_element_manifest_entries WHERE manifest_id = ${res.body.id}`);
    expect(kept).toEqual(expect.arrayContaining(manifest));

    const events = await eventsOf(res);
    expect(events.map((e) => [e.type, e.outcome, e.resource.type, e.resource.tenantId])).toEqual([
      ['device.manifest_imported', 'allowed', 'DeviceManifest', res.body.tenantId],
    ]);
    expect(events[0]?.payload).toEqual({
      manifestId: res.body.id,
      sha256: res.body.sha256,
      signers: [signer.fingerprintSha256],
      entries: 3,
      added: 3,
      alreadyImported: false,
    });
  });

  it('answers a re-import of the same manifest, however formatted, with the one imported before', async () => {
    const { manifest } = await trustAndGoManifest(signer, 2);
    const first = await importManifest(manifest);
    expect(first.status).toBe(201);
    const before = await stored();
    const again = await t.request('POST', '/api/v1/device-manifests', {
      as: 'tenant-admin',
      rawBody: JSON.stringify(manifest, null, 4),
      headers: { 'content-type': 'application/json' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBeUndefined();
    expect(await stored()).toEqual(before);
    const events = await eventsOf(again);
    expect(events.map((e) => [e.type, e.outcome, e.payload])).toEqual([
      [
        'device.manifest_imported',
        'allowed',
        expect.objectContaining({ manifestId: first.body.id, added: 0, alreadyImported: true }),
      ],
    ]);
  });

  it('adds only the chips an overlapping manifest does not share with an earlier one', async () => {
    const { manifest, chips } = await trustAndGoManifest(signer, 2);
    expect((await importManifest(manifest)).status).toBe(201);
    const [fresh] = (await trustAndGoManifest(signer, 1)).manifest;
    const res = await importManifest([manifest[1], fresh]);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ entryCount: 2, newEntryCount: 1 });
    const read = await t.request('GET', `/api/v1/device-manifests/${res.body.id}`, { as: 'tenant-admin' });
    expect(read.body.entries.items.map((e: { uniqueId: string }) => e.uniqueId)).not.toContain(
      chips[1]?.uniqueId,
    );
  });

  it('refuses a manifest that lists a chip already on the tenant’s list with another key (409)', async () => {
    const { manifest, chips } = await trustAndGoManifest(signer, 1);
    expect((await importManifest(manifest)).status).toBe(201);
    const other = await trustAndGoChip();
    const [fresh] = (await trustAndGoManifest(signer, 1)).manifest;
    const impostor = await signSecureElement(
      signer,
      secureElementOf(other, { uniqueId: chips[0]?.uniqueId }),
    );
    const before = await stored();
    const res = await importManifest([fresh, impostor]);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'conflict', index: 1 });
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: '1', code: 'manifest_entry_conflict' }),
    ]);
    expect(await stored()).toEqual(before);
  });
});

describe('refusals: the whole manifest, naming the first bad entry, storing nothing', () => {
  type Bad = (chip: TrustAndGoChip) => Promise<SignedSecureElement>;
  const tamper = (entry: SignedSecureElement, field: keyof SignedSecureElement, value: unknown) => ({
    ...entry,
    [field]: value,
  });
  const reencode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it.each<[string, Bad, string, string]>([
    [
      'a tampered payload',
      async (chip) => {
        const entry = await signSecureElement(signer, secureElementOf(chip));
        return tamper(entry, 'payload', reencode(secureElementOf(chip, { partNumber: 'ATECC608A-FORGED' })));
      },
      '2.signature',
      'signature_invalid',
    ],
    [
      'a signer this deployment does not trust',
      (chip) => signSecureElement(rogue, secureElementOf(chip)),
      '2.protected',
      'unknown_signer',
    ],
    [
      'another key claiming to be the trusted signer',
      (chip) =>
        signSecureElement(rogue, secureElementOf(chip), {
          protectedHeader: { kid: signer.kid, 'x5t#S256': signer.x5tS256 },
        }),
      '2.signature',
      'signature_invalid',
    ],
    [
      'a slot-0 key off the P-256 curve',
      (chip) => {
        const jwk = slot0Jwk(chip.publicKey);
        const y = Buffer.from(jwk.y as string, 'base64url');
        y[31] = (y[31] as number) ^ 0x01;
        return signSecureElement(
          signer,
          secureElementOf(chip, { publicKeySet: { keys: [{ ...jwk, y: y.toString('base64url') }] } }),
        );
      },
      '2.payload',
      'invalid_key',
    ],
    [
      'a P-384 slot-0 key',
      (chip) => {
        const coordinate = () => randomBytes(48).toString('base64url');
        const key = { kid: '0', kty: 'EC', crv: 'P-384', x: coordinate(), y: coordinate() };
        return signSecureElement(signer, secureElementOf(chip, { publicKeySet: { keys: [key] } }));
      },
      '2.payload',
      'invalid_key',
    ],
    [
      'no slot-0 key',
      (chip) => {
        const keys = [{ ...slot0Jwk(chip.publicKey), kid: '1' }];
        return signSecureElement(signer, secureElementOf(chip, { publicKeySet: { keys } }));
      },
      '2.payload',
      'invalid_key',
    ],
    [
      'a header naming another chip than the payload',
      (chip) => signSecureElement(signer, secureElementOf(chip), { uniqueId: '0123aaaaaaaaaaaaee' }),
      '2.header.uniqueId',
      'unique_id_mismatch',
    ],
    [
      'a payload that is no SecureElement',
      (chip) => signSecureElement(signer, secureElementOf(chip, { model: 'ATECC508A' })),
      '2.payload',
      'invalid_payload',
    ],
    [
      'a payload that is not JSON',
      (chip) => signSecureElement(signer, Buffer.from('not json'), { uniqueId: chip.uniqueId }),
      '2.payload',
      'invalid_payload',
    ],
    [
      'an HMAC instead of ES256',
      async (chip) => {
        const jws = await new FlattenedSign(Buffer.from(JSON.stringify(secureElementOf(chip))))
          .setProtectedHeader({ alg: 'HS256', 'x5t#S256': signer.x5tS256 })
          .setUnprotectedHeader({ uniqueId: chip.uniqueId })
          .sign(randomBytes(32));
        return { ...jws, header: { uniqueId: chip.uniqueId } } as SignedSecureElement;
      },
      '2.protected',
      'unsupported_algorithm',
    ],
  ])('refuses %s (422 invalid_manifest)', async (_name, bad, at, code) => {
    const { manifest } = await trustAndGoManifest(signer, 2);
    const before = await stored();
    const res = await importManifest([...manifest, await bad(await trustAndGoChip())]);
    expect(res.status, res.text).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'invalid_manifest', index: 2 });
    expect(res.body.errors).toEqual([expect.objectContaining({ location: 'body', path: at, code })]);
    expect(await stored()).toEqual(before);
    const events = await eventsOf(res);
    expect(events.map((e) => [e.type, e.outcome, e.resource.type, e.payload])).toEqual([
      [
        'device.manifest_imported',
        'failed',
        'DeviceManifest',
        { error: { code: 'invalid_manifest', status: 422 } },
      ],
    ]);
  });

  it('refuses a manifest listing one chip twice', async () => {
    const { manifest } = await trustAndGoManifest(signer, 2);
    const res = await importManifest([manifest[0], manifest[1], manifest[0]]);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: '2', code: 'duplicate_entry' })]);
  });
});

describe('who may import and read manifests', () => {
  it('lets only those who provision the tenant’s devices import, list and read (403 for the others)', async () => {
    const { manifest } = await trustAndGoManifest(signer, 1);
    const created = await importManifest(manifest);
    expect(created.status).toBe(201);
    for (const user of [
      'operator',
      'clinician',
      'compliance',
      'privacy',
      'auditor',
      'subject',
      'operator-globex',
      'admin',
    ]) {
      const refused = await importManifest(manifest, user);
      expect([refused.status, refused.body.code], user).toEqual([403, 'forbidden']);
      expect(refused.body.permission).toBe('provision:Device');
      const list = await t.request('GET', '/api/v1/device-manifests', { as: user });
      expect(list.status, user).toBe(403);
      const read = await t.request('GET', `/api/v1/device-manifests/${created.body.id}`, { as: user });
      expect(read.status, user).toBe(403);
    }
    const denied = await importManifest(manifest, 'operator');
    expect((await eventsOf(denied)).map((e) => [e.type, e.outcome])).toEqual([
      ['device.manifest_imported', 'denied'],
    ]);
  });

  it('keeps each tenant’s lists apart: the same chip may be on two tenants’ lists, unseen by the other', async () => {
    const { manifest, chips } = await trustAndGoManifest(signer, 2);
    // Globex lists the first chip as Acme will, and the second with another key: Acme's import
    // neither conflicts with Globex's list nor reveals anything of it.
    const lookalike = await signSecureElement(
      signer,
      secureElementOf(await trustAndGoChip(), { uniqueId: chips[1]?.uniqueId }),
    );
    const globex = await t.app
      .get(ManifestsService)
      .import(globexAdmin(t), [manifest[0] as SignedSecureElement, lookalike]);
    expect(globex.created).toBe(true);

    const acme = await importManifest(manifest);
    expect(acme.status).toBe(201);
    expect(acme.body).toMatchObject({ entryCount: 2, newEntryCount: 2 });

    const listed = await t.request('GET', '/api/v1/device-manifests?limit=200', { as: 'tenant-admin' });
    expect(listed.body.items.map((m: { id: string }) => m.id)).toContain(acme.body.id);
    expect(listed.body.items.map((m: { id: string }) => m.id)).not.toContain(globex.manifest.id);
    const foreign = await t.request('GET', `/api/v1/device-manifests/${globex.manifest.id}`, {
      as: 'tenant-admin',
    });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'not_found']);
  });

  it('pages through a manifest’s entries by serial number', async () => {
    const { manifest, chips } = await trustAndGoManifest(signer, 5);
    const res = await importManifest(manifest);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await t.request('GET', `/api/v1/device-manifests/${res.body.id}${query}`, {
        as: 'tenant-admin',
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.entries.items.map((e: { uniqueId: string }) => e.uniqueId));
      cursor = page.body.entries.nextCursor;
    } while (cursor);
    expect(seen).toEqual(chips.map((c) => c.uniqueId).sort());
  });
});

describe('without a trusted signer', () => {
  let bare: TestApp;
  beforeAll(async () => {
    bare = await createTestApp();
  });
  afterAll(() => bare?.close());

  it('refuses every import with 503 manifest_signer_not_configured, after the permission check', async () => {
    const { manifest } = await trustAndGoManifest(signer, 1);
    const res = await bare.request('POST', '/api/v1/device-manifests', {
      as: 'tenant-admin',
      body: manifest,
    });
    expect([res.status, res.body.code]).toEqual([503, 'manifest_signer_not_configured']);
    const operator = await bare.request('POST', '/api/v1/device-manifests', {
      as: 'operator',
      body: manifest,
    });
    expect(operator.status).toBe(403);
    const list = await bare.request('GET', '/api/v1/device-manifests', { as: 'tenant-admin' });
    expect(list.body).toEqual({ items: [], nextCursor: null });
  });
});
