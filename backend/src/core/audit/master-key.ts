/**
 * The audit master key: it wraps (AES-256-GCM) every data subject's key and the tree-head signing
 * keys, and derives the key of subject pseudonyms. In development it is a file; production plugs
 * in a KMS by implementing `MasterKey` (wrap/unwrap calls go to the KMS, the key never leaves it).
 */
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { existsSync } from 'node:fs';
import { readOrCreateSecretFile } from '../config/secret-file.js';

export interface MasterKey {
  /** Encrypts a data key; `context` binds the result to its use (e.g. the pseudonym) as AAD. */
  wrap(plain: Buffer, context: string): Promise<Buffer>;
  unwrap(wrapped: Buffer, context: string): Promise<Buffer>;
  /** The HMAC key for subject pseudonyms: stable for the life of the trail. */
  pseudonymKey(): Promise<KeyObject>;
}

export const MASTER_KEY = Symbol('MASTER_KEY');

const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 1;

/** A master key held in memory (loaded from a file). Wrapped form: version(1) ‖ iv(12) ‖ tag(16) ‖ ciphertext. */
export class LocalMasterKey implements MasterKey {
  private readonly wrapping: Buffer;
  private readonly pseudonyms: KeyObject;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('The audit master key must be 32 bytes');
    // Separate keys per purpose, derived once, so no key is used for two things.
    this.wrapping = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'custos-audit-wrap-v1', 32));
    this.pseudonyms = createSecretKey(
      Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'custos-audit-pseudonym-v1', 32)),
    );
  }

  async wrap(plain: Buffer, context: string): Promise<Buffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.wrapping, iv).setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ciphertext]);
  }

  async unwrap(wrapped: Buffer, context: string): Promise<Buffer> {
    if (wrapped.length < 1 + IV_BYTES + TAG_BYTES || wrapped[0] !== VERSION) {
      throw new Error('Unrecognised wrapped key');
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const tag = wrapped.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.wrapping, iv).setAAD(Buffer.from(context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(wrapped.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  }

  async pseudonymKey(): Promise<KeyObject> {
    return this.pseudonyms;
  }
}

/**
 * Reads the key file. Outside production a missing file is created (mode 0600) with a fresh random
 * key; in production a missing key is an error, because a new key would silently change every
 * pseudonym and leave all sealed data and signing keys unreadable.
 */
export async function loadMasterKeyFile(file: string, options: { create: boolean }): Promise<LocalMasterKey> {
  if (!options.create && !existsSync(file)) {
    throw new Error(
      `AUDIT_MASTER_KEY_FILE ${file} does not exist. In production the key must be provisioned (see docs/runbooks/audit-trail.md); it is never created on the fly.`,
    );
  }
  const text = await readOrCreateSecretFile(file, 32);
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`AUDIT_MASTER_KEY_FILE ${file} must hold 32 bytes in base64`);
  return new LocalMasterKey(key);
}
