/**
 * The benchmark's fleet, made the fast way: a software P-256 key per device (no emulated
 * ATECC608A), a certificate issued by the real device CA (`FileCertificateAuthority`, the same call
 * the provisioning service makes), and the `devices` and `device_certificates` rows written
 * directly as the database owner (no API round trips, no provisioning audit events). The devices
 * are `active` CX-Temp 2 sensors on a real demo site. Everything after this (mTLS, broker, ingest,
 * database) is the real path.
 */
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { FileCertificateAuthority } from '../../../backend/dist/core/pki/file-certificate-authority.js';
import { fingerprintSha256, x509 } from '../../../backend/dist/core/pki/x509.js';

export interface BenchDevice {
  id: string;
  serialNumber: string;
  /** The device certificate's serial (lower-case hex), as the registry stores it. */
  certificateSerial: string;
  certificatePem: string;
  /** What the device presents: its certificate, then the issuing CA and root. */
  chainPem: string;
  keyPem: string;
  fingerprintSha256: string;
  publicKeySha256: string;
  notBefore: Date;
  notAfter: Date;
}

export async function issueFleet(ca: FileCertificateAuthority, count: number): Promise<BenchDevice[]> {
  const devices: BenchDevice[] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const id = randomUUID();
    const certificate = await ca.issueDeviceCertificate({
      deviceId: id,
      publicKey: new x509.PublicKey(spki),
      notBefore: new Date(now - 5 * 60_000),
      // A year, as DEVICE_CERT_VALIDITY_DAYS issues them: far from the rotation threshold, so the
      // API does not ask the whole fleet for new CSRs in the middle of the benchmark.
      notAfter: new Date(now + 365 * 24 * 3600_000),
    });
    const certificatePem = certificate.toString('pem');
    devices.push({
      id,
      serialNumber: `BENCH-${String(i).padStart(6, '0')}`,
      certificateSerial: certificate.serialNumber.toLowerCase(),
      certificatePem,
      chainPem: `${certificatePem}\n${ca.chainPem}`,
      keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      fingerprintSha256: await fingerprintSha256(certificate),
      publicKeySha256: createHash('sha256').update(spki).digest('hex'),
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
    });
  }
  return devices;
}

/** Registers the fleet as active devices of `siteId` with their certificates (as the owner). */
export async function registerFleet(
  owner: pg.Client,
  devices: readonly BenchDevice[],
  tenantId: string,
  siteId: string,
): Promise<void> {
  await owner.query(
    `INSERT INTO devices (id, tenant_id, site_id, serial_number, model, lifecycle_state, labels)
     SELECT id, $2, $3, serial, 'CX-Temp 2', 'active', '{"bench":"ingest"}'::jsonb
     FROM unnest($1::uuid[], $4::text[]) AS d(id, serial)`,
    [devices.map((d) => d.id), tenantId, siteId, devices.map((d) => d.serialNumber)],
  );
  await owner.query(
    `INSERT INTO device_certificates (serial_number, device_id, tenant_id, fingerprint_sha256,
       public_key_sha256, certificate_pem, not_before, not_after)
     SELECT serial, device, $2, fingerprint, spki, pem, nb, na
     FROM unnest($1::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[])
       AS c(serial, device, fingerprint, spki, pem, nb, na)`,
    [
      devices.map((d) => d.certificateSerial),
      tenantId,
      devices.map((d) => d.id),
      devices.map((d) => d.fingerprintSha256),
      devices.map((d) => d.publicKeySha256),
      devices.map((d) => d.certificatePem),
      devices.map((d) => d.notBefore.toISOString()),
      devices.map((d) => d.notAfter.toISOString()),
    ],
  );
}
