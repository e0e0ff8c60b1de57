/** Request and response schemas of device certificates (validation and OpenAPI both come from here). */
import { z } from 'zod';

export const revocationReasons = [
  'keyCompromise',
  'superseded',
  'cessationOfOperation',
  'unspecified',
] as const;
export type RevocationReason = (typeof revocationReasons)[number];

export const issueCertificateBody = z.strictObject({
  csr: z
    .string()
    .max(8192)
    .regex(/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/, 'A PEM-encoded PKCS#10 request')
    .describe(
      'PKCS#10 certificate signing request (PEM) signed by the device’s secure element; CN = device id',
    ),
});
export type IssueCertificateBody = z.infer<typeof issueCertificateBody>;

export const certificateParams = z.strictObject({
  id: z.uuid(),
  serialNumber: z.string().regex(/^[0-9a-f]{2,40}$/, 'Lower-case hex serial number'),
});

export const revokeCertificateBody = z.strictObject({
  reason: z
    .enum(['keyCompromise', 'cessationOfOperation', 'unspecified'])
    .describe('RFC 5280 reason code, as the CRL will carry it'),
});
export type RevokeCertificateBody = z.infer<typeof revokeCertificateBody>;

export const deviceCertificateSchema = z
  .object({
    serialNumber: z.string().describe('Hex serial number, as in the CRL'),
    deviceId: z.uuid(),
    fingerprintSha256: z.string(),
    publicKeySha256: z.string().describe('SHA-256 of the SubjectPublicKeyInfo: the chip’s key'),
    notBefore: z.string(),
    notAfter: z.string(),
    issuedAt: z.string(),
    status: z.enum(['active', 'expired', 'revoked']),
    revokedAt: z.string().nullable(),
    revocationReason: z.enum(revocationReasons).nullable(),
    certificatePem: z.string(),
  })
  .describe('A certificate the device CA issued to a device');
export type DeviceCertificate = z.infer<typeof deviceCertificateSchema>;

export const issuedCertificateSchema = deviceCertificateSchema
  .extend({
    chainPem: z.string().describe('The issuing CA and the root, to present after the certificate'),
    preProvisioned: z
      .boolean()
      .describe('Whether the key is on an imported secure-element manifest of the tenant (Trust&GO)'),
    uniqueId: z.string().nullable().describe('The chip serial number from that manifest, if so'),
  })
  .describe('The new certificate and the chain the device presents with it');

export const deviceCertificateListSchema = z
  .object({ items: z.array(deviceCertificateSchema) })
  .describe('The device’s certificates, newest first');
