/**
 * Tree-shape arithmetic on tree sizes and leaf indices, which are JS numbers up to 2^53 − 1. JS bitwise
 * operators truncate to 32 bits, so everything here divides instead (exact for safe integers), and 2^L
 * is computed as a power. Internal to the Merkle modules: not re-exported.
 */
import { HASH_BYTES } from '../hash.js';

/** Deepest perfect subtree a tree of at most 2^53 − 1 leaves can contain. */
export const MAX_LEVEL = 52;

const TWO_32 = 2 ** 32;

/** A perfect subtree: level L, index k covers leaves [k·2^L, (k+1)·2^L). */
export interface NodeId {
  level: number;
  index: number;
}

export function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

export function isLevel(level: unknown): level is number {
  return typeof level === 'number' && Number.isInteger(level) && level >= 0 && level <= MAX_LEVEL;
}

export function requireSize(n: number, name: string): void {
  if (!isSize(n)) throw new RangeError(`${name} must be a non-negative safe integer, got ${String(n)}`);
}

export function requireLevel(level: number): void {
  if (!isLevel(level)) {
    throw new RangeError(`level must be an integer from 0 to ${MAX_LEVEL}, got ${String(level)}`);
  }
}

export function half(n: number): number {
  return Math.floor(n / 2);
}

export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** Number of bits needed to write n (0 for 0). Math.log2 is not used: it rounds 2^53 − 1 up to 53. */
export function bitLength(n: number): number {
  const high = Math.floor(n / TWO_32);
  return high > 0 ? 64 - Math.clz32(high) : 32 - Math.clz32(n);
}

/** Number of set bits of n: the number of perfect subtrees in a tree of n leaves. */
export function popcount(n: number): number {
  return popcount32(n % TWO_32) + popcount32(Math.floor(n / TWO_32));
}

function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Exponent of the largest power of two dividing n (n > 0). */
export function trailingZeros(n: number): number {
  const low = n % TWO_32;
  if (low !== 0) return 31 - Math.clz32(low & -low);
  return 32 + trailingZeros(Math.floor(n / TWO_32));
}

/** RFC 9162 §2.1.1: k, the largest power of two smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  return 2 ** (bitLength(n - 1) - 1);
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** (bitLength(n) - 1) === n;
}

/**
 * The perfect subtrees whose right fold is MTH(D[begin:end]): one per set bit of end − begin, largest
 * first. They are real (aligned) subtrees only if begin is a multiple of the largest of them, which holds
 * for every range the RFC 6962 recursion visits and for every prefix [0, n).
 */
export function rangeNodes(begin: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let position = begin;
  for (let level = bitLength(end - begin) - 1; level >= 0; level--) {
    const width = 2 ** level;
    if (end - position < width) continue;
    if (position % width !== 0) {
      const largest = 2 ** (bitLength(end - begin) - 1);
      throw new RangeError(
        `[${begin}, ${end}) is not made of aligned subtrees: begin must be a multiple of ${largest}`,
      );
    }
    nodes.push({ level, index: position / width });
    position += width;
  }
  return nodes;
}

/**
 * Greedy split of [begin, end) into aligned perfect subtrees, left to right: at each position the
 * largest 2^L with position % 2^L = 0 that still fits. This is the right-hand side of a range proof.
 */
export function alignedNodes(begin: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  for (let position = begin; position < end; ) {
    const fits = bitLength(end - position) - 1;
    const level = position === 0 ? fits : Math.min(trailingZeros(position), fits);
    const width = 2 ** level;
    nodes.push({ level, index: position / width });
    position += width;
  }
  return nodes;
}

export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === HASH_BYTES;
}

/** A Buffer view of the same bytes (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return isHash(a) && isHash(b) && asBuffer(a).equals(b);
}
