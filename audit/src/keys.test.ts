/** Ed25519 keys: key ids, published key records, and domain-separated signatures that never verify
 * for the wrong key, domain, message or encoding. */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateSigningKey,
  keyIdOf,
  publicKeyFromRecord,
  publicKeyRecord,
  rawPublicKey,
  signMessage,
  verifyMessage,
} from './keys.js';

// RFC 8032 §7.1, test 1.
const RFC_SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const rfcPrivateKey = createPrivateKey({
  key: {
    kty: 'OKP',
    crv: 'Ed25519',
    d: Buffer.from(RFC_SECRET, 'hex').toString('base64url'),
    x: Buffer.from(RFC_PUBLIC, 'hex').toString('base64url'),
  },
  format: 'jwk',
});
const rfcPublicKey = createPublicKey(rfcPrivateKey);

describe('key ids and records', () => {
  it('derives raw key and keyId from the RFC 8032 test key', () => {
    expect(rawPublicKey(rfcPublicKey).toString('hex')).toBe(RFC_PUBLIC);
    const keyId = keyIdOf(rfcPublicKey);
    const expected = createHash('sha256').update(Buffer.from(RFC_PUBLIC, 'hex')).digest().subarray(0, 8);
    expect(keyId).toBe(expected.toString('hex'));
    expect(keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('generates keys whose keyId is that of the public key, and whose raw key matches the SPKI form', () => {
    const { privateKey, publicKey, keyId } = generateSigningKey();
    expect(privateKey.type).toBe('private');
    expect(keyId).toBe(keyIdOf(publicKey));
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    expect(rawPublicKey(publicKey).equals(spki.subarray(spki.length - 32))).toBe(true);
  });

  it('round-trips a public key record', () => {
    const { publicKey, keyId } = generateSigningKey();
    const record = publicKeyRecord(publicKey);
    expect(record).toEqual({
      keyId,
      algorithm: 'Ed25519',
      publicKey: rawPublicKey(publicKey).toString('base64'),
    });
    const restored = publicKeyFromRecord(JSON.parse(JSON.stringify(record)));
    expect(rawPublicKey(restored).equals(rawPublicKey(publicKey))).toBe(true);
  });

  it('refuses records with another algorithm, a malformed key, or a keyId that does not match', () => {
    const record = publicKeyRecord(generateSigningKey().publicKey);
    const other = publicKeyRecord(generateSigningKey().publicKey);
    const nonCanonical = withStrayBits(record.publicKey);
    const cases: [string, unknown, RegExp][] = [
      ['algorithm', { ...record, algorithm: 'ed25519' }, /Unsupported key algorithm/],
      [
        'missing algorithm',
        { keyId: record.keyId, publicKey: record.publicKey },
        /Unsupported key algorithm/,
      ],
      ['keyId of another key', { ...record, keyId: other.keyId }, /does not match/],
      ['upper-case keyId', { ...record, keyId: record.keyId.toUpperCase() }, /does not match/],
      ['31-byte key', { ...record, publicKey: Buffer.alloc(31, 1).toString('base64') }, /canonical base64/],
      ['33-byte key', { ...record, publicKey: Buffer.alloc(33, 1).toString('base64') }, /canonical base64/],
      ['base64url', { ...record, publicKey: record.publicKey.replace(/=$/, '') }, /canonical base64/],
      ['whitespace', { ...record, publicKey: ` ${record.publicKey}` }, /canonical base64/],
      ['number', { ...record, publicKey: 42 }, /canonical base64/],
      ['null record', null, /Unsupported key algorithm/],
    ];
    expect(Buffer.from(nonCanonical, 'base64').equals(Buffer.from(record.publicKey, 'base64'))).toBe(true);
    cases.push([
      'non-canonical base64 of the same bytes',
      { ...record, publicKey: nonCanonical },
      /canonical base64/,
    ]);
    for (const [name, bad, message] of cases) {
      expect(() => publicKeyFromRecord(bad as never), name).toThrow(message);
    }
  });

  it('rawPublicKey and keyIdOf accept only Ed25519 public keys', () => {
    const { privateKey } = generateSigningKey();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const x25519 = generateKeyPairSync('x25519').publicKey;
    for (const key of [privateKey, ec, x25519]) {
      expect(() => rawPublicKey(key)).toThrow(TypeError);
      expect(() => keyIdOf(key)).toThrow(TypeError);
    }
  });
});

describe('signMessage / verifyMessage', () => {
  const message = Buffer.from('{"treeSize":1}');

  it('signs utf8(domain) || 0x0a || message, deterministically (RFC 8032 key)', () => {
    const signature = signMessage('custos-test', message, rfcPrivateKey);
    const explicit = sign(null, Buffer.concat([Buffer.from('custos-test\n'), message]), rfcPrivateKey);
    expect(signature.equals(explicit)).toBe(true);
    expect(signature).toHaveLength(64);
    expect(verifyMessage('custos-test', message, signature, rfcPublicKey)).toBe(true);
  });

  it('fails for another domain, message, key, or any flipped signature bit', () => {
    const { privateKey, publicKey } = generateSigningKey();
    const other = generateSigningKey().publicKey;
    const signature = signMessage('domain-a', message, privateKey);
    expect(verifyMessage('domain-a', message, signature, publicKey)).toBe(true);
    expect(verifyMessage('domain-b', message, signature, publicKey)).toBe(false);
    expect(verifyMessage('domain-a', Buffer.from('{"treeSize":2}'), signature, publicKey)).toBe(false);
    expect(verifyMessage('domain-a', message, signature, other)).toBe(false);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 7 }), (byte, bit) => {
        const tampered = Buffer.from(signature);
        tampered[byte] = (tampered[byte] as number) ^ (1 << bit);
        expect(verifyMessage('domain-a', message, tampered, publicKey)).toBe(false);
      }),
    );
  });

  it('keeps domain and message apart: a domain may not contain a newline', () => {
    const { privateKey, publicKey } = generateSigningKey();
    expect(() => signMessage('a\nb', message, privateKey)).toThrow(TypeError);
    expect(() => signMessage('', message, privateKey)).toThrow(TypeError);
    // "a" + "\n" + "b\n…" would be the same bytes as "a\nb" + "\n" + "…" if newlines were allowed.
    const signature = signMessage('a', Buffer.concat([Buffer.from('b\n'), message]), privateKey);
    expect(verifyMessage('a\nb', message, signature, publicKey)).toBe(false);
  });

  it('signMessage refuses keys that are not Ed25519 private keys', () => {
    const { publicKey } = generateSigningKey();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => signMessage('d', message, publicKey as never)).toThrow(TypeError);
    expect(() => signMessage('d', message, ec)).toThrow(TypeError);
  });

  it('verifyMessage returns false, never throws, on malformed input', () => {
    const { privateKey, publicKey } = generateSigningKey();
    const signature = signMessage('d', message, privateKey);
    const call = verifyMessage as (...args: unknown[]) => boolean;
    expect(call('d', message, signature.subarray(1), publicKey)).toBe(false);
    expect(call('d', message, Buffer.concat([signature, Buffer.of(0)]), publicKey)).toBe(false);
    expect(call('d', message, signature.toString('base64'), publicKey)).toBe(false);
    expect(call('d', message, signature, privateKey)).toBe(false);
    expect(call('d', message, signature, rawPublicKey(publicKey))).toBe(false);
    expect(call('d', 'text', signature, publicKey)).toBe(false);
    expect(call(undefined, message, signature, publicKey)).toBe(false);
    expect(call('d\n', message, signature, publicKey)).toBe(false);
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (a, b, c) => {
        expect(call(a, b, c, publicKey)).toBe(false);
        expect(call('d', message, a, b)).toBe(false);
      }),
    );
  });
});

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The same bytes with the unused low bit of the last base64 character set: decodes identically,
 * but is not the canonical spelling. */
function withStrayBits(base64: string): string {
  const at = base64.replace(/=+$/, '').length - 1;
  const value = BASE64.indexOf(base64[at] as string);
  return `${base64.slice(0, at)}${BASE64[value | 1]}${base64.slice(at + 1)}`;
}
