/** Tree-shape arithmetic checked against BigInt, across the whole safe-integer range (JS bitwise
 * operators would silently break above 2^31). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alignedNodes,
  bitLength,
  isPowerOfTwo,
  popcount,
  rangeNodes,
  splitPoint,
  trailingZeros,
} from './bits.js';

const safe = fc.oneof(
  fc.integer({ min: 0, max: 1000 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: 0, max: 52 }).map((e) => 2 ** e),
  fc.integer({ min: 1, max: 53 }).map((e) => 2 ** e - 1),
  fc.integer({ min: 1, max: 52 }).map((e) => 2 ** e + 1),
);

const big = (n: number) => BigInt(n);

describe('bit arithmetic on safe integers', () => {
  it('bitLength, popcount, trailingZeros, isPowerOfTwo agree with BigInt', () => {
    fc.assert(
      fc.property(safe, (n) => {
        expect(bitLength(n)).toBe(n === 0 ? 0 : big(n).toString(2).length);
        expect(popcount(n)).toBe([...big(n).toString(2)].filter((c) => c === '1').length);
        expect(isPowerOfTwo(n)).toBe(n > 0 && (big(n) & (big(n) - 1n)) === 0n);
        if (n > 0)
          expect(trailingZeros(n)).toBe(big(n).toString(2).length - big(n).toString(2).lastIndexOf('1') - 1);
      }),
      { numRuns: 2000 },
    );
  });

  it('splitPoint is the largest power of two strictly below n', () => {
    fc.assert(
      fc.property(
        safe.filter((n) => n >= 2),
        (n) => {
          const k = splitPoint(n);
          expect(isPowerOfTwo(k)).toBe(true);
          expect(k < n && 2 * k >= n).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('handles the extremes', () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(bitLength(max)).toBe(53);
    expect(popcount(max)).toBe(53);
    expect(splitPoint(max)).toBe(2 ** 52);
    expect(trailingZeros(2 ** 52)).toBe(52);
    expect(bitLength(2 ** 32)).toBe(33);
    expect(bitLength(2 ** 32 - 1)).toBe(32);
  });
});

describe('range decompositions', () => {
  const covers = (nodes: { level: number; index: number }[], begin: number, end: number) => {
    let position = begin;
    for (const { level, index } of nodes) {
      expect(index * 2 ** level).toBe(position);
      position += 2 ** level;
    }
    expect(position).toBe(end);
  };

  it('rangeNodes of a prefix is one aligned perfect subtree per set bit, largest first', () => {
    fc.assert(
      fc.property(safe, (n) => {
        const nodes = rangeNodes(0, n);
        expect(nodes.length).toBe(popcount(n));
        covers(nodes, 0, n);
        for (let i = 1; i < nodes.length; i++)
          expect(nodes[i]?.level).toBeLessThan(nodes[i - 1]?.level as number);
      }),
    );
  });

  it('rangeNodes refuses ranges that are not aligned', () => {
    expect(() => rangeNodes(1, 3)).toThrow(RangeError);
    expect(() => rangeNodes(2, 6)).toThrow(RangeError);
    expect(rangeNodes(4, 7)).toEqual([
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
  });

  it('alignedNodes is the greedy split: aligned, contiguous, each as large as allowed', () => {
    fc.assert(
      fc.property(safe, safe, (a, b) => {
        const [begin, end] = a <= b ? [a, b] : [b, a];
        const nodes = alignedNodes(begin, end);
        covers(nodes, begin, end);
        expect(nodes.length).toBeLessThanOrEqual(2 * 53);
        for (const { level, index } of nodes) {
          const position = index * 2 ** level;
          const twice = 2 ** (level + 1);
          // Greedy: the next size up would be misaligned or would not fit.
          expect(position % twice !== 0 || position + twice > end).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
