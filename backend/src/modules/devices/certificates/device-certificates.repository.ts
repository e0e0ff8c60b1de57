/** SQL for the device certificate registry. */
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { Database, type Queryable } from '../../../core/database/database.js';
import {
  type DeviceCertificate,
  type RevocationReason,
  revocationReasons,
} from './device-certificates.dto.js';

const certificateRow = z.object({
  serial_number: z.string(),
  device_id: z.string(),
  fingerprint_sha256: z.string(),
  public_key_sha256: z.string(),
  certificate_pem: z.string(),
  not_before: z.string(),
  not_after: z.string(),
  issued_at: z.string(),
  revoked_at: z.string().nullable(),
  revocation_reason: z.enum(revocationReasons).nullable(),
});
type CertificateRow = z.infer<typeof certificateRow>;

function toCertificate(row: CertificateRow, now = Date.now()): DeviceCertificate {
  return {
    serialNumber: row.serial_number,
    deviceId: row.device_id,
    fingerprintSha256: row.fingerprint_sha256,
    publicKeySha256: row.public_key_sha256,
    notBefore: row.not_before,
    notAfter: row.not_after,
    issuedAt: row.issued_at,
    status: row.revoked_at !== null ? 'revoked' : Date.parse(row.not_after) <= now ? 'expired' : 'active',
    revokedAt: row.revoked_at,
    revocationReason: row.revocation_reason,
    certificatePem: row.certificate_pem,
  };
}

export interface NewCertificate {
  serialNumber: string;
  deviceId: string;
  tenantId: string;
  fingerprintSha256: string;
  publicKeySha256: string;
  certificatePem: string;
  notBefore: Date;
  notAfter: Date;
}

@Injectable()
export class DeviceCertificatesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async insert(certificate: NewCertificate, db: Queryable): Promise<DeviceCertificate> {
    const row = await db.one(sql.type(certificateRow)`
      INSERT INTO device_certificates (serial_number, device_id, tenant_id, fingerprint_sha256,
        public_key_sha256, certificate_pem, not_before, not_after)
      VALUES (${certificate.serialNumber}, ${certificate.deviceId}, ${certificate.tenantId},
        ${certificate.fingerprintSha256}, ${certificate.publicKeySha256}, ${certificate.certificatePem},
        ${certificate.notBefore.toISOString()}::timestamptz, ${certificate.notAfter.toISOString()}::timestamptz)
      RETURNING *`);
    return toCertificate(row);
  }

  async listForDevice(deviceId: string, db: Queryable = this.db.pool): Promise<DeviceCertificate[]> {
    const rows = await db.any(sql.type(certificateRow)`
      SELECT * FROM device_certificates WHERE device_id = ${deviceId}
      ORDER BY issued_at DESC, serial_number LIMIT 100`);
    return rows.map((row) => toCertificate(row));
  }

  async findForDevice(
    deviceId: string,
    serialNumber: string,
    db: Queryable,
  ): Promise<DeviceCertificate | null> {
    const row = await db.maybeOne(sql.type(certificateRow)`
      SELECT * FROM device_certificates WHERE device_id = ${deviceId} AND serial_number = ${serialNumber}
      FOR UPDATE`);
    return row ? toCertificate(row) : null;
  }

  /** Marks the device's unrevoked certificates (or the one named) revoked; returns those it revoked. */
  async revoke(
    which: { deviceId: string; serialNumber?: string },
    reason: RevocationReason,
    db: Queryable,
  ): Promise<DeviceCertificate[]> {
    const rows = await db.any(sql.type(certificateRow)`
      UPDATE device_certificates SET revoked_at = now(), revocation_reason = ${reason}
      WHERE device_id = ${which.deviceId} AND revoked_at IS NULL
        ${which.serialNumber ? sql.fragment`AND serial_number = ${which.serialNumber}` : sql.fragment``}
      RETURNING *`);
    return rows.map((row) => toCertificate(row));
  }

  /** Revokes the device's valid certificates other than `keep` as superseded (after a rotation). */
  async revokeOthers(deviceId: string, keep: string, db: Queryable): Promise<DeviceCertificate[]> {
    const rows = await db.any(sql.type(certificateRow)`
      UPDATE device_certificates SET revoked_at = now(), revocation_reason = 'superseded'
      WHERE device_id = ${deviceId} AND revoked_at IS NULL AND serial_number <> ${keep}
      RETURNING *`);
    return rows.map((row) => toCertificate(row));
  }

  /** Revoked certificates that have not expired yet: what a CRL must list. */
  async revokedUnexpired(
    db: Queryable = this.db.pool,
  ): Promise<{ serialNumber: string; revokedAt: Date; reason: RevocationReason }[]> {
    const rows = await db.any(sql.type(
      z.object({
        serial_number: z.string(),
        revoked_at: z.string(),
        revocation_reason: z.enum(revocationReasons),
      }),
    )`
      SELECT serial_number, revoked_at, revocation_reason FROM device_certificates
      WHERE revoked_at IS NOT NULL AND not_after > now()
      ORDER BY revoked_at, serial_number`);
    return rows.map((row) => ({
      serialNumber: row.serial_number,
      revokedAt: new Date(row.revoked_at),
      reason: row.revocation_reason,
    }));
  }
}
