/**
 * The secrets of the public portal. A request reference (DSR-7K3M-Q9XW: 40 random bits in Crockford
 * base32, quotable on the phone) names a request but opens nothing. A 6-digit one-time code, mailed
 * to the requester, proves they read that mailbox; only a salted SHA-256 of it is stored. Verifying
 * the code hands out an access token (32 random bytes) for the status page; only its SHA-256 is
 * stored, so a copy of the database opens no request.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Keeps these hashes apart from every other SHA-256 the platform computes. */
const CODE_DOMAIN = 'custos-privacy-request-code-v1\n';

export function generateReference(): string {
  const bytes = randomBytes(5);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let chars = '';
  for (let i = 7; i >= 0; i--) chars += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return `DSR-${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/** Six digits, uniformly random (leading zeros kept). */
export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function newSalt(): Buffer {
  return randomBytes(16);
}

export function hashCode(salt: Buffer, code: string): string {
  return createHash('sha256').update(CODE_DOMAIN).update(salt).update(code).digest('hex');
}

export function generateAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashAccessToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two SHA-256 hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}
