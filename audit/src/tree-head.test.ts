/** Signed tree heads and witness cosignatures: exact signed bytes, round trips, every tampering, and the
 * strict JSON schemas an auditor's verifier parses with. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from './hash.js';
import { generateSigningKey, publicKeyRecord, signMessage } from './keys.js';
import {
  cosignTreeHead,
  publicKeyRecordSchema,
  type SignedTreeHead,
  signedTreeHeadSchema,
  signTreeHead,
  TREE_HEAD_DOMAIN,
  type TreeHead,
  treeHeadMessage,
  treeHeadSchema,
  verifyCosignature,
  verifyTreeHead,
  WITNESS_DOMAIN,
  witnessCosignatureSchema,
  witnessMessage,
} from './tree-head.js';

const log = generateSigningKey();
const witness = generateSigningKey();
const stranger = generateSigningKey();

const head: TreeHead = {
  treeSize: 1234,
  rootHash: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  timestamp: '2026-11-25T01:02:03.456Z',
  keyId: log.keyId,
};
const sth = signTreeHead(head, log.privateKey);
const cosig = cosignTreeHead(sth, witness.privateKey, witness.keyId, '2026-11-25T01:02:04.000Z');

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Same bytes, non-canonical spelling: the unused low bit of the last base64 character set. */
function withStrayBits(base64: string): string {
  const at = base64.replace(/=+$/, '').length - 1;
  return `${base64.slice(0, at)}${BASE64[BASE64.indexOf(base64[at] as string) | 1]}${base64.slice(at + 1)}`;
}

function flipSignature(signature: string, byte: number, bit: number): string {
  const bytes = Buffer.from(signature, 'base64');
  bytes[byte] = (bytes[byte] as number) ^ (1 << bit);
  return bytes.toString('base64');
}

describe('tree head messages', () => {
  it('sign exactly the canonical JSON of the four fields', () => {
    expect(
      treeHeadMessage({ ...head, keyId: '0123456789abcdef', extra: 'ignored' } as TreeHead).toString(),
    ).toBe(
      '{"keyId":"0123456789abcdef","rootHash":"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",' +
        '"timestamp":"2026-11-25T01:02:03.456Z","treeSize":1234}',
    );
  });

  it('witnesses sign the whole signed head plus their own timestamp', () => {
    const signed = { ...head, keyId: '0123456789abcdef', signature: 'c2ln' };
    expect(witnessMessage(signed, '2026-11-25T01:02:04.000Z').toString()).toBe(
      '{"keyId":"0123456789abcdef","rootHash":"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",' +
        '"signature":"c2ln","timestamp":"2026-11-25T01:02:03.456Z","treeSize":1234,' +
        '"witnessTimestamp":"2026-11-25T01:02:04.000Z"}',
    );
  });

  it('the domains are fixed', () => {
    expect(TREE_HEAD_DOMAIN).toBe('custos-tree-head-v1');
    expect(WITNESS_DOMAIN).toBe('custos-witness-cosignature-v1');
  });
});

describe('signTreeHead / verifyTreeHead', () => {
  it('round-trips, also through JSON, and ignores extra properties when verifying', () => {
    expect(sth).toEqual({ ...head, signature: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/) });
    expect(verifyTreeHead(sth, log.publicKey)).toBe(true);
    expect(verifyTreeHead(JSON.parse(JSON.stringify(sth)), log.publicKey)).toBe(true);
    expect(verifyTreeHead({ ...sth, id: 7, createdAt: new Date() } as SignedTreeHead, log.publicKey)).toBe(
      true,
    );
    expect(signedTreeHeadSchema.parse(JSON.parse(JSON.stringify(sth)))).toEqual(sth);
  });

  it('fails when any field is changed', () => {
    const changed: Partial<SignedTreeHead>[] = [
      { treeSize: head.treeSize + 1 },
      { treeSize: head.treeSize - 1 },
      { treeSize: 0 },
      { rootHash: `${head.rootHash.slice(0, 63)}9` },
      { rootHash: toHex(Buffer.alloc(32)) },
      { timestamp: '2026-11-25T01:02:03.457Z' },
      { keyId: stranger.keyId },
      { signature: flipSignature(sth.signature, 0, 0) },
      { signature: flipSignature(sth.signature, 63, 7) },
      { signature: withStrayBits(sth.signature) },
      { signature: signTreeHead({ ...head, treeSize: 1 }, log.privateKey).signature },
    ];
    for (const change of changed)
      expect(verifyTreeHead({ ...sth, ...change }, log.publicKey), JSON.stringify(change)).toBe(false);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 7 }), (byte, bit) => {
        expect(
          verifyTreeHead({ ...sth, signature: flipSignature(sth.signature, byte, bit) }, log.publicKey),
        ).toBe(false);
      }),
    );
  });

  it('fails for another key, and when keyId does not name the verifying key even if the signature is valid', () => {
    expect(verifyTreeHead(sth, stranger.publicKey)).toBe(false);
    const claimed = { ...head, keyId: stranger.keyId };
    const signature = signMessage(TREE_HEAD_DOMAIN, treeHeadMessage(claimed), log.privateKey).toString(
      'base64',
    );
    expect(verifyTreeHead({ ...claimed, signature }, log.publicKey)).toBe(false);
  });

  it('refuses to sign a malformed head or one whose keyId is not the signing key’s', () => {
    expect(() => signTreeHead({ ...head, keyId: stranger.keyId }, log.privateKey)).toThrow(
      /not the signing key/,
    );
    expect(() => signTreeHead({ ...head, treeSize: -1 }, log.privateKey)).toThrow(/Invalid tree head/);
    expect(() => signTreeHead({ ...head, timestamp: '2026-11-25' }, log.privateKey)).toThrow(
      /Invalid tree head/,
    );
    expect(() => signTreeHead({ ...head, rootHash: head.rootHash.toUpperCase() }, log.privateKey)).toThrow(
      TypeError,
    );
  });

  it('returns false, never throws, for malformed heads or keys', () => {
    const call = verifyTreeHead as (...args: unknown[]) => boolean;
    expect(call(null, log.publicKey)).toBe(false);
    expect(call({ ...sth, treeSize: '1234' }, log.publicKey)).toBe(false);
    expect(call(sth, log.privateKey)).toBe(false);
    expect(call(sth, null)).toBe(false);
    fc.assert(
      fc.property(fc.anything(), (a) => {
        expect(call(a, log.publicKey)).toBe(false);
        expect(call(sth, a)).toBe(false);
      }),
    );
  });
});

describe('witness cosignatures', () => {
  it('round-trip, also through JSON', () => {
    expect(cosig).toEqual({
      witnessKeyId: witness.keyId,
      timestamp: '2026-11-25T01:02:04.000Z',
      signature: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/),
    });
    expect(verifyCosignature(sth, cosig, witness.publicKey)).toBe(true);
    expect(
      verifyCosignature(
        JSON.parse(JSON.stringify(sth)),
        JSON.parse(JSON.stringify(cosig)),
        witness.publicKey,
      ),
    ).toBe(true);
  });

  it('fail when the head or the cosignature is changed, or for another witness key', () => {
    for (const change of [
      { treeSize: 1235 },
      { rootHash: toHex(Buffer.alloc(32, 1)) },
      { timestamp: '2026-11-25T01:02:03.000Z' },
      { keyId: stranger.keyId },
      { signature: flipSignature(sth.signature, 5, 1) },
    ]) {
      expect(verifyCosignature({ ...sth, ...change }, cosig, witness.publicKey), JSON.stringify(change)).toBe(
        false,
      );
    }
    for (const change of [
      { timestamp: '2026-11-25T01:02:05.000Z' },
      { witnessKeyId: stranger.keyId },
      { signature: flipSignature(cosig.signature, 10, 3) },
      { signature: withStrayBits(cosig.signature) },
    ]) {
      expect(verifyCosignature(sth, { ...cosig, ...change }, witness.publicKey), JSON.stringify(change)).toBe(
        false,
      );
    }
    expect(verifyCosignature(sth, cosig, stranger.publicKey)).toBe(false);
    expect(verifyCosignature(sth, cosig, log.publicKey)).toBe(false);
  });

  it('a tree head signature is no cosignature, and a cosignature no tree head signature (domain separation)', () => {
    const replayed = { witnessKeyId: log.keyId, timestamp: sth.timestamp, signature: sth.signature };
    expect(verifyCosignature(sth, replayed, log.publicKey)).toBe(false);
    const self = cosignTreeHead(sth, log.privateKey, log.keyId, sth.timestamp);
    expect(verifyTreeHead({ ...sth, signature: self.signature }, log.publicKey)).toBe(false);
  });

  it('refuses to cosign with a mismatched key id, a bad timestamp or a malformed head', () => {
    expect(() => cosignTreeHead(sth, witness.privateKey, stranger.keyId, cosig.timestamp)).toThrow(
      /not the signing key/,
    );
    expect(() => cosignTreeHead(sth, witness.privateKey, witness.keyId, '2026-11-25T01:02:04Z')).toThrow(
      /witness timestamp/,
    );
    expect(() =>
      cosignTreeHead({ ...sth, signature: 'x' }, witness.privateKey, witness.keyId, cosig.timestamp),
    ).toThrow(/Invalid tree head/);
  });

  it('verifyCosignature returns false, never throws, on malformed input', () => {
    const call = verifyCosignature as (...args: unknown[]) => boolean;
    expect(call(sth, null, witness.publicKey)).toBe(false);
    expect(call(null, cosig, witness.publicKey)).toBe(false);
    expect(call(sth, cosig, 'key')).toBe(false);
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (a, b) => {
        expect(call(a, b, witness.publicKey)).toBe(false);
      }),
    );
  });
});

describe('JSON schemas', () => {
  const validHead = JSON.parse(JSON.stringify(head));

  it('accept what this module produces', () => {
    expect(treeHeadSchema.parse(validHead)).toEqual(head);
    expect(witnessCosignatureSchema.parse(JSON.parse(JSON.stringify(cosig)))).toEqual(cosig);
    const record = publicKeyRecord(log.publicKey);
    expect(publicKeyRecordSchema.parse(JSON.parse(JSON.stringify(record)))).toEqual(record);
    expect(treeHeadSchema.safeParse({ ...validHead, treeSize: 0 }).success).toBe(true);
    expect(treeHeadSchema.safeParse({ ...validHead, treeSize: Number.MAX_SAFE_INTEGER }).success).toBe(true);
    expect(treeHeadSchema.safeParse({ ...validHead, timestamp: '2024-02-29T23:59:59.999Z' }).success).toBe(
      true,
    );
  });

  it('reject malformed tree heads', () => {
    const bad: Record<string, unknown>[] = [
      { treeSize: -1 },
      { treeSize: 1.5 },
      { treeSize: 2 ** 53 },
      { treeSize: '5' },
      { treeSize: null },
      { rootHash: validHead.rootHash.toUpperCase() },
      { rootHash: validHead.rootHash.slice(1) },
      { rootHash: `${validHead.rootHash}0` },
      { rootHash: `${validHead.rootHash.slice(1)}g` },
      { timestamp: '2026-11-25T01:02:03Z' },
      { timestamp: '2026-11-25T01:02:03.4560Z' },
      { timestamp: '2026-11-25T01:02:03.456+00:00' },
      { timestamp: '2026-11-25 01:02:03.456Z' },
      { timestamp: '2026-02-30T01:02:03.456Z' },
      { timestamp: '2026-11-25T24:00:00.000Z' },
      // Not a real instant: a failed check, never an exception (found by the bundle's exhaustive byte test).
      { timestamp: '2026-11-25T01:02:60.000Z' },
      { timestamp: '2026-11-25T01:60:00.000Z' },
      { timestamp: 1764032523456 },
      { keyId: validHead.keyId.slice(1) },
      { keyId: validHead.keyId.toUpperCase() },
      { extra: true },
    ];
    for (const change of bad)
      expect(treeHeadSchema.safeParse({ ...validHead, ...change }).success, JSON.stringify(change)).toBe(
        false,
      );
    const { keyId: _, ...missing } = validHead;
    expect(treeHeadSchema.safeParse(missing).success).toBe(false);
  });

  it('reject malformed signatures, cosignatures and key records', () => {
    const signed = JSON.parse(JSON.stringify(sth));
    for (const signature of [
      sth.signature.slice(0, -2),
      sth.signature.replace(/==$/, ''),
      withStrayBits(sth.signature),
      Buffer.from(sth.signature, 'base64').toString('base64url'),
      Buffer.alloc(63).toString('base64'),
      Buffer.alloc(65).toString('base64'),
      `${sth.signature.slice(0, 40)} ${sth.signature.slice(41)}`,
    ]) {
      expect(signedTreeHeadSchema.safeParse({ ...signed, signature }).success, signature).toBe(false);
    }
    expect(signedTreeHeadSchema.safeParse({ ...signed, witness: 'x' }).success).toBe(false);
    const c = JSON.parse(JSON.stringify(cosig));
    expect(witnessCosignatureSchema.safeParse({ ...c, witnessKeyId: 'x' }).success).toBe(false);
    expect(witnessCosignatureSchema.safeParse({ ...c, timestamp: '2026-11-25T01:02:04Z' }).success).toBe(
      false,
    );
    expect(witnessCosignatureSchema.safeParse({ ...c, signature: withStrayBits(c.signature) }).success).toBe(
      false,
    );
    expect(witnessCosignatureSchema.safeParse({ ...c, extra: 1 }).success).toBe(false);
    const record = publicKeyRecord(log.publicKey);
    for (const change of [
      { algorithm: 'ed25519' },
      { algorithm: 'RSA' },
      { publicKey: withStrayBits(record.publicKey) },
      { publicKey: Buffer.alloc(31).toString('base64') },
      { publicKey: Buffer.alloc(33).toString('base64') },
      { keyId: 'abc' },
      { extra: 1 },
    ]) {
      expect(publicKeyRecordSchema.safeParse({ ...record, ...change }).success, JSON.stringify(change)).toBe(
        false,
      );
    }
  });
});
