/**
 * Claim codes as people see them and as the database keeps them. A code is 80 random bits written
 * as 16 Crockford base32 characters in four groups (`K7QF-9XMB-2TRW-HC4D`): no I, L, O or U, so it
 * reads unambiguously off a sticker, and typing it in lower case, with spaces, or with O for 0 and
 * I or L for 1 still matches. Only a salted SHA-256 of the code is stored (why: migration 0004).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_CHARS = 16;
/** Keeps stored hashes of this scheme apart from any other SHA-256 the platform computes. */
const DOMAIN = 'custos-claim-code-v1\n';

/** A fresh code: 10 random bytes, 5 bits per character. */
export function generateClaimCode(): string {
  let bits = 0n;
  for (const byte of randomBytes(10)) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = CODE_CHARS - 1; i >= 0; i--) code += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return code.replace(/(.{4})(?!$)/g, '$1-');
}

/**
 * What a person typed, as the 16 characters that were hashed; '' when it cannot be a code. A
 * malformed code is still hashed and compared (it simply never matches), so it takes the same path.
 */
export function normaliseClaimCode(typed: string): string {
  const code = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return code.length === CODE_CHARS && [...code].every((c) => ALPHABET.includes(c)) ? code : '';
}

export function newSalt(): Buffer {
  return randomBytes(16);
}

export function hashClaimCode(salt: Buffer, normalised: string): string {
  return createHash('sha256').update(DOMAIN).update(salt).update(normalised).digest('hex');
}

/** Compares two SHA-256 hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

/** The address the QR code carries: the web app's claim page, with the serial number and the code. */
export function claimUrl(webOrigin: string, serialNumber: string, code: string): string {
  const url = new URL('/claim', webOrigin);
  url.searchParams.set('serial', serialNumber);
  url.searchParams.set('code', code);
  return url.toString();
}
