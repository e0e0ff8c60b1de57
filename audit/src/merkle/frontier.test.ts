/** Frontier (the append-only right edge) against the naive reference at every size, plus its guards. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_TREE_ROOT, toHex } from '../hash.js';
import { popcount } from './bits.js';
import { Frontier } from './frontier.js';
import { arrayLeaves, makeLeaves, refMth, SparseTree } from './rfc6962-reference.js';
import { MemoryTree } from './source.js';

const hex = (b: Uint8Array) => toHex(b);

describe('Frontier', () => {
  it('has the reference root and the set-bit subtrees at every size of random trees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (size, seed) => {
        const leaves = makeLeaves(size, seed);
        const tree = new MemoryTree(leaves);
        const frontier = new Frontier();
        for (let n = 0; n <= size; n++) {
          expect(frontier.size).toBe(n);
          expect(hex(frontier.root())).toBe(hex(refMth(arrayLeaves(leaves), 0, n)));
          const expected: string[] = [];
          for (let level = 52, position = 0; level >= 0; level--) {
            if (n - position >= 2 ** level) {
              expected.push(hex(tree.subtree(level, position / 2 ** level)));
              position += 2 ** level;
            }
          }
          expect(frontier.hashes.map(hex)).toEqual(expected);
          if (n < size) frontier.append(leaves[n] as Buffer);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('fromHashes restores a frontier that continues exactly like the original', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 150 }), (split, more) => {
        const leaves = makeLeaves(split + more, split);
        const original = new Frontier();
        for (const leaf of leaves.slice(0, split)) original.append(leaf);
        const restored = Frontier.fromHashes(split, original.hashes);
        for (const leaf of leaves.slice(split)) restored.append(leaf);
        expect(hex(restored.root())).toBe(hex(refMth(arrayLeaves(leaves), 0, split + more)));
      }),
    );
  });

  it('fromHashes demands one 32-byte hash per set bit of the size', () => {
    const h = makeLeaves(3);
    expect(() => Frontier.fromHashes(5, h.slice(0, 1))).toThrow(RangeError);
    expect(() => Frontier.fromHashes(5, h)).toThrow(RangeError);
    expect(() => Frontier.fromHashes(0, h.slice(0, 1))).toThrow(RangeError);
    expect(() => Frontier.fromHashes(5, [h[0] as Buffer, Buffer.alloc(31)])).toThrow(RangeError);
    expect(() => Frontier.fromHashes(-1, [])).toThrow(RangeError);
    expect(() => Frontier.fromHashes(1.5, [])).toThrow(RangeError);
    expect(() => Frontier.fromHashes(3, null as unknown as Buffer[])).toThrow(RangeError);
    expect(Frontier.fromHashes(Number.MAX_SAFE_INTEGER, makeLeaves(53)).size).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('appendSubtree is the same as appending its leaves, in any aligned mix', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }),
        fc.integer(),
        (wishes, seed) => {
          const leaves = makeLeaves(40 * 32, seed);
          const tree = new MemoryTree(leaves);
          const frontier = new Frontier();
          for (const wish of wishes) {
            // The largest level not above the wish that is aligned at the current size.
            let level = wish;
            while (frontier.size % 2 ** level !== 0) level--;
            frontier.appendSubtree(level, tree.subtree(level, frontier.size / 2 ** level));
          }
          expect(hex(frontier.root())).toBe(hex(refMth(arrayLeaves(leaves), 0, frontier.size)));
          expect(frontier.hashes.length).toBe(popcount(frontier.size));
        },
      ),
    );
  });

  it('refuses misaligned subtrees, bad levels, short hashes and overflow', () => {
    const frontier = new Frontier();
    const [a, b] = makeLeaves(2);
    frontier.append(a as Buffer);
    expect(() => frontier.appendSubtree(1, b as Buffer)).toThrow(RangeError);
    expect(() => frontier.appendSubtree(-1, b as Buffer)).toThrow(RangeError);
    expect(() => frontier.appendSubtree(53, b as Buffer)).toThrow(RangeError);
    expect(() => frontier.appendSubtree(0.5, b as Buffer)).toThrow(RangeError);
    expect(() => frontier.append(Buffer.alloc(31))).toThrow(RangeError);
    expect(() => frontier.append('00'.repeat(32) as unknown as Buffer)).toThrow(RangeError);
    expect(frontier.size).toBe(1);
    const full = Frontier.fromHashes(Number.MAX_SAFE_INTEGER, makeLeaves(53));
    expect(() => full.append(a as Buffer)).toThrow(RangeError);
    const half = Frontier.fromHashes(2 ** 52, makeLeaves(1));
    expect(() => half.appendSubtree(52, a as Buffer)).toThrow(RangeError);
  });

  it('keeps its own copies: mutating inputs or outputs does not change it, nor does a clone', () => {
    const leaves = makeLeaves(6);
    const frontier = new Frontier();
    const reused = Buffer.alloc(32);
    for (const leaf of leaves) {
      leaf.copy(reused);
      frontier.append(reused);
    }
    const root = hex(refMth(arrayLeaves(leaves), 0, 6));
    expect(hex(frontier.root())).toBe(root);
    for (const hash of frontier.hashes) hash.fill(0);
    frontier.root().fill(0);
    expect(hex(frontier.root())).toBe(root);
    const clone = frontier.clone();
    clone.append(leaves[0] as Buffer);
    expect(clone.size).toBe(7);
    expect(frontier.size).toBe(6);
    expect(hex(frontier.root())).toBe(root);
  });

  it('is empty at first, with the empty-tree root (a copy)', () => {
    const frontier = new Frontier();
    expect(frontier.size).toBe(0);
    expect(frontier.hashes).toEqual([]);
    frontier.root().fill(1);
    expect(frontier.root().equals(EMPTY_TREE_ROOT)).toBe(true);
    expect(hex(EMPTY_TREE_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('builds roots of trees far beyond 2^32 leaves from large subtrees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER }), fc.integer(), (size, seed) => {
        const special = new Map([[Math.floor(size / 3), makeLeaves(1, seed)[0] as Buffer]]);
        const sparse = new SparseTree(size, special);
        const frontier = new Frontier();
        while (frontier.size < size) {
          const fits = Math.floor(Math.log2(size - frontier.size));
          let level = Math.min(fits, 52);
          while (frontier.size % 2 ** level !== 0 || frontier.size + 2 ** level > size) level--;
          frontier.appendSubtree(level, sparse.subtree(level, frontier.size / 2 ** level));
        }
        expect(hex(frontier.root())).toBe(hex(refMth(sparse.leaves, 0, size)));
      }),
      { numRuns: 50 },
    );
  });
});
