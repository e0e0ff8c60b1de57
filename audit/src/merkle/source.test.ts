/** MemoryTree, rootHash and rangeHash against the naive RFC 6962 reference, including sources that
 * answer asynchronously, misbehave, or describe trees far beyond 2^32 leaves. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_TREE_ROOT, toHex } from '../hash.js';
import { arrayLeaves, makeLeaves, refMth, SparseTree } from './rfc6962-reference.js';
import { MemoryTree, rangeHash, rootHash, type SubtreeSource } from './source.js';

const hex = (b: Uint8Array) => toHex(b);

describe('MemoryTree', () => {
  it('serves every perfect subtree of random trees, equal to MTH of its leaves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (size, seed) => {
        const leaves = makeLeaves(size, seed);
        const tree = new MemoryTree(leaves);
        expect(tree.size).toBe(size);
        for (let level = 0; 2 ** level <= size; level++) {
          for (let index = 0; (index + 1) * 2 ** level <= size; index++) {
            const expected = refMth(arrayLeaves(leaves), index * 2 ** level, 2 ** level);
            expect(hex(tree.subtree(level, index))).toBe(hex(expected));
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('refuses subtrees outside the tree and malformed arguments', () => {
    const tree = new MemoryTree(makeLeaves(6));
    expect(() => tree.subtree(0, 6)).toThrow(RangeError);
    expect(() => tree.subtree(1, 3)).toThrow(RangeError);
    expect(() => tree.subtree(2, 1)).toThrow(RangeError); // [4, 8) is not complete
    expect(() => tree.subtree(3, 0)).toThrow(RangeError);
    expect(() => tree.subtree(-1, 0)).toThrow(RangeError);
    expect(() => tree.subtree(0.5, 0)).toThrow(RangeError);
    expect(() => tree.subtree(0, -1)).toThrow(RangeError);
    expect(() => tree.subtree(0, Number.NaN)).toThrow(RangeError);
    expect(() => tree.subtree(53, 0)).toThrow(RangeError);
  });

  it('rejects leaf hashes that are not 32 bytes', () => {
    expect(() => new MemoryTree([Buffer.alloc(31)])).toThrow(RangeError);
    expect(() => new MemoryTree([Buffer.alloc(32), Buffer.alloc(33)])).toThrow(/Leaf hash 1/);
  });

  it('accepts plain Uint8Arrays and subarray views', () => {
    const leaves = makeLeaves(5);
    const views = leaves.map((leaf) => {
      const padded = new Uint8Array(40);
      padded.set(leaf, 4);
      return padded.subarray(4, 36);
    });
    expect(hex(new MemoryTree(views).subtree(2, 0))).toBe(hex(new MemoryTree(leaves).subtree(2, 0)));
  });
});

describe('rootHash and rangeHash', () => {
  it('rootHash equals the reference MTH at every size of random trees', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 300 }), fc.integer(), async (size, seed) => {
        const leaves = makeLeaves(size, seed);
        const tree = new MemoryTree(leaves);
        for (let n = 0; n <= size; n++) {
          expect(hex(await rootHash(tree, n))).toBe(hex(refMth(arrayLeaves(leaves), 0, n)));
        }
      }),
      { numRuns: 20 },
    );
  });

  it('the empty tree has the SHA-256 of nothing as root, and it is a fresh copy', async () => {
    const root = await rootHash(new MemoryTree([]), 0);
    expect(root.equals(EMPTY_TREE_ROOT)).toBe(true);
    root.fill(0);
    expect(hex(EMPTY_TREE_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('a returned root is a copy: mutating it leaves the tree intact', async () => {
    const tree = new MemoryTree(makeLeaves(8));
    const before = hex(await rootHash(tree, 8));
    (await rootHash(tree, 8)).fill(0);
    (await rootHash(tree, 1)).fill(0);
    expect(hex(await rootHash(tree, 8))).toBe(before);
  });

  it('rangeHash equals the reference MTH for every aligned sub-range', async () => {
    const leaves = makeLeaves(70, 7);
    const tree = new MemoryTree(leaves);
    for (let begin = 0; begin <= 70; begin++) {
      for (let end = begin; end <= 70; end++) {
        const length = end - begin;
        const largest = length === 0 ? 1 : 2 ** Math.floor(Math.log2(length));
        if (begin % largest !== 0) {
          await expect(rangeHash(tree, begin, end)).rejects.toThrow(RangeError);
          continue;
        }
        expect(hex(await rangeHash(tree, begin, end))).toBe(hex(refMth(arrayLeaves(leaves), begin, length)));
      }
    }
  });

  it('rejects bad sizes with a RangeError', async () => {
    const tree = new MemoryTree(makeLeaves(4));
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      await expect(rootHash(tree, bad)).rejects.toThrow(RangeError);
    }
    await expect(rootHash(tree, 5)).rejects.toThrow(RangeError);
    await expect(rangeHash(tree, 3, 2)).rejects.toThrow(RangeError);
  });

  it('works with asynchronous sources, issuing each request once', async () => {
    const leaves = makeLeaves(37, 3);
    const tree = new MemoryTree(leaves);
    const requests: string[] = [];
    const slow: SubtreeSource = {
      subtree: async (level, index) => {
        requests.push(`${level}/${index}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return tree.subtree(level, index);
      },
    };
    expect(hex(await rootHash(slow, 37))).toBe(hex(refMth(arrayLeaves(leaves), 0, 37)));
    expect(requests).toEqual(['5/0', '2/8', '0/36']);
  });

  it('throws when a source answers with something that is not a 32-byte hash', async () => {
    const short: SubtreeSource = { subtree: () => Buffer.alloc(31) };
    const missing: SubtreeSource = { subtree: () => undefined as unknown as Buffer };
    await expect(rootHash(short, 3)).rejects.toThrow(/level 1, index 0/);
    await expect(rootHash(missing, 1)).rejects.toThrow(/SubtreeSource/);
  });

  it('computes roots of trees far beyond 2^32 leaves', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        async (size, fractions) => {
          const special = new Map(
            fractions.map((f, i) => [Math.floor(f * (size - 1)), makeLeaves(1, i)[0] as Buffer]),
          );
          const tree = new SparseTree(size, special);
          expect(hex(await rootHash(tree, size))).toBe(hex(refMth(tree.leaves, 0, size)));
        },
      ),
      { numRuns: 50 },
    );
  });
});
