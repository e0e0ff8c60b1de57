/** Inclusion proofs against the naive RFC reference: generation, verification, and a verifier that
 * rejects every corruption and never throws, also for trees far beyond 2^32 leaves. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_TREE_ROOT, toHex } from '../hash.js';
import { inclusionProof, verifyInclusion } from './inclusion.js';
import {
  arrayLeaves,
  makeLeaves,
  refMth,
  refPath,
  refVerifyInclusion,
  SparseTree,
} from './rfc6962-reference.js';
import { MemoryTree } from './source.js';

const tree = (size: number, seed: number) => {
  const leaves = makeLeaves(size, seed);
  return { leaves, source: new MemoryTree(leaves), root: refMth(arrayLeaves(leaves), 0, size) };
};

const copyWith = (proof: readonly Buffer[], at: number, byte: number, bit: number) =>
  proof.map((hash, i) => {
    if (i !== at) return hash;
    const copy = Buffer.from(hash);
    copy[byte] = (copy[byte] as number) ^ (1 << bit);
    return copy;
  });

describe('inclusionProof / verifyInclusion', () => {
  it('for every leaf of random trees: the proof is the RFC PATH and verifies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.integer(), async (size, seed) => {
        const { leaves, source, root } = tree(size, seed);
        for (let index = 0; index < size; index++) {
          const proof = await inclusionProof(source, index, size);
          expect(proof.map(toHex)).toEqual(refPath(arrayLeaves(leaves), index, 0, size).map(toHex));
          expect(verifyInclusion(leaves[index] as Buffer, index, size, proof, root)).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('proves leaves of every earlier tree size from the same source', async () => {
    const { leaves, source } = tree(40, 1);
    for (let size = 1; size <= 40; size++) {
      const root = refMth(arrayLeaves(leaves), 0, size);
      for (let index = 0; index < size; index++) {
        const proof = await inclusionProof(source, index, size);
        expect(verifyInclusion(leaves[index] as Buffer, index, size, proof, root)).toBe(true);
      }
    }
  });

  it('rejects a flipped bit anywhere in any proof element, a wrong leaf, or a wrong index', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 300 }),
        fc.integer(),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 31 }),
        fc.integer({ min: 0, max: 7 }),
        async (size, seed, leafPick, elementPick, byte, bit) => {
          const { leaves, source, root } = tree(size, seed);
          const index = leafPick % size;
          const leaf = leaves[index] as Buffer;
          const proof = await inclusionProof(source, index, size);
          const element = elementPick % proof.length;
          expect(verifyInclusion(leaf, index, size, copyWith(proof, element, byte, bit), root)).toBe(false);
          expect(verifyInclusion(copyWith([leaf], 0, byte, bit)[0] as Buffer, index, size, proof, root)).toBe(
            false,
          );
          expect(verifyInclusion(leaf, index, size, proof, copyWith([root], 0, byte, bit)[0] as Buffer)).toBe(
            false,
          );
          for (let other = 0; other < size; other++) {
            if (other !== index) expect(verifyInclusion(leaf, other, size, proof, root)).toBe(false);
          }
          expect(verifyInclusion(leaves[(index + 1) % size] as Buffer, index, size, proof, root)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects a proof with an element dropped, added, duplicated or of the wrong length', async () => {
    const { leaves, source, root } = tree(77, 5);
    for (let index = 0; index < 77; index++) {
      const leaf = leaves[index] as Buffer;
      const proof = await inclusionProof(source, index, 77);
      for (let at = 0; at <= proof.length; at++) {
        const extra = [...proof.slice(0, at), leaves[0] as Buffer, ...proof.slice(at)];
        expect(verifyInclusion(leaf, index, 77, extra, root)).toBe(false);
        if (at < proof.length) {
          expect(verifyInclusion(leaf, index, 77, proof.toSpliced(at, 1), root)).toBe(false);
          expect(verifyInclusion(leaf, index, 77, proof.toSpliced(at, 0, proof[at] as Buffer), root)).toBe(
            false,
          );
          for (const length of [0, 31, 33, 64]) {
            const wrong = proof.toSpliced(
              at,
              1,
              Buffer.concat([proof[at] as Buffer, Buffer.alloc(32)]).subarray(0, length),
            );
            expect(verifyInclusion(leaf, index, 77, wrong, root)).toBe(false);
          }
        }
      }
    }
  });

  it('with a wrong size, agrees with the reference and never verifies against that size’s root', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 600 }),
        fc.nat(),
        async (size, wrongSize, pick) => {
          fc.pre(wrongSize !== size);
          const leaves = makeLeaves(Math.max(size, wrongSize), 9);
          const source = new MemoryTree(leaves);
          const index = pick % Math.min(size, wrongSize);
          const proof = await inclusionProof(source, index, size);
          const root = refMth(arrayLeaves(leaves), 0, size);
          const otherRoot = refMth(arrayLeaves(leaves), 0, wrongSize);
          const leaf = leaves[index] as Buffer;
          // The RFC algorithm does not bind the size except through the root (the signed tree head binds
          // both), so a size that gives the same path shape may pass against `root`; the reference decides.
          expect(verifyInclusion(leaf, index, wrongSize, proof, root)).toBe(
            refVerifyInclusion(leaf, index, wrongSize, proof, root),
          );
          expect(verifyInclusion(leaf, index, wrongSize, proof, otherRoot)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with the reference verifier on arbitrarily mutated inputs', async () => {
    const { leaves, source } = tree(64, 2);
    const roots = Array.from({ length: 65 }, (_, n) => refMth(arrayLeaves(leaves), 0, n));
    const hashes = [...leaves.slice(0, 8), ...roots.slice(1, 9)];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 64 }),
        fc.nat(),
        fc.integer({ min: 0, max: 66 }),
        fc.integer({ min: 0, max: 66 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
        async (size, pick, claimedSize, claimedIndex, edits) => {
          const index = pick % size;
          const proof: Buffer[] = await inclusionProof(source, index, size);
          for (const [where, what] of edits)
            proof.splice(where % (proof.length + 1), what % 2, hashes[what % hashes.length] as Buffer);
          const leaf = leaves[index] as Buffer;
          const root = roots[size] as Buffer;
          expect(verifyInclusion(leaf, claimedIndex, claimedSize, proof, root)).toBe(
            refVerifyInclusion(leaf, claimedIndex, claimedSize, proof, root),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('returns false, never throws, on malformed arguments', () => {
    const leaf = makeLeaves(1)[0] as Buffer;
    const bad: unknown[][] = [
      [leaf, 0, 0, [], EMPTY_TREE_ROOT],
      [leaf, 1, 1, [], leaf],
      [leaf, -1, 1, [], leaf],
      [leaf, 0.5, 1, [], leaf],
      [leaf, Number.NaN, 1, [], leaf],
      [leaf, 0, Number.POSITIVE_INFINITY, [], leaf],
      [leaf, 0, 2 ** 53, [], leaf],
      [leaf, 0n, 1, [], leaf],
      [leaf, '0', '1', [], leaf],
      [leaf, 0, 1, null, leaf],
      [leaf, 0, 1, 'proof', leaf],
      [leaf, 0, 2, [null], leaf],
      [leaf, 0, 2, ['00'.repeat(32)], leaf],
      [leaf, 0, 2, [{ length: 32 }], leaf],
      [null, 0, 1, [], leaf],
      [leaf.subarray(1), 0, 1, [], leaf.subarray(1)],
      [leaf, 0, 1, [], undefined],
      [toHex(leaf), 0, 1, [], toHex(leaf)],
    ];
    const call = verifyInclusion as (...args: unknown[]) => boolean;
    for (const args of bad) expect(call(...args)).toBe(false);
    expect(verifyInclusion(leaf, 0, 1, [], leaf)).toBe(true);
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
  });

  it('rejects bad arguments to proof generation with a RangeError', async () => {
    const { source } = tree(5, 0);
    for (const [index, size] of [
      [5, 5],
      [0, 0],
      [-1, 5],
      [0, 1.5],
      [Number.NaN, 5],
      [0, 6],
    ] as const) {
      await expect(inclusionProof(source, index, size)).rejects.toThrow(RangeError);
    }
  });

  it('proves and verifies leaves in trees far beyond 2^32 leaves', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER }),
          fc.constant(Number.MAX_SAFE_INTEGER),
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (size, fraction) => {
          const index = Math.min(size - 1, Math.floor(fraction * size));
          const leaf = makeLeaves(1, 42)[0] as Buffer;
          const sparse = new SparseTree(size, new Map([[index, leaf]]));
          const root = refMth(sparse.leaves, 0, size);
          const proof = await inclusionProof(sparse, index, size);
          expect(proof.map(toHex)).toEqual(refPath(sparse.leaves, index, 0, size).map(toHex));
          expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
          expect(verifyInclusion(leaf, index === 0 ? 1 : index - 1, size, proof, root)).toBe(false);
          expect(verifyInclusion(sparse.leafAt(index + 1), index, size, proof, root)).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});
