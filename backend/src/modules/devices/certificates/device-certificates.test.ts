/**
 * Factory provisioning through the API: a CSR signed by the device's own key becomes a certificate
 * the device CA issued (OpenSSL checks it up to the root), the device becomes `provisioned`, and
 * both steps are in the audit trail. Every malformed or foreign CSR is refused with the field at
 * fault, never a 500.
 */
import { execFileSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entriesOf } from '../../../../../tests/support/audit.js';
import { createTestApp, type TestApp } from '../../../../../tests/support/test-app.js';
import { type CryptoKeyPair, EC_P256, ECDSA_SHA256, x509 } from '../../../core/pki/x509.js';

type KeyAlgorithm = webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams;

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await createTestApp();
  dir = await mkdtemp(path.join(tmpdir(), 'custos-provision-'));
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

async function register(serialNumber: string): Promise<string> {
  const res = await t.request('POST', '/api/v1/devices', {
    as: 'tenant-admin',
    body: { serialNumber, model: 'CX-Temp 2' },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function csrFor(commonName: string, algorithm: KeyAlgorithm = EC_P256): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${commonName}`,
    keys,
    signingAlgorithm:
      'namedCurve' in algorithm ? ECDSA_SHA256 : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  });
  return request.toString('pem');
}

const provision = (id: string, csr: string, as = 'tenant-admin') =>
  t.request('POST', `/api/v1/devices/${id}/certificates`, { as, body: { csr } });

describe('POST /api/v1/devices/{id}/certificates', () => {
  it('certifies the key of a manufactured device, provisions it and audits both steps', async () => {
    const id = await register('PROV-0001');
    const res = await provision(id, await csrFor(id));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ deviceId: id, status: 'active', revokedAt: null });
    const certificate = new x509.X509Certificate(res.body.certificatePem);
    expect(certificate.subject).toBe(`CN=${id}`);
    expect(certificate.serialNumber.toLowerCase()).toBe(res.body.serialNumber);

    await writeFile(path.join(dir, 'device.pem'), res.body.certificatePem);
    await writeFile(path.join(dir, 'chain.pem'), res.body.chainPem);
    const verdict = execFileSync(
      'openssl',
      [
        'verify',
        '-purpose',
        'sslclient',
        '-CAfile',
        path.join(dir, 'chain.pem'),
        path.join(dir, 'device.pem'),
      ],
      { encoding: 'utf8' },
    );
    expect(verdict.trim()).toMatch(/: OK$/);

    const device = await t.request('GET', `/api/v1/devices/${id}`, { as: 'tenant-admin' });
    expect(device.body.lifecycleState).toBe('provisioned');
    const listed = await t.request('GET', `/api/v1/devices/${id}/certificates`, { as: 'tenant-admin' });
    expect(listed.body.items.map((c: { serialNumber: string }) => c.serialNumber)).toEqual([
      res.body.serialNumber,
    ]);

    const events = await entriesOf(t, res.headers['x-request-id'] as string);
    expect(events.map((e) => [e.type, e.outcome])).toEqual([
      ['device.certificate_issued', 'allowed'],
      ['device.provisioned', 'allowed'],
    ]);
    expect(events[0]?.payload).toMatchObject({
      serialNumber: res.body.serialNumber,
      fingerprintSha256: res.body.fingerprintSha256,
      purpose: 'provisioning',
    });
  });

  it('refuses a second provisioning of the same device', async () => {
    const id = await register('PROV-0002');
    expect((await provision(id, await csrFor(id))).status).toBe(201);
    const again = await provision(id, await csrFor(id));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_state_transition');
  });

  it.each([
    ['names another device', async (_id: string) => csrFor('4b0d7c1e-0000-4000-8000-000000000000')],
    [
      'carries an RSA key',
      async (id: string) =>
        csrFor(id, {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        } as KeyAlgorithm),
    ],
    [
      'carries a P-384 key',
      async (id: string) => csrFor(id, { name: 'ECDSA', namedCurve: 'P-384' } as KeyAlgorithm),
    ],
    [
      'has a signature that does not verify',
      async (id: string) => {
        const pem = await csrFor(id);
        const der = Buffer.from(x509.PemConverter.decodeFirst(pem));
        der[der.length - 3] = (der[der.length - 3] as number) ^ 0x01;
        return x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
      },
    ],
    [
      'is not DER inside the PEM armour',
      async () => '-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n-----END CERTIFICATE REQUEST-----\n',
    ],
  ])(
    'refuses a CSR that %s, with the field at fault, and leaves the device manufactured',
    async (_name, make) => {
      const id = await register(`PROV-X${Math.random().toString(36).slice(2, 8)}`);
      const res = await provision(id, await make(id));
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.code).toBe('invalid_csr');
      expect(res.body.errors).toEqual([expect.objectContaining({ location: 'body', path: 'csr' })]);
      const device = await t.request('GET', `/api/v1/devices/${id}`, { as: 'tenant-admin' });
      expect(device.body.lifecycleState).toBe('manufactured');
    },
  );

  it('lets nobody without the provision permission certify a key', async () => {
    const id = await register('PROV-0003');
    const csr = await csrFor(id);
    for (const user of ['operator', 'clinician', 'compliance', 'operator-globex']) {
      const res = await provision(id, csr, user);
      expect([403, 404]).toContain(res.status);
    }
    const device = await t.request('GET', `/api/v1/devices/${id}/certificates`, { as: 'tenant-admin' });
    expect(device.body.items).toEqual([]);
  });

  it('answers any string as a CSR with a problem document, never a 500', async () => {
    const id = await register('PROV-0004');
    const armoured = fc
      .uint8Array({ maxLength: 600 })
      .map(
        (bytes) =>
          `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(bytes).toString('base64')}\n-----END CERTIFICATE REQUEST-----`,
      );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), armoured), async (csr) => {
        const res = await provision(id, csr);
        expect([400, 422]).toContain(res.status);
        expect(res.body.code).toMatch(/^(validation_failed|invalid_csr)$/);
      }),
      { numRuns: 60 },
    );
  });
});

describe('revocation', () => {
  async function provisioned(serial: string): Promise<{ id: string; serialNumber: string }> {
    const id = await register(serial);
    const res = await provision(id, await csrFor(id));
    expect(res.status).toBe(201);
    return { id, serialNumber: res.body.serialNumber };
  }

  async function crlSerials(): Promise<string[]> {
    const res = await t.request('GET', '/api/v1/pki/crl');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pkix-crl');
    const crl = new x509.X509Crl(res.raw);
    const chain = await t.request('GET', '/api/v1/pki/ca');
    expect(await crl.verify({ publicKey: new x509.X509Certificate(chain.text) })).toBe(true);
    return crl.entries.map((entry) => entry.serialNumber.toLowerCase());
  }

  it('revokes a certificate once, lists it in the signed CRL and audits it', async () => {
    const { id, serialNumber } = await provisioned('REV-0001');
    expect(await crlSerials()).not.toContain(serialNumber);
    const url = `/api/v1/devices/${id}/certificates/${serialNumber}/revoke`;
    const res = await t.request('POST', url, { as: 'tenant-admin', body: { reason: 'keyCompromise' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
    expect(await crlSerials()).toContain(serialNumber);
    const events = await entriesOf(t, res.headers['x-request-id'] as string);
    expect(events.map((e) => [e.type, e.payload])).toEqual([
      ['device.certificate_revoked', { serialNumber, reason: 'keyCompromise' }],
    ]);

    const again = await t.request('POST', url, { as: 'tenant-admin', body: { reason: 'keyCompromise' } });
    expect(again.status).toBe(409);
  });

  it('lets only those holding revoke:Device revoke, and hides other tenants’ devices', async () => {
    const { id, serialNumber } = await provisioned('REV-0002');
    const url = `/api/v1/devices/${id}/certificates/${serialNumber}/revoke`;
    for (const user of ['operator', 'compliance', 'operator-globex', 'admin']) {
      const res = await t.request('POST', url, { as: user, body: { reason: 'unspecified' } });
      expect([403, 404]).toContain(res.status);
    }
    const unknown = await t.request('POST', `/api/v1/devices/${id}/certificates/0badc0de/revoke`, {
      as: 'tenant-admin',
      body: { reason: 'unspecified' },
    });
    expect(unknown.status).toBe(404);
  });

  it('revokes every certificate of a device that is decommissioned', async () => {
    const { id, serialNumber } = await provisioned('REV-0003');
    const res = await t.request('POST', `/api/v1/devices/${id}/decommission`, { as: 'tenant-admin' });
    expect(res.status).toBe(200);
    const listed = await t.request('GET', `/api/v1/devices/${id}/certificates`, { as: 'tenant-admin' });
    expect(listed.body.items).toEqual([
      expect.objectContaining({ serialNumber, status: 'revoked', revocationReason: 'cessationOfOperation' }),
    ]);
    expect(await crlSerials()).toContain(serialNumber);
    const events = await entriesOf(t, res.headers['x-request-id'] as string);
    expect(events.map((e) => e.type)).toEqual(['device.decommissioned', 'device.certificate_revoked']);
  });
});
