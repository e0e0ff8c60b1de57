/**
 * Ed25519 keys of the log and of its witnesses: key ids, the JSON record an auditor is given, and signing
 * with domain separation, so that a signature made for one purpose (a tree head) can never be replayed
 * as another (a witness cosignature).
 */
import { createHash, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';

export interface PublicKeyRecord {
  keyId: string;
  algorithm: 'Ed25519';
  /** base64 of the raw 32-byte key */
  publicKey: string;
}

const RAW_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const DOMAIN_END = Buffer.of(0x0a);

export function generateSigningKey(): { privateKey: KeyObject; publicKey: KeyObject; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** Raw 32-byte Ed25519 public key (RFC 8032), taken from the JWK export. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  if (!isEd25519(publicKey, 'public')) throw new TypeError('Expected an Ed25519 public KeyObject');
  const { x } = publicKey.export({ format: 'jwk' });
  const raw = Buffer.from(x ?? '', 'base64url');
  if (raw.length !== RAW_KEY_BYTES) throw new Error('Ed25519 public key export did not yield 32 bytes');
  return raw;
}

/** Lower-case hex of the first 8 bytes of SHA-256(raw public key). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest().subarray(0, 8).toString('hex');
}

export function publicKeyRecord(publicKey: KeyObject): PublicKeyRecord {
  return {
    keyId: keyIdOf(publicKey),
    algorithm: 'Ed25519',
    publicKey: rawPublicKey(publicKey).toString('base64'),
  };
}

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

/** The KeyObject of a published key record; throws unless the algorithm is Ed25519, the key is 32 bytes
 * in canonical base64 and the keyId is the one derived from it. */
export function publicKeyFromRecord(record: PublicKeyRecord): KeyObject {
  if (record?.algorithm !== 'Ed25519') {
    throw new Error(`Unsupported key algorithm ${JSON.stringify(record?.algorithm)}: expected "Ed25519"`);
  }
  const encoded = record.publicKey;
  const raw =
    typeof encoded === 'string' && BASE64_32_BYTES.test(encoded) ? Buffer.from(encoded, 'base64') : null;
  // Re-encoding rejects non-canonical base64 (stray bits in the last character), which would let two
  // different strings name one key.
  if (raw === null || raw.length !== RAW_KEY_BYTES || raw.toString('base64') !== encoded) {
    throw new Error('publicKey must be the canonical base64 of a raw 32-byte Ed25519 key');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } catch (cause) {
    throw new Error('publicKey is not a valid Ed25519 public key', { cause });
  }
  const keyId = keyIdOf(key);
  if (record.keyId !== keyId) {
    throw new Error(`keyId ${JSON.stringify(record.keyId)} does not match the key (its keyId is ${keyId})`);
  }
  return key;
}

/** Ed25519 signature over utf8(domain) || 0x0a || message. The domain may not contain a newline, which
 * keeps the split between domain and message unambiguous. */
export function signMessage(domain: string, message: Uint8Array, privateKey: KeyObject): Buffer {
  if (!isDomain(domain)) throw new TypeError('A signing domain must be a non-empty string without newlines');
  if (!isEd25519(privateKey, 'private')) throw new TypeError('Expected an Ed25519 private KeyObject');
  return sign(null, signedBytes(domain, message), privateKey);
}

/** Checks a signMessage signature. Never throws: anything malformed (wrong signature length, a key
 * that is not an Ed25519 public key, a bad domain) is simply false. */
export function verifyMessage(
  domain: string,
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: KeyObject,
): boolean {
  try {
    if (!isDomain(domain) || !(message instanceof Uint8Array)) return false;
    if (!(signature instanceof Uint8Array) || signature.byteLength !== SIGNATURE_BYTES) return false;
    if (!isEd25519(publicKey, 'public')) return false;
    return verify(null, signedBytes(domain, message), publicKey, signature);
  } catch {
    return false;
  }
}

function signedBytes(domain: string, message: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(domain, 'utf8'), DOMAIN_END, message]);
}

function isDomain(domain: unknown): domain is string {
  return typeof domain === 'string' && domain.length > 0 && !domain.includes('\n');
}

function isEd25519(key: unknown, type: 'public' | 'private'): key is KeyObject {
  return key instanceof KeyObject && key.type === type && key.asymmetricKeyType === 'ed25519';
}
