/**
 * The Ed25519 keys that sign tree heads. Private keys are stored wrapped under the master key, so
 * a database dump alone cannot forge a head. Rotation retires the active key (it stays, public,
 * so old heads keep verifying) and creates a new one.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { generateSigningKey, type PublicKeyRecord, publicKeyRecord, rawPublicKey } from '@custos/audit';
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { Database, type Queryable } from '../database/database.js';
import { sqlStateOf } from '../errors/to-app-error.js';
import { MASTER_KEY, type MasterKey } from './master-key.js';

export interface ActiveSigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface SigningKeyInfo extends PublicKeyRecord {
  createdAt: string;
  retiredAt: string | null;
}

const keyRow = z.object({
  key_id: z.string(),
  public_key: z.instanceof(Buffer),
  private_key: z.instanceof(Buffer),
});
const infoRow = z.object({
  key_id: z.string(),
  public_key: z.instanceof(Buffer),
  created_at: z.string(),
  retired_at: z.string().nullable(),
});

const CACHE_MS = 60_000;

@Injectable()
export class SigningKeys {
  private cached: { key: ActiveSigningKey; expires: number } | undefined;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MASTER_KEY) private readonly master: MasterKey,
  ) {}

  /** The key new heads are signed with, created on first use. */
  async active(db: Queryable = this.db.pool): Promise<ActiveSigningKey> {
    if (this.cached && this.cached.expires > Date.now()) return this.cached.key;
    let row = await db.maybeOne(
      sql.type(
        keyRow,
      )`SELECT key_id, public_key, private_key FROM audit_signing_keys WHERE retired_at IS NULL`,
    );
    const created = !row;
    if (!row) {
      try {
        await this.create(db);
      } catch (error) {
        // Another instance created the first key at the same moment: use theirs.
        if (sqlStateOf(error) !== '23505') throw error;
      }
      row = await db.one(
        sql.type(
          keyRow,
        )`SELECT key_id, public_key, private_key FROM audit_signing_keys WHERE retired_at IS NULL`,
      );
    }
    const der = await this.master.unwrap(row.private_key, `signing-key:${row.key_id}`);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    const key = { keyId: row.key_id, privateKey, publicKey: createPublicKey(privateKey) };
    // A key created just now may still roll back with the caller's transaction: cache it next time.
    if (!created) this.cached = { key, expires: Date.now() + CACHE_MS };
    return key;
  }

  /** Retires the active key and creates its successor, in the caller's transaction. */
  async rotate(tx: Queryable): Promise<{ keyId: string; previousKeyId: string | null }> {
    const previous = await tx.maybeOneFirst(
      sql.type(z.object({ key_id: z.string() }))`
        UPDATE audit_signing_keys SET retired_at = clock_timestamp() WHERE retired_at IS NULL RETURNING key_id`,
    );
    const keyId = await this.create(tx);
    this.cached = undefined;
    return { keyId, previousKeyId: previous ?? null };
  }

  forgetCached(): void {
    this.cached = undefined;
  }

  /** Every key that ever signed, newest first: what a verifier needs. */
  async all(db: Queryable = this.db.pool): Promise<SigningKeyInfo[]> {
    const rows = await db.any(sql.type(infoRow)`
      SELECT key_id, public_key, created_at, retired_at FROM audit_signing_keys ORDER BY created_at DESC, key_id`);
    return rows.map((row) => ({
      ...publicKeyRecord(createPublicKey({ key: rawToSpki(row.public_key), format: 'der', type: 'spki' })),
      createdAt: row.created_at,
      retiredAt: row.retired_at,
    }));
  }

  private async create(db: Queryable): Promise<string> {
    const { privateKey, publicKey, keyId } = generateSigningKey();
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const wrapped = await this.master.wrap(der, `signing-key:${keyId}`);
    await db.query(sql.unsafe`
      INSERT INTO audit_signing_keys (key_id, public_key, private_key)
      VALUES (${keyId}, ${sql.binary(rawPublicKey(publicKey))}, ${sql.binary(wrapped)})`);
    return keyId;
  }
}

/** An Ed25519 SubjectPublicKeyInfo around a raw 32-byte key (RFC 8410). */
export function rawToSpki(raw: Buffer): Buffer {
  return Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
}
