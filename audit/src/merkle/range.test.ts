/** Range proofs (batch inclusion of [begin, end)) against the naive reference, in one go and streamed,
 * with the structural checks an auditor relies on. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../hash.js';
import { Frontier } from './frontier.js';
import { type RangeProof, RangeVerifier, rangeProof, rootFromRange } from './range.js';
import { arrayLeaves, makeLeaves, refMth, SparseTree } from './rfc6962-reference.js';
import { MemoryTree } from './source.js';

const hex = (b: Uint8Array) => toHex(b);

const fixture = (size: number, seed: number) => {
  const leaves = makeLeaves(size, seed);
  return { leaves, source: new MemoryTree(leaves), root: refMth(arrayLeaves(leaves), 0, size) };
};

const bounds = fc
  .tuple(fc.integer({ min: 0, max: 300 }), fc.nat(), fc.nat(), fc.integer())
  .map(([size, x, y, seed]) => {
    const [a, b] = [x % (size + 1), y % (size + 1)];
    return { size, begin: Math.min(a, b), end: Math.max(a, b), seed };
  });

describe('rangeProof / rootFromRange / RangeVerifier', () => {
  it('rebuilds the reference root from the range’s leaves, at once and streamed', async () => {
    await fc.assert(
      fc.asyncProperty(bounds, async ({ size, begin, end, seed }) => {
        const { leaves, source, root } = fixture(size, seed);
        const proof = await rangeProof(source, begin, end, size);
        expect([proof.begin, proof.end, proof.treeSize]).toEqual([begin, end, size]);
        const run = leaves.slice(begin, end);
        expect(hex(rootFromRange(proof, run))).toBe(hex(root));
        const verifier = new RangeVerifier(proof);
        for (const leaf of run) verifier.push(leaf);
        expect(hex(verifier.finish())).toBe(hex(root));
      }),
      { numRuns: 300 },
    );
  });

  it('has the frontier of [0, begin) on the left and the greedy aligned split on the right', async () => {
    await fc.assert(
      fc.asyncProperty(bounds, async ({ size, begin, end, seed }) => {
        const { leaves, source } = fixture(size, seed);
        const proof = await rangeProof(source, begin, end, size);
        const frontier = new Frontier();
        for (const leaf of leaves.slice(0, begin)) frontier.append(leaf);
        expect(proof.left.map(hex)).toEqual(frontier.hashes.map(hex));
        let position = end;
        for (const { level, hash } of proof.right) {
          const width = 2 ** level;
          expect(position % width).toBe(0);
          expect(position + width).toBeLessThanOrEqual(size);
          expect(position === 0 || position % (2 * width) !== 0 || position + 2 * width > size).toBe(true);
          expect(hex(hash)).toBe(hex(refMth(arrayLeaves(leaves), position, width)));
          position += width;
        }
        expect(position).toBe(size);
      }),
      { numRuns: 300 },
    );
  });

  it('gives a different root for any wrong, swapped, missing or extra leaf', async () => {
    await fc.assert(
      fc.asyncProperty(
        bounds.filter(({ begin, end }) => end - begin >= 2),
        fc.nat(),
        async ({ size, begin, end, seed }, pick) => {
          const { leaves, source, root } = fixture(size, seed);
          const proof = await rangeProof(source, begin, end, size);
          const run = leaves.slice(begin, end);
          const at = pick % run.length;
          const wrong = run.toSpliced(at, 1, makeLeaves(1, -1)[0] as Buffer);
          expect(rootFromRange(proof, wrong).equals(root)).toBe(false);
          const swapped = run.toSpliced(at, 1, run[(at + 1) % run.length] as Buffer);
          expect(rootFromRange(proof, swapped).equals(root)).toBe(false);
          expect(() => rootFromRange(proof, run.slice(1))).toThrow(/Too few leaves/);
          expect(() => rootFromRange(proof, [...run, run[0] as Buffer])).toThrow(/Too many leaves/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('RangeVerifier throws on too many or too few leaves, and after finish', async () => {
    const { leaves, source, root } = fixture(20, 1);
    const proof = await rangeProof(source, 5, 9, 20);
    const short = new RangeVerifier(proof);
    for (const leaf of leaves.slice(5, 8)) short.push(leaf);
    expect(() => short.finish()).toThrow(/Too few leaves: got 3/);
    const long = new RangeVerifier(proof);
    for (const leaf of leaves.slice(5, 9)) long.push(leaf);
    expect(() => long.push(leaves[9] as Buffer)).toThrow(/Too many leaves/);
    expect(long.finish().equals(root)).toBe(true);
    expect(() => long.finish()).toThrow(/twice/);
    expect(() => long.push(leaves[9] as Buffer)).toThrow(/after finish/);
    const bad = new RangeVerifier(proof);
    expect(() => bad.push(Buffer.alloc(31))).toThrow(RangeError);
  });

  it('rejects malformed proofs up front', async () => {
    const { source } = fixture(20, 2);
    const good = await rangeProof(source, 5, 9, 20);
    const variants: [string, RangeProof][] = [
      ['left too short', { ...good, left: good.left.slice(1) }],
      ['left too long', { ...good, left: [...good.left, good.left[0] as Buffer] }],
      ['left hash short', { ...good, left: [Buffer.alloc(31), ...good.left.slice(1)] }],
      ['right dropped', { ...good, right: good.right.slice(1) }],
      ['right extra', { ...good, right: [...good.right, good.right[0] as RangeProof['right'][number]] }],
      [
        'right level changed',
        { ...good, right: good.right.map((r, i) => (i === 0 ? { ...r, level: r.level + 1 } : r)) },
      ],
      ['right hash short', { ...good, right: good.right.map((r) => ({ ...r, hash: r.hash.subarray(1) })) }],
      ['end beyond size', { ...good, end: 21 }],
      ['begin after end', { ...good, begin: 10 }],
      ['size not an integer', { ...good, treeSize: 20.5 }],
      ['negative begin', { ...good, begin: -1 }],
      ['tree size changed', { ...good, treeSize: 24 }],
    ];
    for (const [name, proof] of variants) expect(() => new RangeVerifier(proof), name).toThrow(RangeError);
  });

  it('a non-greedy split of the right side is refused even though it describes the same tree', async () => {
    const { leaves, source, root } = fixture(16, 3);
    const proof = await rangeProof(source, 0, 4, 16);
    expect(proof.right.map((r) => r.level)).toEqual([2, 3]);
    const split = [
      { level: 2, hash: source.subtree(2, 1) },
      { level: 2, hash: source.subtree(2, 2) },
      { level: 2, hash: source.subtree(2, 3) },
    ];
    expect(() => rootFromRange({ ...proof, right: split }, leaves.slice(0, 4))).toThrow(RangeError);
    expect(rootFromRange(proof, leaves.slice(0, 4)).equals(root)).toBe(true);
  });

  it('accepts plain Uint8Arrays (as decoded from JSON) and empty ranges', async () => {
    const { leaves, source, root } = fixture(13, 4);
    const proof = await rangeProof(source, 6, 6, 13);
    const plain = {
      ...proof,
      left: proof.left.map((h) => new Uint8Array(h)),
      right: proof.right.map((r) => ({ level: r.level, hash: new Uint8Array(r.hash) })),
    };
    expect(rootFromRange(plain, []).equals(root)).toBe(true);
    const whole = await rangeProof(source, 0, 13, 13);
    expect(whole.left).toEqual([]);
    expect(whole.right).toEqual([]);
    expect(rootFromRange(whole, leaves).equals(root)).toBe(true);
    expect(rootFromRange(await rangeProof(new MemoryTree([]), 0, 0, 0), []).equals(fixture(0, 0).root)).toBe(
      true,
    );
  });

  it('rejects bad bounds when generating', async () => {
    const { source } = fixture(10, 5);
    for (const [b, e, s] of [
      [3, 2, 10],
      [0, 10, 11], // the source has only 10 leaves
      [-1, 2, 10],
      [0, 2, Number.NaN],
    ] as const) {
      await expect(rangeProof(source, b, e, s)).rejects.toThrow(RangeError);
    }
  });

  it('proves ranges in trees far beyond 2^32 leaves', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER - 64 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 64 }),
        async (size, fraction, length) => {
          const begin = Math.floor(fraction * (size - length));
          const run = makeLeaves(length, begin % 1000);
          const sparse = new SparseTree(size, new Map(run.map((leaf, i) => [begin + i, leaf])));
          const proof = await rangeProof(sparse, begin, begin + length, size);
          expect(hex(rootFromRange(proof, run))).toBe(hex(refMth(sparse.leaves, 0, size)));
        },
      ),
      { numRuns: 50 },
    );
  });
});
