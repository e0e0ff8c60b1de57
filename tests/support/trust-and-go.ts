/**
 * Secure-element manifests for tests, made the way Microchip makes Trust&GO ones: each chip (an
 * emulated ATECC608A, personalised so that its slot-0 key was generated inside it) becomes a
 * SecureElement payload, signed ES256 as a JWS in the flattened JSON serialization by a
 * manifest-signing key whose certificate the test hands the platform
 * (MANIFEST_SIGNER_CERTIFICATES_FILE). Real manifests carry the same fields; their signer
 * certificate is issued by Microchip's manifest CA instead of being self-signed.
 */
import { createHash } from 'node:crypto';
import { Atecc608a, Atecc608aEmulator, personaliseChip } from '@custos/firmware';
import { FlattenedSign } from 'jose';
import type { Principal } from '../../backend/src/core/auth/subject-directory.js';
import { Actor } from '../../backend/src/core/authz/actor.js';
import { AuthzService } from '../../backend/src/core/authz/authz.service.js';
import {
  type CryptoKey,
  ECDSA_SHA256,
  generateP256KeyPair,
  randomSerialNumber,
  x509,
} from '../../backend/src/core/pki/x509.js';
import { demoSites, demoTenants, demoUserByName } from '../../backend/src/launcher/demo-data.js';
import type { TestApp } from './test-app.js';

export interface TestManifestSigner {
  certificatePem: string;
  privateKey: CryptoKey;
  /** The JWS `kid` Microchip uses: the certificate's subject key identifier, base64url. */
  kid: string;
  /** The JWS `x5t#S256`: SHA-256 of the certificate's DER, base64url. */
  x5tS256: string;
  /** The same digest in hex, as the platform records a manifest's signer. */
  fingerprintSha256: string;
}

/** A manifest-signing key and its self-signed certificate (ECDSA P-256). */
export async function createManifestSigner(
  commonName = 'Test Manifest Signer 001',
): Promise<TestManifestSigner> {
  const keys = await generateP256KeyPair();
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: `CN=${commonName}, O=Microchip Technology Inc (test)`,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 10 * 365 * 24 * 3600_000),
    keys,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ski,
    ],
  });
  const digest = createHash('sha256').update(Buffer.from(certificate.rawData)).digest();
  return {
    certificatePem: certificate.toString('pem'),
    privateKey: keys.privateKey,
    kid: Buffer.from(ski.keyId, 'hex').toString('base64url'),
    x5tS256: digest.toString('base64url'),
    fingerprintSha256: digest.toString('hex'),
  };
}

export interface TrustAndGoChip {
  chip: Atecc608a;
  emulator: Atecc608aEmulator;
  /** The 9-byte serial number, lower-case hex: the manifest's `uniqueId`. */
  uniqueId: string;
  /** The slot-0 public key as the chip gives it: X || Y, 64 bytes. */
  publicKey: Buffer;
}

/** An emulated ATECC608A, personalised: config locked, slot-0 key generated inside, data locked. */
export async function trustAndGoChip(): Promise<TrustAndGoChip> {
  const emulator = new Atecc608aEmulator({ watchdog: false });
  const chip = new Atecc608a(emulator);
  const publicKey = await personaliseChip(chip);
  return { chip, emulator, uniqueId: (await chip.readSerialNumber()).toString('hex'), publicKey };
}

/** The slot-0 key as the manifest's JWK (`kid` "0"). */
export function slot0Jwk(publicKey: Buffer): Record<string, string> {
  return {
    kid: '0',
    kty: 'EC',
    crv: 'P-256',
    x: publicKey.subarray(0, 32).toString('base64url'),
    y: publicKey.subarray(32, 64).toString('base64url'),
  };
}

const microchip = {
  organizationName: 'Microchip Technology Inc',
  organizationalUnitName: 'Secure Products Group',
};

/** The SecureElement payload of a chip, as Microchip writes it; `overrides` replace top-level fields. */
export function secureElementOf(chip: TrustAndGoChip, overrides: Record<string, unknown> = {}) {
  return {
    version: 1,
    model: 'ATECC608A',
    partNumber: 'ATECC608A-TNGTLSU-G',
    manufacturer: microchip,
    provisioner: microchip,
    distributor: { organizationName: 'Microchip Technology Inc', organizationalUnitName: 'Microchip Direct' },
    groupId: 'TEST0GROUP0000001',
    provisioningTimestamp: '2026-03-02T10:15:30.000Z',
    uniqueId: chip.uniqueId,
    publicKeySet: { keys: [slot0Jwk(chip.publicKey)] },
    ...overrides,
  };
}

export interface SignedSecureElement {
  payload: string;
  protected: string;
  header: { uniqueId: string };
  signature: string;
}

/** Signs a payload (an object, or exact bytes) as one manifest entry. */
export async function signSecureElement(
  signer: TestManifestSigner,
  payload: object | Uint8Array,
  options: { uniqueId?: string; protectedHeader?: Record<string, unknown> } = {},
): Promise<SignedSecureElement> {
  const bytes = payload instanceof Uint8Array ? payload : new TextEncoder().encode(JSON.stringify(payload));
  const uniqueId =
    options.uniqueId ??
    (payload instanceof Uint8Array ? '' : String((payload as { uniqueId?: unknown }).uniqueId));
  const jws = await new FlattenedSign(bytes)
    .setProtectedHeader({
      typ: 'JWT',
      alg: 'ES256',
      kid: signer.kid,
      'x5t#S256': signer.x5tS256,
      ...options.protectedHeader,
    } as { alg: string })
    .setUnprotectedHeader({ uniqueId })
    .sign(signer.privateKey);
  return {
    payload: jws.payload,
    protected: jws.protected as string,
    header: { uniqueId },
    signature: jws.signature,
  };
}

/** A manifest of `chips` (or of that many new chips), every entry signed by `signer`. */
export async function trustAndGoManifest(
  signer: TestManifestSigner,
  chips: number | TrustAndGoChip[],
): Promise<{ manifest: SignedSecureElement[]; chips: TrustAndGoChip[] }> {
  const listed =
    typeof chips === 'number' ? await Promise.all(Array.from({ length: chips }, trustAndGoChip)) : chips;
  const manifest = await Promise.all(listed.map((chip) => signSecureElement(signer, secureElementOf(chip))));
  return { manifest, chips: listed };
}

/**
 * A tenant administrator of Globex, which the demo world lacks, for calling services directly (as a
 * second tenant importing its own manifests). Acts under the Globex operator's account id.
 */
export function globexAdmin(t: TestApp): Actor {
  const userId = demoUserByName('operator-globex')?.id as string;
  const principal: Principal = {
    userId,
    externalId: userId,
    username: 'globex-admin',
    roles: ['tenant-admin'],
    tenantId: demoTenants.globex.id,
    siteIds: [demoSites.globexLab.id],
    patientIds: [],
    subjectPatientId: null,
  };
  return new Actor(principal, {}, t.app.get(AuthzService).abilityFor(principal, {}));
}
