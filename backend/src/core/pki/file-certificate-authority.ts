/**
 * The development device CA: a root and an issuing (intermediate) CA, both ECDSA P-256, kept as PEM
 * files under `PKI_DIR` and created on first start. The root signs only the issuing CA; the issuing
 * CA signs device certificates, CRLs and the local broker's and backend's own TLS certificates.
 * Keys in files suit development and tests only (docs/runbooks/device-pki.md says what production
 * uses instead).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  CRLNumber,
  DistributionPointName,
  GeneralName,
  IssuingDistributionPoint,
  id_ce_cRLNumber,
  id_ce_issuingDistributionPoint,
} from '@peculiar/asn1-x509';
import type {
  CertificateAuthority,
  DeviceCertificateRequest,
  RevocationEntry,
} from './certificate-authority.js';
import {
  type CryptoKey,
  ECDSA_SHA256,
  generateP256KeyPair,
  importPrivateKeyPem,
  privateKeyPem,
  randomSerialNumber,
  x509,
} from './x509.js';

const ROOT_NAME = 'CN=Custos Device Root CA,O=Custos';
const ISSUING_NAME = 'CN=Custos Device Issuing CA,O=Custos';
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** A certificate and its private key, as PEM: what a TLS server or client is configured with. */
export interface TlsCredentials {
  certificatePem: string;
  /** The certificate followed by the issuing CA: what the holder presents. */
  chainPem: string;
  privateKeyPem: string;
}

export interface CaOptions {
  /**
   * Where the CRL is published (this API's /api/v1/pki/crl). Device certificates then carry it as
   * their CRL distribution point, and the CRL names it as its issuing distribution point: what
   * EMQX needs to fetch and apply it.
   */
  crlUrl?: string;
}

export class FileCertificateAuthority implements CertificateAuthority {
  private constructor(
    private readonly root: x509.X509Certificate,
    private readonly issuing: x509.X509Certificate,
    private readonly issuingKey: CryptoKey,
    private readonly options: CaOptions,
  ) {}

  /** Opens the CA in `dir`, creating it the first time. Safe when several processes start at once. */
  static async open(dir: string, options: CaOptions = {}): Promise<FileCertificateAuthority> {
    const files = await readCaFiles(dir).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await createCaFiles(dir);
      return readCaFiles(dir);
    });
    return new FileCertificateAuthority(
      new x509.X509Certificate(files.root),
      new x509.X509Certificate(files.issuing),
      await importPrivateKeyPem(files.issuingKey),
      options,
    );
  }

  get trustAnchorPem(): string {
    return this.root.toString('pem');
  }

  get chainPem(): string {
    return `${this.issuing.toString('pem')}\n${this.root.toString('pem')}\n`;
  }

  async issueDeviceCertificate(request: DeviceCertificateRequest): Promise<x509.X509Certificate> {
    return this.issue({
      subject: `CN=${request.deviceId}`,
      publicKey: request.publicKey,
      notBefore: request.notBefore,
      notAfter: request.notAfter,
      usage: x509.ExtendedKeyUsage.clientAuth,
      subjectAltName: [{ type: 'url', value: `urn:custos:device:${request.deviceId}` }],
    });
  }

  /**
   * A key pair and certificate for one of the platform's own TLS endpoints: the embedded broker
   * (server) or the backend's MQTT client (client, CN = its MQTT identity). Development only:
   * in production these come from the operator's own PKI.
   */
  async issueTlsCredentials(options: {
    commonName: string;
    usage: 'server' | 'client';
    hostnames?: string[];
    validityDays?: number;
  }): Promise<TlsCredentials> {
    const keys = await generateP256KeyPair();
    const now = Date.now();
    const certificate = await this.issue({
      subject: `CN=${options.commonName},O=Custos`,
      publicKey: keys.publicKey,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + (options.validityDays ?? 365) * 24 * 3600 * 1000),
      usage: options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
      subjectAltName: (options.hostnames ?? []).map((name) =>
        /^[\d.]+$|:/.test(name)
          ? { type: 'ip' as const, value: name }
          : { type: 'dns' as const, value: name },
      ),
    });
    const certificatePem = certificate.toString('pem');
    return {
      certificatePem,
      chainPem: `${certificatePem}\n${this.issuing.toString('pem')}\n`,
      privateKeyPem: await privateKeyPem(keys.privateKey),
    };
  }

  async createRevocationList(entries: readonly RevocationEntry[], nextUpdate: Date): Promise<x509.X509Crl> {
    return x509.X509CrlGenerator.create({
      issuer: this.issuing.subject,
      thisUpdate: new Date(),
      nextUpdate,
      signingKey: this.issuingKey,
      signingAlgorithm: ECDSA_SHA256,
      entries: entries.map((entry) => ({
        serialNumber: entry.serialNumber,
        revocationDate: entry.revokedAt,
        reason: x509.X509CrlReason[entry.reason],
      })),
      extensions: [
        await x509.AuthorityKeyIdentifierExtension.create(this.issuing),
        crlNumber(),
        ...(this.options.crlUrl ? [issuingDistributionPoint(this.options.crlUrl)] : []),
      ],
    });
  }

  private async issue(options: {
    subject: string;
    publicKey: x509.PublicKey | CryptoKey;
    notBefore: Date;
    notAfter: Date;
    usage: string;
    subjectAltName: x509.JsonGeneralName[];
  }): Promise<x509.X509Certificate> {
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([options.usage]),
      await x509.SubjectKeyIdentifierExtension.create(options.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(this.issuing),
    ];
    // Every certificate points at the CRL when there is a published one: a CRL whose issuing
    // distribution point names a URL applies only to certificates that name the same URL.
    if (this.options.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([this.options.crlUrl]));
    if (options.subjectAltName.length > 0) {
      extensions.push(new x509.SubjectAlternativeNameExtension(options.subjectAltName));
    }
    return x509.X509CertificateGenerator.create({
      serialNumber: randomSerialNumber(),
      subject: options.subject,
      issuer: this.issuing.subject,
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      publicKey: options.publicKey,
      signingKey: this.issuingKey,
      signingAlgorithm: ECDSA_SHA256,
      extensions,
    });
  }
}

/** RFC 5280 §5.2.3: a CRL number that only grows; milliseconds since 1970 do, across instances too. */
function crlNumber(): x509.Extension {
  return new x509.Extension(id_ce_cRLNumber, false, AsnConvert.serialize(new CRLNumber(Date.now())));
}

/** Critical, as RFC 5280 §5.2.5 requires: this CRL covers end-entity certificates pointing to `url`. */
function issuingDistributionPoint(url: string): x509.Extension {
  const value = new IssuingDistributionPoint({
    distributionPoint: new DistributionPointName({
      fullName: [new GeneralName({ uniformResourceIdentifier: url })],
    }),
    onlyContainsUserCerts: true,
  });
  return new x509.Extension(id_ce_issuingDistributionPoint, true, AsnConvert.serialize(value));
}

interface CaFiles {
  root: string;
  issuing: string;
  issuingKey: string;
}

async function readCaFiles(dir: string): Promise<CaFiles> {
  const read = (name: string) => readFile(path.join(dir, name), 'utf8');
  return {
    root: await read('root-ca.pem'),
    issuing: await read('issuing-ca.pem'),
    issuingKey: await read('issuing-ca.key'),
  };
}

/**
 * Writes the CA into a fresh directory beside `dir`, then renames it into place: a second process
 * starting at the same moment either wins the rename or finds the first one's complete CA.
 */
async function createCaFiles(dir: string): Promise<void> {
  const now = Date.now();
  const rootKeys = await generateP256KeyPair();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: ROOT_NAME,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 20 * YEAR_MS),
    keys: rootKeys,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const issuingKeys = await generateP256KeyPair();
  const issuing = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: ISSUING_NAME,
    issuer: root.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * YEAR_MS),
    publicKey: issuingKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(issuingKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root),
    ],
  });

  const staging = `${dir}.${randomUUID()}.tmp`;
  await mkdir(staging, { recursive: true, mode: 0o700 });
  const write = (name: string, text: string, mode = 0o644) =>
    writeFile(path.join(staging, name), text, { mode });
  await write('root-ca.pem', root.toString('pem'));
  // The root key is written once so that an operator can move it offline; the backend never reads it.
  await write('root-ca.key', await privateKeyPem(rootKeys.privateKey), 0o600);
  await write('issuing-ca.pem', issuing.toString('pem'));
  await write('issuing-ca.key', await privateKeyPem(issuingKeys.privateKey), 0o600);
  await mkdir(path.dirname(dir), { recursive: true });
  await rename(staging, dir).catch(async (error: NodeJS.ErrnoException) => {
    await rm(staging, { recursive: true, force: true });
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  });
}
