/** Raw-digest ECDSA of the emulator, checked against node:crypto in both directions. */
import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidPrivateKey, publicKeyOf, randomScalar, signDigest, to32Bytes, verifyDigest } from './p256.js';
import { publicKeyFromRaw, rawFromPublicKey } from './public-key.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();
const p1363 = (key: ReturnType<typeof createPublicKey>) => ({ key, dsaEncoding: 'ieee-p1363' as const });

describe('P-256 ECDSA on a digest', () => {
  const d = randomScalar();
  const publicKey = publicKeyOf(d);

  it('derives d·G with node:crypto (1·G is the generator)', () => {
    expect(publicKeyOf(to32Bytes(1n)).toString('hex')).toBe(
      '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296' +
        '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
    );
  });

  it('signs digests that node:crypto verifies as ECDSA-SHA256 of the message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (message) => {
        const signature = signDigest(d, sha256(message));
        expect(verify('sha256', message, p1363(publicKeyFromRaw(publicKey)), signature)).toBe(true);
        expect(verifyDigest(publicKey, sha256(message), signature)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('verifies signatures made by node:crypto and rejects altered ones', () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const raw = rawFromPublicKey(pair.publicKey);
    const message = Buffer.from('telemetry');
    const signature = sign('sha256', message, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(verifyDigest(raw, sha256(message), signature)).toBe(true);
    expect(verifyDigest(raw, sha256(Buffer.from('telemetrx')), signature)).toBe(false);
    const altered = Buffer.from(signature);
    altered.writeUInt8(altered.readUInt8(40) ^ 1, 40);
    expect(verifyDigest(raw, sha256(message), altered)).toBe(false);
  });

  it('rejects malformed keys, off-curve points and out-of-range signatures', () => {
    expect(isValidPrivateKey(Buffer.alloc(32))).toBe(false);
    expect(isValidPrivateKey(Buffer.alloc(32, 0xff))).toBe(false);
    const digest = sha256(Buffer.from('x'));
    const signature = signDigest(d, digest);
    const offCurve = Buffer.from(publicKey);
    offCurve.writeUInt8(offCurve.readUInt8(63) ^ 1, 63);
    expect(verifyDigest(offCurve, digest, signature)).toBe(false);
    expect(verifyDigest(publicKey, digest, Buffer.alloc(64))).toBe(false);
    expect(verifyDigest(publicKey, digest, Buffer.alloc(64, 0xff))).toBe(false);
    expect(() => signDigest(Buffer.alloc(32), digest)).toThrow(RangeError);
  });
});
