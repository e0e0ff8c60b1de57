/**
 * The right frontier of an append-only Merkle tree (a compact range starting at leaf 0): one perfect
 * subtree hash per set bit of the size, largest first. It is all that is needed to compute the root and
 * to keep appending, in O(log n) memory, so the backend can extend the tree for millions of leaves and
 * the offline verifier can recompute a root while streaming an export.
 */
import { EMPTY_TREE_ROOT, nodeHash } from '../hash.js';
import { half, isHash, isOdd, popcount, requireLevel, requireSize } from './bits.js';
import { foldRight } from './source.js';

export class Frontier {
  private count = 0;
  /** Largest subtree first; their levels are the set bits of `count`, high to low. */
  private stack: Buffer[] = [];

  /** The frontier of a tree of `size` leaves from its subtree hashes (largest first). */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): Frontier {
    requireSize(size, 'size');
    if (!Array.isArray(hashes) || hashes.length !== popcount(size)) {
      const got = Array.isArray(hashes) ? String(hashes.length) : 'no array';
      throw new RangeError(
        `A frontier of size ${size} has ${popcount(size)} hashes (one per set bit), got ${got}`,
      );
    }
    const frontier = new Frontier();
    frontier.stack = hashes.map((hash, i) => {
      if (!isHash(hash)) throw new RangeError(`Frontier hash ${i} is not a 32-byte Uint8Array`);
      return Buffer.from(hash);
    });
    frontier.count = size;
    return frontier;
  }

  get size(): number {
    return this.count;
  }

  /** Copies of the subtree hashes, largest subtree first. */
  get hashes(): Buffer[] {
    return this.stack.map((hash) => Buffer.from(hash));
  }

  /** Appends one leaf hash. Amortised O(1): on average one node hash per leaf. */
  append(leaf: Uint8Array): void {
    this.push(0, leaf);
  }

  /** Appends a perfect subtree of 2^level leaves; the current size must be a multiple of 2^level. */
  appendSubtree(level: number, hash: Uint8Array): void {
    requireLevel(level);
    this.push(level, hash);
  }

  /** MTH of the leaves so far (RFC 9162 §2.1.1): the right fold of the subtree hashes. */
  root(): Buffer {
    return this.count === 0 ? Buffer.from(EMPTY_TREE_ROOT) : foldRight(this.stack);
  }

  clone(): Frontier {
    const copy = new Frontier();
    // Sharing the Buffers is safe: they are never mutated here and `hashes` hands out copies.
    copy.stack = this.stack.slice();
    copy.count = this.count;
    return copy;
  }

  private push(level: number, hash: Uint8Array): void {
    if (!isHash(hash)) throw new RangeError('Frontier.append expects a 32-byte hash');
    const width = 2 ** level;
    if (this.count % width !== 0) {
      throw new RangeError(
        `Cannot append a subtree of 2^${level} leaves at position ${this.count}: not aligned`,
      );
    }
    if (this.count + width > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`Appending 2^${level} leaves would exceed ${Number.MAX_SAFE_INTEGER} leaves`);
    }
    // Binary addition of 2^level to the size: every carry merges two equal subtrees into their parent.
    let merged: Uint8Array = hash;
    for (let units = this.count / width; isOdd(units); units = half(units)) {
      merged = nodeHash(this.stack.pop() as Buffer, merged);
    }
    // An unmerged input is copied: callers may reuse their buffer for the next leaf.
    this.stack.push(merged === hash ? Buffer.from(hash) : (merged as Buffer));
    this.count += width;
  }
}
