/**
 * Personal data in the audit trail, per data subject (crypto-shredding). A subject appears in an
 * event only as a keyed pseudonym (HMAC-SHA-256); their personal data is encrypted under a data key
 * of their own, itself wrapped by the master key. Erasing the subject destroys that key: the
 * ciphertext stays in the trail (so every hash still verifies) but can never be read again.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import type { SealedData } from '@custos/audit';
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { Database, type Queryable } from '../database/database.js';
import { MASTER_KEY, type MasterKey } from './master-key.js';

export type SubjectKind = 'patient' | 'user';

/** Unwrapped keys are kept briefly: erasure on another instance takes effect here within this time. */
const KEY_CACHE_MS = 30_000;
const MAX_CACHED = 10_000;

const keyRow = z.object({ wrapped_key: z.instanceof(Buffer).nullable() });

@Injectable()
export class SubjectVault {
  /** KeyObjects, not Buffers: AES-GCM with a KeyObject is over twice as fast per event. */
  private readonly keys = new Map<string, { key: KeyObject | null; expires: number }>();

  constructor(
    @Inject(MASTER_KEY) private readonly master: MasterKey,
    @Inject(Database) private readonly db: Database,
  ) {}

  /** The subject's pseudonym: the same person always maps to the same value, which reveals nothing without the key. */
  async pseudonym(kind: SubjectKind, tenantId: string | null, id: string): Promise<string> {
    return createHmac('sha256', await this.master.pseudonymKey())
      .update(`${kind}:${tenantId ?? '-'}:${id.toLowerCase()}`)
      .digest('hex');
  }

  /** Encrypts personal data for the subject; null when the subject was erased (nothing is stored then). */
  async seal(
    pseudonym: string,
    personal: Record<string, unknown>,
    db: Queryable = this.db.pool,
  ): Promise<SealedData | null> {
    const key = await this.keyFor(pseudonym, db, true);
    if (!key) return null;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(pseudonym));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(personal), 'utf8'), cipher.final()]);
    return {
      alg: 'A256GCM',
      keyRef: pseudonym,
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  /**
   * The personal data, or null when the subject's key has been destroyed. Throws
   * `SealedDataUnreadable` when the key or ciphertext cannot be decrypted (wrong master key,
   * corrupted data): that is never the same as an erasure, and callers say so.
   */
  async open(sealed: SealedData): Promise<Record<string, unknown> | null> {
    let key: KeyObject | null;
    try {
      key = await this.keyFor(sealed.keyRef, this.db.pool, false);
    } catch (error) {
      throw new SealedDataUnreadable(error);
    }
    if (!key) return null;
    try {
      return decrypt(key, sealed);
    } catch (error) {
      throw new SealedDataUnreadable(error);
    }
  }

  /**
   * Destroys the subject's key inside the caller's transaction (which also records the erasure
   * receipt). Returns whether a key existed. A tombstone row stays, so later events about the same
   * person are recorded without personal data instead of under a fresh key.
   */
  async erase(pseudonym: string, tx: Queryable): Promise<boolean> {
    const erased = await tx.query(sql.unsafe`
      INSERT INTO audit_subject_keys (pseudonym, wrapped_key, erased_at) VALUES (${pseudonym}, NULL, clock_timestamp())
      ON CONFLICT (pseudonym) DO UPDATE SET wrapped_key = NULL, erased_at = clock_timestamp()
        WHERE audit_subject_keys.wrapped_key IS NOT NULL
      RETURNING (xmax <> 0) AS existed`);
    this.keys.delete(pseudonym);
    return erased.rows.length > 0 && Boolean((erased.rows[0] as { existed: boolean }).existed);
  }

  /** Forgets cached keys (after an erasure elsewhere, or in tests). */
  forget(pseudonym?: string): void {
    if (pseudonym) this.keys.delete(pseudonym);
    else this.keys.clear();
  }

  /**
   * The subject's data key, read (and, when `create`, made) through `db`: inside a business
   * transaction a new key commits or rolls back together with the only events it encrypted. Only
   * keys read as already committed are cached, so a rolled-back key is never reused.
   */
  private async keyFor(pseudonym: string, db: Queryable, create: boolean): Promise<KeyObject | null> {
    const cached = this.keys.get(pseudonym);
    if (cached && cached.expires > Date.now() && (cached.key || !create)) return cached.key;
    const existing = await db.maybeOne(
      sql.type(keyRow)`SELECT wrapped_key FROM audit_subject_keys WHERE pseudonym = ${pseudonym}`,
    );
    if (!existing && create) {
      const plain = randomBytes(32);
      const wrapped = await this.master.wrap(plain, pseudonym);
      const inserted = await db.query(sql.unsafe`
        INSERT INTO audit_subject_keys (pseudonym, wrapped_key) VALUES (${pseudonym}, ${sql.binary(wrapped)})
        ON CONFLICT (pseudonym) DO NOTHING RETURNING pseudonym`);
      if (inserted.rowCount === 1) return createSecretKey(plain);
      // Someone else created it first (their transaction has committed): read theirs.
      return this.keyFor(pseudonym, db, false);
    }
    const key = existing?.wrapped_key
      ? createSecretKey(await this.master.unwrap(existing.wrapped_key, pseudonym))
      : null;
    if (existing) {
      if (this.keys.size >= MAX_CACHED) this.keys.clear();
      this.keys.set(pseudonym, { key, expires: Date.now() + KEY_CACHE_MS });
    }
    return key;
  }
}

function decrypt(key: KeyObject, sealed: SealedData): Record<string, unknown> {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64')).setAAD(
    Buffer.from(sealed.keyRef),
  );
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
}

/** Sealed data that exists but cannot be decrypted: a key-custody problem, not an erasure. */
export class SealedDataUnreadable extends Error {
  constructor(cause: unknown) {
    super('sealed personal data could not be decrypted', { cause });
    this.name = 'SealedDataUnreadable';
  }
}
