/**
 * The manifest signers this deployment trusts: the certificates in MANIFEST_SIGNER_CERTIFICATES_FILE
 * (Microchip's manifest-signing certificates, pinned by the operator). Read once at start-up, so a
 * missing or unusable file stops the instance instead of failing imports one by one.
 *
 * A Trust&GO entry names its signer in the protected header by `x5t#S256` (SHA-256 of the
 * certificate) and `kid` (its subject key identifier): the certificate is not in the manifest, so
 * trust is exactly this file. Removing a certificate from it stops new imports signed by it; what
 * was imported stays, with the signer's fingerprint on its manifest.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { x509 } from '../../../core/pki/x509.js';

export interface ManifestSigner {
  /** SHA-256 of the certificate's DER, hex: how manifests record their signer. */
  fingerprintSha256: string;
  /** The same digest, base64url: the JWS `x5t#S256` header. */
  x5tS256: string;
  /** The subject key identifier, base64url: the JWS `kid` header (Microchip's convention). */
  kid: string | null;
  publicKey: KeyObject;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Parses a PEM bundle of signer certificates; throws with the reason when one is unusable. */
export async function parseSignerCertificates(pem: string, source: string): Promise<ManifestSigner[]> {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new Error(`${source}: no PEM certificate found`);
  const signers: ManifestSigner[] = [];
  for (const [i, block] of blocks.entries()) {
    let certificate: x509.X509Certificate;
    let publicKey: KeyObject;
    try {
      certificate = new x509.X509Certificate(block);
      publicKey = createPublicKey(block);
    } catch (error) {
      throw new Error(`${source}: certificate ${i + 1} cannot be parsed`, { cause: error });
    }
    if (publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`${source}: certificate ${i + 1} has no ECDSA P-256 key (manifests are signed ES256)`);
    }
    const digest = createHash('sha256').update(Buffer.from(certificate.rawData)).digest();
    const ski = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
    signers.push({
      fingerprintSha256: digest.toString('hex'),
      x5tS256: digest.toString('base64url'),
      kid: ski ? Buffer.from(ski.keyId, 'hex').toString('base64url') : null,
      publicKey,
    });
  }
  return signers;
}

@Injectable()
export class ManifestSigners implements OnModuleInit {
  #signers: readonly ManifestSigner[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    const file = this.config.MANIFEST_SIGNER_CERTIFICATES_FILE;
    if (!file) return;
    const pem = await readFile(file, 'utf8').catch((error: unknown) => {
      throw new Error(`MANIFEST_SIGNER_CERTIFICATES_FILE: cannot read ${file}`, { cause: error });
    });
    this.#signers = Object.freeze(await parseSignerCertificates(pem, 'MANIFEST_SIGNER_CERTIFICATES_FILE'));
  }

  /** Empty when no signer is configured: imports are then refused. */
  get all(): readonly ManifestSigner[] {
    return this.#signers;
  }
}
