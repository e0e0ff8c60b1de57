/**
 * SQL of device claiming: claim codes (only their salted hashes), the per-user failure window, and
 * releasing a device from its site. Times are the database's clock, the same for every instance.
 */
import { Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../../core/database/database.js';
import {
  CODES_COMPARED,
  DEVICE_LOCK_AFTER,
  DEVICE_LOCK_SECONDS,
  USER_WINDOW_SECONDS,
} from './claim-limits.js';

const storedCodeRow = z.object({
  id: z.uuid(),
  code_salt: z.string(),
  code_hash: z.string(),
  used: z.boolean(),
  revoked: z.boolean(),
  expired: z.boolean(),
  attempts: z.number().int(),
  locked_seconds: z.number().int(),
});

/** A stored code as the redemption needs it: state computed by the database at this instant. */
export interface StoredCode {
  id: string;
  salt: Buffer;
  hash: string;
  used: boolean;
  revoked: boolean;
  expired: boolean;
  attempts: number;
  /** Seconds until the lock ends; 0 when not locked. */
  lockedSeconds: number;
}

export interface NewClaimCode {
  deviceId: string;
  tenantId: string;
  salt: Buffer;
  hash: string;
  createdBy: string;
  validityDays: number;
}

const issuedRow = z.object({ id: z.uuid(), created_at: z.string(), expires_at: z.string() });
const throttleRow = z.object({ failures: z.number().int(), retry_after: z.number().int() });
const idRow = z.object({ id: z.uuid() });

@Injectable()
/** Every method runs in the caller's transaction: claiming never reads or writes outside one. */
export class ClaimingRepository {
  /** The device with this serial number in this tenant only, locked: its guesses are counted one at a time. */
  /** The id of the device with this serial in the tenant, unlocked (the check before a claim's transaction). */
  async deviceIdBySerial(tenantId: string, serialNumber: string, db: Queryable): Promise<string | null> {
    return db.maybeOneFirst(sql.type(idRow)`
      SELECT id FROM devices WHERE tenant_id = ${tenantId} AND serial_number = ${serialNumber}`);
  }

  async lockDeviceBySerial(tenantId: string, serialNumber: string, db: Queryable): Promise<string | null> {
    return db.maybeOneFirst(sql.type(idRow)`
      SELECT id FROM devices WHERE tenant_id = ${tenantId} AND serial_number = ${serialNumber}
      FOR NO KEY UPDATE`);
  }

  /** The device's most recent codes, newest first, the live one (if any) among them. */
  async recentCodes(deviceId: string, db: Queryable): Promise<StoredCode[]> {
    const rows = await db.any(sql.type(storedCodeRow)`
      SELECT id, encode(code_salt, 'hex') AS code_salt, code_hash,
             used_at IS NOT NULL AS used, revoked_at IS NOT NULL AS revoked,
             expires_at <= now() AS expired, attempts,
             greatest(0, ceil(extract(epoch FROM locked_until - now())))::int AS locked_seconds
      FROM device_claim_codes WHERE device_id = ${deviceId}
      ORDER BY created_at DESC LIMIT ${CODES_COMPARED}
      FOR UPDATE`);
    return rows.map((row) => ({
      id: row.id,
      salt: Buffer.from(row.code_salt, 'hex'),
      hash: row.code_hash,
      used: row.used,
      revoked: row.revoked,
      expired: row.expired,
      attempts: row.attempts,
      lockedSeconds: row.locked_seconds,
    }));
  }

  async insert(
    code: NewClaimCode,
    db: Queryable,
  ): Promise<{ id: string; createdAt: string; expiresAt: string }> {
    const row = await db.one(sql.type(issuedRow)`
      INSERT INTO device_claim_codes (device_id, tenant_id, code_salt, code_hash, created_by, expires_at)
      VALUES (${code.deviceId}, ${code.tenantId}, ${sql.binary(code.salt)}, ${code.hash}, ${code.createdBy},
              now() + make_interval(days => ${code.validityDays}))
      RETURNING id, created_at, expires_at`);
    return { id: row.id, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  /** Retires the device's live code, if any (a new sticker, or a released device); true if there was one. */
  async revokeLive(deviceId: string, db: Queryable): Promise<boolean> {
    const revoked = await db.anyFirst(sql.type(idRow)`
      UPDATE device_claim_codes SET revoked_at = now()
      WHERE device_id = ${deviceId} AND used_at IS NULL AND revoked_at IS NULL
      RETURNING id`);
    return revoked.length > 0;
  }

  /** Counts a wrong guess against a live code; every DEVICE_LOCK_AFTER-th locks it. Returns the count. */
  async countGuess(codeId: string, db: Queryable): Promise<number> {
    return db.oneFirst(sql.type(z.object({ attempts: z.number().int() }))`
      UPDATE device_claim_codes SET
        attempts = attempts + 1,
        locked_until = CASE WHEN (attempts + 1) % ${DEVICE_LOCK_AFTER} = 0
                            THEN now() + make_interval(secs => ${DEVICE_LOCK_SECONDS})
                            ELSE locked_until END
      WHERE id = ${codeId}
      RETURNING attempts`);
  }

  async markUsed(codeId: string, userId: string, db: Queryable): Promise<void> {
    await db.query(sql.unsafe`
      UPDATE device_claim_codes SET used_at = now(), used_by = ${userId} WHERE id = ${codeId}`);
  }

  /**
   * The user's failure window, locked until the transaction ends (so that parallel attempts by one
   * user are counted one after the other), restarted when it is over. `retryAfter` is the seconds
   * left in the window.
   */
  async lockUserWindow(userId: string, db: Queryable): Promise<{ failures: number; retryAfter: number }> {
    const over = sql.fragment`w.window_started_at <= now() - make_interval(secs => ${USER_WINDOW_SECONDS})`;
    const row = await db.one(sql.type(throttleRow)`
      INSERT INTO device_claim_throttle AS w (user_id) VALUES (${userId})
      ON CONFLICT (user_id) DO UPDATE SET
        window_started_at = CASE WHEN ${over} THEN now() ELSE w.window_started_at END,
        failures = CASE WHEN ${over} THEN 0 ELSE w.failures END
      RETURNING failures,
        greatest(1, ceil(extract(epoch FROM
          w.window_started_at + make_interval(secs => ${USER_WINDOW_SECONDS}) - now())))::int AS retry_after`);
    return { failures: row.failures, retryAfter: row.retry_after };
  }

  async countUserFailure(userId: string, db: Queryable): Promise<void> {
    await db.query(sql.unsafe`
      UPDATE device_claim_throttle SET failures = failures + 1 WHERE user_id = ${userId}`);
  }

  /**
   * Returns a claimed or suspended device to provisioned: no site, and no patient (a device that
   * leaves its site must not go on attributing measurements to the patient it was assigned to).
   * False when the version moved on.
   */
  async release(deviceId: string, expectedVersion: number, db: Queryable): Promise<boolean> {
    const id = await db.maybeOneFirst(sql.type(idRow)`
      UPDATE devices SET lifecycle_state = 'provisioned', site_id = NULL, patient_id = NULL,
        version = version + 1, updated_at = now()
      WHERE id = ${deviceId} AND version = ${expectedVersion}
      RETURNING id`);
    return id !== null;
  }
}
