/** Consistency proofs against the naive RFC reference: every (m, n) of small trees, random larger ones,
 * corruptions, a differential check of the verifier on mutated input, and trees beyond 2^32 leaves. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_TREE_ROOT, toHex } from '../hash.js';
import { consistencyProof, verifyConsistency } from './consistency.js';
import {
  arrayLeaves,
  makeLeaves,
  refMth,
  refProof,
  refVerifyConsistency,
  SparseTree,
} from './rfc6962-reference.js';
import { MemoryTree } from './source.js';

const fixture = (size: number, seed: number) => {
  const leaves = makeLeaves(size, seed);
  const roots = Array.from({ length: size + 1 }, (_, n) => refMth(arrayLeaves(leaves), 0, n));
  return { leaves, source: new MemoryTree(leaves), root: (n: number) => roots[n] as Buffer };
};

const flip = (proof: readonly Buffer[], at: number, byte: number, bit: number) =>
  proof.map((hash, i) => {
    if (i !== at) return hash;
    const copy = Buffer.from(hash);
    copy[byte] = (copy[byte] as number) ^ (1 << bit);
    return copy;
  });

describe('consistencyProof / verifyConsistency', () => {
  it('for every 0 < m ≤ n ≤ 64: the proof is the RFC PROOF and verifies', async () => {
    const { leaves, source, root } = fixture(64, 11);
    for (let n = 1; n <= 64; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = await consistencyProof(source, m, n);
        expect(proof.map(toHex), `${m} → ${n}`).toEqual(refProof(arrayLeaves(leaves), m, n).map(toHex));
        expect(verifyConsistency(m, n, root(m), root(n), proof), `${m} → ${n}`).toBe(true);
      }
    }
  });

  it('for random sizes up to 300: generated proofs verify and equal the reference', async () => {
    const { leaves, source, root } = fixture(300, 12);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), async (a, b) => {
        const [m, n] = a <= b ? [a, b] : [b, a];
        const proof = await consistencyProof(source, m, n);
        expect(proof.map(toHex)).toEqual(refProof(arrayLeaves(leaves), m, n).map(toHex));
        expect(verifyConsistency(m, n, root(m), root(n), proof)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects any flipped bit, wrong roots, wrong sizes, dropped or extra elements', async () => {
    const { source, root } = fixture(300, 13);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 299 }),
        fc.integer({ min: 2, max: 300 }),
        fc.nat(),
        fc.integer({ min: 0, max: 31 }),
        fc.integer({ min: 0, max: 7 }),
        async (a, b, pick, byte, bit) => {
          fc.pre(a < b);
          const [m, n] = [a, b];
          const proof = await consistencyProof(source, m, n);
          const at = pick % proof.length;
          expect(verifyConsistency(m, n, root(m), root(n), flip(proof, at, byte, bit))).toBe(false);
          expect(verifyConsistency(m, n, flip([root(m)], 0, byte, bit)[0] as Buffer, root(n), proof)).toBe(
            false,
          );
          expect(verifyConsistency(m, n, root(m), flip([root(n)], 0, byte, bit)[0] as Buffer, proof)).toBe(
            false,
          );
          expect(verifyConsistency(m, n, root(m - 1), root(n), proof)).toBe(false);
          expect(verifyConsistency(m, n, root(m), root(n - 1), proof)).toBe(false);
          expect(verifyConsistency(m, n, root(n), root(m), proof)).toBe(false);
          expect(verifyConsistency(m, n, root(m), root(n), proof.toSpliced(at, 1))).toBe(false);
          expect(verifyConsistency(m, n, root(m), root(n), proof.toSpliced(at, 0, proof[at] as Buffer))).toBe(
            false,
          );
          expect(verifyConsistency(m, n, root(m), root(n), [...proof, root(n)])).toBe(false);
          expect(verifyConsistency(m, n, root(m), root(n), [root(m), ...proof])).toBe(false);
          expect(verifyConsistency(m, n, root(m), root(n), [])).toBe(false);
          for (const [m2, n2] of [
            [m - 1, n],
            [m + 1, n],
            [m, n - 1],
            [m, n + 1],
          ] as const) {
            // Against the roots of the claimed sizes, the proof for other sizes must fail; against the
            // original roots the RFC algorithm decides as the reference does.
            if (m2 > 0 && m2 <= n2 && n2 <= 300) {
              expect(verifyConsistency(m2, n2, root(m2), root(n2), proof)).toBe(false);
            }
            expect(verifyConsistency(m2, n2, root(m), root(n), proof)).toBe(
              refVerifyConsistency(m2, n2, root(m), root(n), proof),
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees with the reference verifier on arbitrarily mutated inputs', async () => {
    const { source, root } = fixture(64, 14);
    const pool = Array.from({ length: 65 }, (_, n) => root(n));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 66 }),
        fc.integer({ min: 0, max: 66 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
        fc.nat(),
        fc.nat(),
        async (a, b, claimedOld, claimedNew, edits, oldPick, newPick) => {
          const [m, n] = a <= b ? [a, b] : [b, a];
          const proof: Buffer[] = await consistencyProof(source, m, n);
          for (const [where, what] of edits)
            proof.splice(where % (proof.length + 1), what % 2, pool[what % 65] as Buffer);
          const oldRoot = oldPick % 4 === 0 ? (pool[oldPick % 65] as Buffer) : root(m);
          const newRoot = newPick % 4 === 0 ? (pool[newPick % 65] as Buffer) : root(n);
          expect(verifyConsistency(claimedOld, claimedNew, oldRoot, newRoot, proof)).toBe(
            refVerifyConsistency(claimedOld, claimedNew, oldRoot, newRoot, proof),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('returns false, never throws, on malformed arguments', () => {
    const r = makeLeaves(1)[0] as Buffer;
    const call = verifyConsistency as (...args: unknown[]) => boolean;
    const bad: unknown[][] = [
      [2, 1, r, r, []],
      [-1, 1, r, r, []],
      [1, 2 ** 53, r, r, [r]],
      [1.5, 2, r, r, [r]],
      [Number.NaN, 2, r, r, [r]],
      [1, 2, r.subarray(1), r, [r]],
      [1, 2, r, null, [r]],
      [1, 2, r, r, null],
      [1, 2, r, r, [null]],
      [1, 2, r, r, [r.subarray(2)]],
      [1, 2, r, r, 'proof'],
      [1n, 2n, r, r, [r]],
    ];
    for (const args of bad) expect(call(...args)).toBe(false);
    fc.assert(
      fc.property(
        fc.anything(),
        fc.anything(),
        fc.anything(),
        fc.anything(),
        fc.anything(),
        (a, b, c, d, e) => {
          expect(call(a, b, c, d, e)).toBe(false);
        },
      ),
    );
    expect(verifyConsistency(0, 0, EMPTY_TREE_ROOT, EMPTY_TREE_ROOT, [])).toBe(true);
  });

  it('rejects bad arguments to proof generation with a RangeError', async () => {
    const { source } = fixture(5, 0);
    for (const [m, n] of [
      [0, 5],
      [3, 2],
      [-1, 5],
      [1, 5.5],
      [1, Number.NaN],
      [1, 6],
    ] as const) {
      await expect(consistencyProof(source, m, n)).rejects.toThrow(RangeError);
    }
    expect(await consistencyProof(source, 5, 5)).toEqual([]);
  });

  it('proves consistency between trees far beyond 2^32 leaves', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
        async (a, b, fractions) => {
          const [m, n] = a <= b ? [a, b] : [b, a];
          const special = new Map(
            fractions.map((f, i) => [Math.floor(f * (n - 1)), makeLeaves(1, i)[0] as Buffer]),
          );
          const sparse = new SparseTree(n, special);
          const [oldRoot, newRoot] = [refMth(sparse.leaves, 0, m), refMth(sparse.leaves, 0, n)];
          const proof = await consistencyProof(sparse, m, n);
          expect(proof.map(toHex)).toEqual(refProof(sparse.leaves, m, n).map(toHex));
          expect(verifyConsistency(m, n, oldRoot, newRoot, proof)).toBe(true);
          if (m < n) expect(verifyConsistency(m, n, newRoot, oldRoot, proof)).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});
