/**
 * The manifest at provisioning time, through the real API: a device whose chip is on its tenant's
 * imported manifest is certified as pre-provisioned and the chip is matched to it (once, and in
 * the audit event); a chip already matched is not certified for a second device; and under
 * PROVISIONING_REQUIRE_MANIFEST a key on no list of the tenant is refused, leaving the device
 * manufactured and without a certificate.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCertificateSigningRequest } from '@custos/firmware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entriesOf } from '../../../../../tests/support/audit.js';
import { createTestApp, type TestApp, type TestResponse } from '../../../../../tests/support/test-app.js';
import {
  createManifestSigner,
  globexAdmin,
  type TestManifestSigner,
  type TrustAndGoChip,
  trustAndGoChip,
  trustAndGoManifest,
} from '../../../../../tests/support/trust-and-go.js';
import { ManifestsService } from './manifests.service.js';

let dir: string;
let signerFile: string;
let signer: TestManifestSigner;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'custos-manifest-provisioning-'));
  signer = await createManifestSigner();
  signerFile = path.join(dir, 'signers.pem');
  await writeFile(signerFile, signer.certificatePem);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Helpers bound to one app. */
function api(t: () => TestApp) {
  let serial = 0;
  return {
    async register(): Promise<string> {
      const res = await t().request('POST', '/api/v1/devices', {
        as: 'tenant-admin',
        body: { serialNumber: `MAN-${process.pid}-${Date.now()}-${serial++}`, model: 'CX-Temp 2' },
      });
      expect(res.status).toBe(201);
      return res.body.id;
    },
    async provision(id: string, chip: TrustAndGoChip): Promise<TestResponse> {
      const csr = await createCertificateSigningRequest(chip.chip, { commonName: id });
      return t().request('POST', `/api/v1/devices/${id}/certificates`, {
        as: 'tenant-admin',
        body: { csr: csr.pem },
      });
    },
    async imported(chips: number | TrustAndGoChip[]) {
      const { manifest, chips: listed } = await trustAndGoManifest(signer, chips);
      const res = await t().request('POST', '/api/v1/device-manifests', {
        as: 'tenant-admin',
        body: manifest,
      });
      expect(res.status).toBe(201);
      return { id: res.body.id as string, chips: listed };
    },
    async device(id: string) {
      return (await t().request('GET', `/api/v1/devices/${id}`, { as: 'tenant-admin' })).body;
    },
    async events(res: TestResponse) {
      return (await entriesOf(t(), String(res.headers['x-request-id']))).filter(
        (e) => e.type !== 'auth.signed_in',
      );
    },
  };
}

describe('provisioning with manifests imported (not required)', () => {
  let t: TestApp;
  const a = api(() => t);
  beforeAll(async () => {
    t = await createTestApp({ env: { MANIFEST_SIGNER_CERTIFICATES_FILE: signerFile } });
  });
  afterAll(() => t?.close());

  it('certifies a device whose chip is on the manifest as pre-provisioned and matches the chip to it', async () => {
    const { id: manifestId, chips } = await a.imported(2);
    const chip = chips[0] as TrustAndGoChip;
    const id = await a.register();
    const res = await a.provision(id, chip);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ deviceId: id, preProvisioned: true, uniqueId: chip.uniqueId });
    expect((await a.device(id)).lifecycleState).toBe('provisioned');

    const manifest = await t.request('GET', `/api/v1/device-manifests/${manifestId}`, { as: 'tenant-admin' });
    const entry = manifest.body.entries.items.find((e: { uniqueId: string }) => e.uniqueId === chip.uniqueId);
    expect(entry).toMatchObject({ deviceId: id, matchedAt: expect.any(String) });
    expect(entry.publicKeySha256).toBe(res.body.publicKeySha256);

    const events = await a.events(res);
    expect(events.map((e) => e.type)).toEqual(['device.certificate_issued', 'device.provisioned']);
    expect(events[0]?.payload).toMatchObject({
      purpose: 'provisioning',
      preProvisioned: true,
      uniqueId: chip.uniqueId,
    });
  });

  it('certifies a chip on no manifest as before, saying it was not pre-provisioned', async () => {
    const id = await a.register();
    const res = await a.provision(id, await trustAndGoChip());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ preProvisioned: false, uniqueId: null });
    const [issued] = await a.events(res);
    expect(issued?.payload).toMatchObject({ preProvisioned: false });
    expect(issued?.payload).not.toHaveProperty('uniqueId');
  });

  it('refuses to certify a matched chip’s key for a second device (409) and leaves it manufactured', async () => {
    const { chips } = await a.imported(1);
    const chip = chips[0] as TrustAndGoChip;
    expect((await a.provision(await a.register(), chip)).status).toBe(201);
    const second = await a.register();
    const res = await a.provision(second, chip);
    expect([res.status, res.body.code]).toEqual([409, 'conflict']);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'csr', code: 'chip_already_matched' })]);
    expect((await a.device(second)).lifecycleState).toBe('manufactured');
  });

  it('does not match a chip that only another tenant listed', async () => {
    const { manifest, chips } = await trustAndGoManifest(signer, 1);
    await t.app.get(ManifestsService).import(globexAdmin(t), manifest);
    const res = await a.provision(await a.register(), chips[0] as TrustAndGoChip);
    expect(res.status).toBe(201);
    expect(res.body.preProvisioned).toBe(false);
  });
});

describe('PROVISIONING_REQUIRE_MANIFEST=true', () => {
  let t: TestApp;
  const a = api(() => t);
  beforeAll(async () => {
    t = await createTestApp({
      env: { MANIFEST_SIGNER_CERTIFICATES_FILE: signerFile, PROVISIONING_REQUIRE_MANIFEST: 'true' },
    });
  });
  afterAll(() => t?.close());

  it('certifies a device whose chip is on the tenant’s manifest', async () => {
    const { chips } = await a.imported(1);
    const res = await a.provision(await a.register(), chips[0] as TrustAndGoChip);
    expect(res.status, res.text).toBe(201);
    expect(res.body.preProvisioned).toBe(true);
  });

  it.each([
    ['on no manifest', async () => trustAndGoChip()],
    [
      'listed by another tenant only',
      async (t: TestApp) => {
        const { manifest, chips } = await trustAndGoManifest(signer, 1);
        await t.app.get(ManifestsService).import(globexAdmin(t), manifest);
        return chips[0] as TrustAndGoChip;
      },
    ],
  ])(
    'refuses a chip %s (422 key_not_in_manifest); the device stays manufactured, uncertified',
    async (_name, chipFor) => {
      const id = await a.register();
      const res = await a.provision(id, await chipFor(t));
      expect([res.status, res.body.code]).toEqual([422, 'key_not_in_manifest']);
      expect(res.body.errors).toEqual([expect.objectContaining({ location: 'body', path: 'csr' })]);
      expect((await a.device(id)).lifecycleState).toBe('manufactured');
      const certificates = await t.request('GET', `/api/v1/devices/${id}/certificates`, {
        as: 'tenant-admin',
      });
      expect(certificates.body.items).toEqual([]);
      expect((await a.events(res)).map((e) => [e.type, e.outcome, e.payload])).toEqual([
        ['device.certificate_issued', 'failed', { error: { code: 'key_not_in_manifest', status: 422 } }],
      ]);
    },
  );
});
