/** Reading the trusted manifest signers: what the JWS headers are matched against, and what stops a start. */
import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createManifestSigner } from '../../../../../tests/support/trust-and-go.js';
import { type CryptoKeyPair, x509 } from '../../../core/pki/x509.js';
import { parseSignerCertificates } from './manifest-signers.js';

describe('parseSignerCertificates', () => {
  it('reads every certificate of a bundle with the kid and x5t#S256 a Trust&GO entry names it by', async () => {
    const [one, two] = await Promise.all([createManifestSigner('One'), createManifestSigner('Two')]);
    const signers = await parseSignerCertificates(
      `# trusted\n${one.certificatePem}\n${two.certificatePem}`,
      'test',
    );
    expect(signers.map((s) => [s.kid, s.x5tS256, s.fingerprintSha256])).toEqual([
      [one.kid, one.x5tS256, one.fingerprintSha256],
      [two.kid, two.x5tS256, two.fingerprintSha256],
    ]);
  });

  it('refuses a file without a certificate, a broken one, and a key ES256 cannot use', async () => {
    await expect(parseSignerCertificates('', 'test')).rejects.toThrow(/no PEM certificate/);
    await expect(
      parseSignerCertificates('-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----', 'test'),
    ).rejects.toThrow(/cannot be parsed/);
    const algorithm = { name: 'ECDSA', namedCurve: 'P-384' };
    const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
    const p384 = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=P-384 signer',
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' },
    });
    await expect(parseSignerCertificates(p384.toString('pem'), 'test')).rejects.toThrow(/P-256/);
  });
});
