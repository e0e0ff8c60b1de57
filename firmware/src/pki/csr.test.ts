/**
 * The CSR the chip signs: it verifies with @peculiar/x509 and with OpenSSL, names the device, carries the
 * chip's key, and does not verify when signed by another chip's key.
 */
import 'reflect-metadata';
import { execFileSync, spawnSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Atecc608a } from '../atecc608a/driver.js';
import { provision, virtualChip } from '../atecc608a/testing.test-helper.js';
import { createCertificateSigningRequest } from './csr.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const DEVICE_ID = '0b7c3f2e-5d41-4a8e-9c3b-2f6d1e0a9b85';

async function provisionedChip() {
  const { chip } = virtualChip();
  await provision(chip);
  return chip;
}

function openssl(args: string[], input: string) {
  return spawnSync('openssl', args, { input, encoding: 'utf8' });
}

const spkiHex = async (key: { export(options: { type: 'spki'; format: 'der' }): Buffer }) =>
  key.export({ type: 'spki', format: 'der' }).toString('hex');

describe('createCertificateSigningRequest', () => {
  it('builds a PKCS#10 request that @peculiar/x509 and OpenSSL verify, for the device and the chip key', async () => {
    const chip = await provisionedChip();
    const { pem, der } = await createCertificateSigningRequest(chip, { commonName: DEVICE_ID });

    const csr = new x509.Pkcs10CertificateRequest(pem);
    expect(await csr.verify()).toBe(true);
    expect(Buffer.from(csr.rawData)).toEqual(Buffer.from(der));
    expect(csr.subject).toBe(`CN=${DEVICE_ID}`);
    expect(csr.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
    expect(Buffer.from(csr.publicKey.rawData).toString('hex')).toBe(await spkiHex(await chip.publicKey(0)));

    const verified = openssl(['req', '-verify', '-noout'], pem);
    expect(verified.status).toBe(0);
    expect(`${verified.stdout}${verified.stderr}`).toMatch(/verify OK/);
    const text = execFileSync('openssl', ['req', '-noout', '-text'], { input: pem, encoding: 'utf8' });
    expect(text).toContain(`Subject: CN = ${DEVICE_ID}`);
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toContain('NIST CURVE: P-256');
  });

  it('uses the key of the slot it is given', async () => {
    const chip = await provisionedChip();
    await chip.genKey(1);
    const { pem } = await createCertificateSigningRequest(chip, { slot: 1, commonName: DEVICE_ID });
    const csr = new x509.Pkcs10CertificateRequest(pem);
    expect(await csr.verify()).toBe(true);
    expect(Buffer.from(csr.publicKey.rawData).toString('hex')).toBe(await spkiHex(await chip.publicKey(1)));
  });

  it('carries any printable common name of 1 to 64 characters, and verifies', async () => {
    const chip = await provisionedChip();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 64 }),
        async (commonName) => {
          const { pem } = await createCertificateSigningRequest(chip, { commonName });
          const csr = new x509.Pkcs10CertificateRequest(pem);
          expect(csr.subjectName.getField('CN')).toEqual([commonName]);
          expect(await csr.verify()).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses an empty common name or one over 64 characters', async () => {
    const chip = await provisionedChip();
    await expect(createCertificateSigningRequest(chip, { commonName: '' })).rejects.toThrow(RangeError);
    await expect(createCertificateSigningRequest(chip, { commonName: 'x'.repeat(65) })).rejects.toThrow(
      RangeError,
    );
  });

  it('does not verify when the signature comes from a chip with another key', async () => {
    const named = await provisionedChip();
    const other = await provisionedChip();
    // One chip's public key in the request, the other chip's signature over it.
    const mismatched = {
      getPublicKey: (slot: number) => named.getPublicKey(slot),
      signDigest: (slot: number, digest: Uint8Array) => other.signDigest(slot, digest),
    } as unknown as Atecc608a;
    const { pem } = await createCertificateSigningRequest(mismatched, { commonName: DEVICE_ID });
    expect(await new x509.Pkcs10CertificateRequest(pem).verify()).toBe(false);
    const verified = openssl(['req', '-verify', '-noout'], pem);
    // OpenSSL 3.0's `req -verify` exits 0 either way; only its message tells.
    expect(`${verified.stdout}${verified.stderr}`).toMatch(/verify failure/);
    expect(`${verified.stdout}${verified.stderr}`).not.toMatch(/verify OK/);
  });
});
