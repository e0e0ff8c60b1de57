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
import { advisoryXactLock, SIGN_LOCK } from './locks.js';
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

@Injectable()
export class SigningKeys {
  /** Unwrapped keys by id (a key id always names the same key); which key is active is read each time. */
  private readonly unwrapped = new Map<string, ActiveSigningKey>();

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MASTER_KEY) private readonly master: MasterKey,
  ) {}

  /**
   * The key new heads are signed with, created on first use. Read from the database every time, so
   * a rotation by any instance takes effect at once everywhere.
   */
  async active(db: Queryable = this.db.pool): Promise<ActiveSigningKey> {
    const select = sql.type(keyRow)`
      SELECT key_id, public_key, private_key FROM audit_signing_keys WHERE retired_at IS NULL`;
    let row = await db.maybeOne(select);
    if (!row) {
      // ON CONFLICT, not a caught error: a failed statement would abort the caller's transaction.
      // If another instance created the first key at the same moment, theirs is used.
      await this.create(db, true);
      row = await db.one(select);
    }
    const known = this.unwrapped.get(row.key_id);
    if (known) return known;
    const der = await this.master.unwrap(row.private_key, `signing-key:${row.key_id}`);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    const key = { keyId: row.key_id, privateKey, publicKey: createPublicKey(privateKey) };
    this.unwrapped.set(row.key_id, key);
    return key;
  }

  /**
   * Retires the active key and creates its successor, in the caller's transaction. It waits for
   * the signer's lock, so no head is signed with the old key after its retirement time.
   */
  async rotate(tx: Queryable): Promise<{ keyId: string; previousKeyId: string | null }> {
    await advisoryXactLock(tx, SIGN_LOCK, true);
    const previous = await tx.maybeOneFirst(
      sql.type(z.object({ key_id: z.string() }))`
        UPDATE audit_signing_keys SET retired_at = clock_timestamp() WHERE retired_at IS NULL RETURNING key_id`,
    );
    const keyId = await this.create(tx);
    return { keyId, previousKeyId: previous ?? null };
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

  private async create(db: Queryable, ifNoneActive = false): Promise<string> {
    const { privateKey, publicKey, keyId } = generateSigningKey();
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const wrapped = await this.master.wrap(der, `signing-key:${keyId}`);
    await db.query(sql.unsafe`
      INSERT INTO audit_signing_keys (key_id, public_key, private_key)
      VALUES (${keyId}, ${sql.binary(rawPublicKey(publicKey))}, ${sql.binary(wrapped)})
      ${ifNoneActive ? sql.fragment`ON CONFLICT DO NOTHING` : sql.fragment``}`);
    return keyId;
  }
}

/** An Ed25519 SubjectPublicKeyInfo around a raw 32-byte key (RFC 8410). */
export function rawToSpki(raw: Buffer): Buffer {
  return Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
}
