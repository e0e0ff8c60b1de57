/**
 * The device certificate authority as the rest of the backend sees it. The platform only ever asks
 * it to sign: issue a device certificate for a public key that a chip proved it holds, and publish
 * the revocation list. Development keeps the keys in files (`file-certificate-authority.ts`); a
 * production deployment implements the same interface over a KMS or HSM (AWS Private CA, Cloud
 * KMS, a PKCS#11 HSM), so no CA private key ever needs to be in the backend's memory there.
 */
import type { x509 } from './x509.js';

export interface DeviceCertificateRequest {
  /** The device's UUID: becomes the subject CN, which the brokers take as the MQTT identity. */
  deviceId: string;
  /** The public key from a CSR whose signature has been verified. */
  publicKey: x509.PublicKey;
  notBefore: Date;
  notAfter: Date;
}

export interface RevocationEntry {
  serialNumber: string;
  revokedAt: Date;
  reason: 'keyCompromise' | 'superseded' | 'cessationOfOperation' | 'unspecified';
}

export interface CertificateAuthority {
  /** PEM of the root a broker trusts for device (client) certificates, and devices for the broker. */
  readonly trustAnchorPem: string;
  /** PEM of the issuing CA certificate followed by the root: what a device presents after its own. */
  readonly chainPem: string;
  issueDeviceCertificate(request: DeviceCertificateRequest): Promise<x509.X509Certificate>;
  /** A CRL signed by the issuing CA listing every revoked device certificate still within validity. */
  createRevocationList(entries: readonly RevocationEntry[], nextUpdate: Date): Promise<x509.X509Crl>;
}
