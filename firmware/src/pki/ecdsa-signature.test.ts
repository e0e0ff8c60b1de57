/** R||S → DER ECDSA-Sig-Value: exactly the encoding OpenSSL accepts (it refuses any non-canonical DER). */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ecdsaSignatureDer } from './ecdsa-signature.js';

describe('ecdsaSignatureDer', () => {
  it('turns any P-256 signature into DER that OpenSSL verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (message) => {
        const rs = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
        const der = Buffer.from(ecdsaSignatureDer(rs));
        expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('strips leading zeros and adds one before a set high bit', () => {
    const r = Buffer.concat([Buffer.of(0x00, 0x00, 0x01), Buffer.alloc(29, 0x22)]);
    const s = Buffer.concat([Buffer.of(0x80), Buffer.alloc(31, 0x33)]);
    const der = Buffer.from(ecdsaSignatureDer(Buffer.concat([r, s])));
    const expected = Buffer.concat([
      Buffer.of(0x30, 2 + 30 + 2 + 33),
      Buffer.of(0x02, 30, 0x01),
      Buffer.alloc(29, 0x22),
      Buffer.of(0x02, 33, 0x00, 0x80),
      Buffer.alloc(31, 0x33),
    ]);
    expect(der.toString('hex')).toBe(expected.toString('hex'));
  });

  it('refuses anything but 64 bytes', () => {
    expect(() => ecdsaSignatureDer(Buffer.alloc(63))).toThrow(RangeError);
  });
});
