import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCertificateAuthority } from './file-certificate-authority.js';
import { crlPem, generateP256KeyPair, x509 } from './x509.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'custos-ca-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const openssl = (...args: string[]) =>
  execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('FileCertificateAuthority', () => {
  it('is created once even when several processes open it at the same moment', async () => {
    const caDir = path.join(dir, 'concurrent');
    const cas = await Promise.all([1, 2, 3, 4].map(() => FileCertificateAuthority.open(caDir)));
    expect(new Set(cas.map((ca) => ca.chainPem)).size).toBe(1);
    expect((await stat(path.join(caDir, 'issuing-ca.key'))).mode & 0o777).toBe(0o600);
    const reopened = await FileCertificateAuthority.open(caDir);
    expect(reopened.chainPem).toBe(cas[0]?.chainPem);
  });

  it('issues a device certificate that OpenSSL verifies as a TLS client certificate up to the root', async () => {
    const ca = await FileCertificateAuthority.open(path.join(dir, 'issue'));
    const keys = await generateP256KeyPair();
    const deviceId = '5f0c5a52-5f7e-4a36-9b8a-2c1f3c9d0e11';
    const certificate = await ca.issueDeviceCertificate({
      deviceId,
      publicKey: await x509.PublicKey.create(keys.publicKey),
      notBefore: new Date(Date.now() - 1000),
      notAfter: new Date(Date.now() + 86_400_000),
    });
    expect(certificate.subject).toBe(`CN=${deviceId}`);
    await writeFile(path.join(dir, 'device.pem'), certificate.toString('pem'));
    await writeFile(path.join(dir, 'root.pem'), ca.trustAnchorPem);
    await writeFile(path.join(dir, 'chain.pem'), ca.chainPem);
    const verdict = openssl(
      'verify',
      '-purpose',
      'sslclient',
      '-CAfile',
      path.join(dir, 'root.pem'),
      '-untrusted',
      path.join(dir, 'chain.pem'),
      path.join(dir, 'device.pem'),
    );
    expect(verdict.trim()).toMatch(/: OK$/);
  });

  it('signs a revocation list that lists the serial and verifies against the issuing CA', async () => {
    const ca = await FileCertificateAuthority.open(path.join(dir, 'crl'));
    const crl = await ca.createRevocationList(
      [{ serialNumber: '0badc0de', revokedAt: new Date('2026-01-02T03:04:05Z'), reason: 'keyCompromise' }],
      new Date(Date.now() + 3_600_000),
    );
    const issuing = new x509.X509Certificate(ca.chainPem);
    expect(await crl.verify({ publicKey: issuing })).toBe(true);
    expect(crl.entries.map((e) => e.serialNumber)).toEqual(['0badc0de']);
    await writeFile(path.join(dir, 'crl.pem'), crlPem(crl));
    expect(openssl('crl', '-in', path.join(dir, 'crl.pem'), '-noout', '-text')).toContain('Key Compromise');
  });

  it('issues server credentials whose key matches the certificate and whose SAN names the host', async () => {
    const ca = await FileCertificateAuthority.open(path.join(dir, 'server'));
    const server = await ca.issueTlsCredentials({
      commonName: 'localhost',
      usage: 'server',
      hostnames: ['localhost', '127.0.0.1'],
    });
    const certificate = new x509.X509Certificate(server.certificatePem);
    const san = certificate.getExtension(x509.SubjectAlternativeNameExtension);
    expect(san?.names.toJSON()).toEqual([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ]);
    await writeFile(path.join(dir, 'server.key'), server.privateKeyPem);
    await writeFile(path.join(dir, 'server.pem'), server.certificatePem);
    const fromKey = openssl('pkey', '-in', path.join(dir, 'server.key'), '-pubout');
    const fromCert = openssl('x509', '-in', path.join(dir, 'server.pem'), '-noout', '-pubkey');
    expect(fromKey).toBe(fromCert);
    expect(await readFile(path.join(dir, 'server.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});

describe('FileCertificateAuthority with a published CRL', () => {
  it('points device certificates at the CRL and names that point in the CRL, as EMQX requires', async () => {
    const crlUrl = 'http://localhost:4000/api/v1/pki/crl';
    const ca = await FileCertificateAuthority.open(path.join(dir, 'published'), { crlUrl });
    const keys = await generateP256KeyPair();
    const certificate = await ca.issueDeviceCertificate({
      deviceId: '5f0c5a52-5f7e-4a36-9b8a-2c1f3c9d0e11',
      publicKey: await x509.PublicKey.create(keys.publicKey),
      notBefore: new Date(Date.now() - 1000),
      notAfter: new Date(Date.now() + 86_400_000),
    });
    await writeFile(path.join(dir, 'published-device.pem'), certificate.toString('pem'));
    const certText = openssl('x509', '-in', path.join(dir, 'published-device.pem'), '-noout', '-text');
    expect(certText).toMatch(/CRL Distribution Points:[\s\S]*URI:http:\/\/localhost:4000\/api\/v1\/pki\/crl/);

    const first = await ca.createRevocationList([], new Date(Date.now() + 3_600_000));
    await new Promise((r) => setTimeout(r, 2));
    const second = await ca.createRevocationList([], new Date(Date.now() + 3_600_000));
    await writeFile(path.join(dir, 'published-crl.pem'), crlPem(second));
    const crlText = openssl('crl', '-in', path.join(dir, 'published-crl.pem'), '-noout', '-text');
    expect(crlText).toMatch(
      /Issuing Distribution Point: critical[\s\S]*URI:http:\/\/localhost:4000\/api\/v1\/pki\/crl[\s\S]*Only User Certificates/,
    );
    await writeFile(path.join(dir, 'published-crl-first.pem'), crlPem(first));
    const crlNumber = (file: string) =>
      BigInt(`${openssl('crl', '-in', path.join(dir, file), '-noout', '-crlnumber').trim().split('=')[1]}`);
    expect(crlNumber('published-crl.pem')).toBeGreaterThan(crlNumber('published-crl-first.pem'));
  });
});
