/**
 * Conversions between the chip's raw P-256 public key (X||Y, 32 bytes each, big-endian, as GenKey returns
 * it) and what the rest of Node and the platform use: a KeyObject, and SubjectPublicKeyInfo DER for CSRs
 * and certificates.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

/** A P-256 public KeyObject from X||Y; throws when the point is not on the curve. */
export function publicKeyFromRaw(xy: Uint8Array): KeyObject {
  if (xy.length !== 64) throw new RangeError('a raw P-256 public key is 64 bytes (X||Y)');
  const raw = Buffer.from(xy);
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(0, 32).toString('base64url'),
      y: raw.subarray(32).toString('base64url'),
    },
    format: 'jwk',
  });
}

/** SubjectPublicKeyInfo (DER) of X||Y. */
export function spkiFromRaw(xy: Uint8Array): Buffer {
  return publicKeyFromRaw(xy).export({ type: 'spki', format: 'der' });
}

/** X||Y of a P-256 public KeyObject (to hand a key to the chip's Verify command). */
export function rawFromPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TypeError('expected a P-256 public key');
  }
  const { x, y } = key.export({ format: 'jwk' });
  return Buffer.concat([Buffer.from(x ?? '', 'base64url'), Buffer.from(y ?? '', 'base64url')]);
}
