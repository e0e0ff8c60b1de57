/**
 * A small PKI for the agent's tests, shaped like the platform's: a root CA that brokers and devices trust, a
 * device CA under it that issues device certificates from the chip's CSR (CN = device id, client auth), and
 * a server certificate for `localhost` (SAN DNS localhost and IP 127.0.0.1). Plus simulated devices: an
 * emulated ATECC608A, provisioned, with a certificate for its slot key.
 */
import 'reflect-metadata';
import { randomUUID, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { provision, virtualChip } from '../atecc608a/testing.test-helper.js';
import { createCertificateSigningRequest } from '../pki/csr.js';
import type { TlsKeySource } from './tls-key.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;

interface Authority {
  certificate: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

export interface TestPki {
  /** PEM: the root CA, the trust anchor of brokers and devices. */
  rootPem: string;
  /** PEM: the device CA's certificate, sent by devices after their own. */
  deviceCaPem: string;
  server: { certPem: string; keyPem: string };
  /** PEM: the device certificate issued from a CSR, followed by the device CA. */
  issueFromCsr(csrPem: string): Promise<string>;
  /** A client certificate with a software key, for the platform's side of a test (e.g. an observer). */
  issueClient(commonName: string): Promise<{ certPem: string; keyPem: string }>;
}

export async function createTestPki(): Promise<TestPki> {
  const root = await selfSignedCa('Custos Test Root CA');
  const deviceCa = await subordinateCa('Custos Test Device CA', root);
  const serverKeys = await generateKeys();
  const server = await issue(root, {
    subject: 'CN=localhost',
    publicKey: serverKeys.publicKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
    ],
  });
  const clientExtensions = () => [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
  ];
  return {
    rootPem: root.certificate.toString('pem'),
    deviceCaPem: deviceCa.certificate.toString('pem'),
    server: { certPem: server.toString('pem'), keyPem: await privateKeyPem(serverKeys) },
    async issueFromCsr(csrPem) {
      const csr = new x509.Pkcs10CertificateRequest(csrPem);
      if (!(await csr.verify())) throw new Error('the CSR signature does not verify');
      const leaf = await issue(deviceCa, {
        subject: csr.subject,
        publicKey: csr.publicKey,
        extensions: clientExtensions(),
      });
      return `${leaf.toString('pem')}\n${deviceCa.certificate.toString('pem')}\n`;
    },
    async issueClient(commonName) {
      const keys = await generateKeys();
      const leaf = await issue(deviceCa, {
        subject: `CN=${commonName}`,
        publicKey: keys.publicKey,
        extensions: clientExtensions(),
      });
      return {
        certPem: `${leaf.toString('pem')}\n${deviceCa.certificate.toString('pem')}\n`,
        keyPem: await privateKeyPem(keys),
      };
    },
  };
}

export interface SimulatedDevice {
  deviceId: string;
  chip: ReturnType<typeof virtualChip>['chip'];
  emulator: ReturnType<typeof virtualChip>['emulator'];
  certificate: string;
  key: TlsKeySource;
  /** A new key in `slot` (1–4 allow GenKey after the data lock), a CSR, a certificate: a rotation. */
  rotate(slot: number): Promise<{ certificate: string; key: TlsKeySource }>;
}

/** A provisioned emulated chip whose slot 0 key has a certificate issued from its own CSR. */
export async function simulatedDevice(
  pki: TestPki,
  deviceId: string = randomUUID(),
): Promise<SimulatedDevice> {
  const { chip, emulator } = virtualChip();
  await provision(chip);
  const credentialsFor = async (slot: number) => {
    const csr = await createCertificateSigningRequest(chip, { slot, commonName: deviceId });
    const certificate = await pki.issueFromCsr(csr.pem);
    return { certificate, key: { kind: 'simulated', key: emulator.keyForSimulatedTls(slot) } as const };
  };
  const initial = await credentialsFor(0);
  return {
    deviceId,
    chip,
    emulator,
    ...initial,
    async rotate(slot) {
      await chip.genKey(slot);
      return credentialsFor(slot);
    },
  };
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function privateKeyPem(keys: webcrypto.CryptoKeyPair): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
}

async function selfSignedCa(name: string): Promise<Authority> {
  const keys = await generateKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    signingAlgorithm: ECDSA_SHA256,
    keys,
    extensions: caExtensions(),
  });
  return { certificate, keys };
}

async function subordinateCa(name: string, issuer: Authority): Promise<Authority> {
  const keys = await generateKeys();
  const certificate = await issue(issuer, {
    subject: `CN=${name}`,
    publicKey: keys.publicKey,
    extensions: caExtensions(),
  });
  return { certificate, keys };
}

function caExtensions(): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
}

async function issue(
  issuer: Authority,
  {
    subject,
    publicKey,
    extensions,
  }: { subject: string; publicKey: webcrypto.CryptoKey | x509.PublicKey; extensions: x509.Extension[] },
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject,
    issuer: issuer.certificate.subject,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    signingAlgorithm: ECDSA_SHA256,
    publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [
      ...extensions,
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
    ],
  });
}

function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 1) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}
