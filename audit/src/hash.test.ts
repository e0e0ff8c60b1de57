/** RFC 6962 hashing primitives, checked against plain node:crypto and the published empty/leaf values. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_TREE_ROOT, fromHex, HASH_BYTES, leafHash, nodeHash, toHex, ZERO_HASH_HEX } from './hash.js';

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
};

describe('RFC 6962 hashes', () => {
  it('has the published constants', () => {
    expect(HASH_BYTES).toBe(32);
    expect(toHex(EMPTY_TREE_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(leafHash(new Uint8Array()))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    expect(toHex(leafHash(''))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(ZERO_HASH_HEX).toBe('0'.repeat(64));
  });

  it('leafHash is SHA-256(0x00 || data) for any bytes, including subarray views', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(8), (data, offset) => {
        expect(leafHash(data).equals(sha256(Buffer.of(0), data))).toBe(true);
        const padded = new Uint8Array(data.length + offset + 3);
        padded.set(data, offset);
        expect(
          leafHash(padded.subarray(offset, offset + data.length)).equals(sha256(Buffer.of(0), data)),
        ).toBe(true);
      }),
    );
  });

  it('leafHash of a string hashes its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 500 }), (text) => {
        expect(leafHash(text).equals(leafHash(Buffer.from(text, 'utf8')))).toBe(true);
      }),
    );
    expect(
      leafHash('é€😀').equals(
        sha256(Buffer.of(0), Buffer.from([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80])),
      ),
    ).toBe(true);
  });

  it('is not confused by inputs of changing size (large ones streamed, small ones in a reused buffer)', () => {
    const large = Buffer.alloc(200_000, 7);
    const largeText = 'ü'.repeat(40_000);
    const small = Buffer.from('abc');
    expect(leafHash(large).equals(sha256(Buffer.of(0), large))).toBe(true);
    expect(leafHash(largeText).equals(sha256(Buffer.of(0), Buffer.from(largeText)))).toBe(true);
    expect(leafHash(small).equals(sha256(Buffer.of(0), small))).toBe(true);
    expect(leafHash(Buffer.alloc(5000, 1)).equals(sha256(Buffer.of(0), Buffer.alloc(5000, 1)))).toBe(true);
    expect(leafHash(small).equals(sha256(Buffer.of(0), small))).toBe(true);
  });

  it('returns a fresh buffer each call', () => {
    const a = leafHash('x');
    const b = leafHash('x');
    a.fill(0);
    expect(toHex(b)).toBe(toHex(sha256(Buffer.of(0), Buffer.from('x'))));
    const n1 = nodeHash(b, b);
    const n2 = nodeHash(a, b);
    expect(n1.equals(n2)).toBe(false);
    expect(n1.equals(sha256(Buffer.of(1), b, b))).toBe(true);
  });

  it('nodeHash is SHA-256(0x01 || left || right) and needs two 32-byte hashes', () => {
    const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(hash, hash, (left, right) => {
        expect(nodeHash(left, right).equals(sha256(Buffer.of(1), left, right))).toBe(true);
      }),
    );
    const h = leafHash('a');
    expect(() => nodeHash(h, h.subarray(1))).toThrow(RangeError);
    expect(() => nodeHash(Buffer.alloc(33), h)).toThrow(RangeError);
    // Domain separation: a leaf over 64 bytes is not the node over the same two halves.
    expect(leafHash(Buffer.concat([h, h])).equals(nodeHash(h, h))).toBe(false);
  });

  it('toHex and fromHex round-trip, and fromHex accepts exactly 64 hex characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const hex = toHex(bytes);
        expect(hex).toMatch(/^[0-9a-f]{64}$/);
        expect(fromHex(hex).equals(bytes)).toBe(true);
        expect(fromHex(hex.toUpperCase()).equals(bytes)).toBe(true);
      }),
    );
    expect(toHex(new Uint8Array([0, 1, 2, 255]).subarray(1, 3))).toBe('0102');
    for (const bad of [
      '',
      'ab',
      'a'.repeat(63),
      'a'.repeat(65),
      `${'a'.repeat(63)}g`,
      ` ${'a'.repeat(63)}`,
      `0x${'a'.repeat(62)}`,
    ]) {
      expect(() => fromHex(bad)).toThrow(/exactly 64 hexadecimal characters/);
    }
    expect(() => fromHex(undefined as unknown as string)).toThrow(/64 hexadecimal/);
  });
});
