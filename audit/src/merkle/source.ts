/**
 * Where Merkle hashes come from, and the root of a tree or sub-range computed from them. Everything above
 * the leaves is assembled from *perfect* subtrees (2^L leaves at an aligned position), the only nodes a
 * log ever needs to store: an append-only tree never changes them (RFC 9162 §2.1.1, and the "compact
 * range" view of transparency-dev/merkle).
 */
import { EMPTY_TREE_ROOT, nodeHash } from '../hash.js';
import { isHash, type NodeId, rangeNodes, requireLevel, requireSize } from './bits.js';

/**
 * Supplies hashes of *perfect* subtrees: level L, index k covers leaves [k*2^L, (k+1)*2^L); level 0 is
 * the leaf hashes. Only subtrees lying wholly inside the tree size in question are ever requested.
 */
export interface SubtreeSource {
  subtree(level: number, index: number): Promise<Buffer> | Buffer;
}

/**
 * All leaf hashes in memory, interior perfect-subtree hashes computed a level at a time on first use and
 * kept (at most size − 1 of them, so O(n) memory). For tests, tools and the offline verifier; the backend
 * reads stored subtrees instead. Keeps references to the given leaf hashes: do not mutate them.
 */
export class MemoryTree implements SubtreeSource {
  readonly size: number;
  private readonly levels: Buffer[][];

  constructor(leafHashes: readonly Uint8Array[]) {
    const leaves = leafHashes.map((leaf, i) => {
      if (!isHash(leaf)) throw new RangeError(`Leaf hash ${i} is not a 32-byte Uint8Array`);
      return Buffer.isBuffer(leaf) ? leaf : Buffer.from(leaf);
    });
    this.size = leaves.length;
    this.levels = [leaves];
  }

  subtree(level: number, index: number): Buffer {
    requireLevel(level);
    requireSize(index, 'index');
    if ((index + 1) * 2 ** level > this.size) {
      throw new RangeError(
        `Subtree (level ${level}, index ${index}) lies outside a tree of ${this.size} leaves`,
      );
    }
    return this.level(level)[index] as Buffer;
  }

  private level(level: number): Buffer[] {
    while (this.levels.length <= level) {
      const below = this.levels[this.levels.length - 1] as Buffer[];
      const above = new Array<Buffer>(Math.floor(below.length / 2));
      for (let k = 0; k < above.length; k++) {
        above[k] = nodeHash(below[2 * k] as Buffer, below[2 * k + 1] as Buffer);
      }
      this.levels.push(above);
    }
    return this.levels[level] as Buffer[];
  }
}

/**
 * Fetches the given subtrees. A synchronous source is read without a promise per node; an asynchronous
 * one gets all requests at once (Promise.all), so a database source may batch or pipeline them.
 * Anything but a 32-byte hash from the source is a bug in the source and throws.
 */
export async function fetchNodes(source: SubtreeSource, nodes: readonly NodeId[]): Promise<Buffer[]> {
  const pending = nodes.map((node) => source.subtree(node.level, node.index));
  const hashes = pending.some(isPromiseLike) ? await Promise.all(pending) : (pending as Buffer[]);
  return hashes.map((hash, i) => {
    if (!isHash(hash)) {
      const node = nodes[i] as NodeId;
      throw new Error(`SubtreeSource returned no 32-byte hash for level ${node.level}, index ${node.index}`);
    }
    return Buffer.isBuffer(hash) ? hash : Buffer.from(hash);
  });
}

function isPromiseLike(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Fetches groups of subtrees in one batch and folds each group into one hash: a proof element that is
 * not itself a perfect subtree (the "ephemeral" right edge of a tree) is the right fold of several.
 */
export async function fetchFolded(source: SubtreeSource, groups: readonly NodeId[][]): Promise<Buffer[]> {
  const hashes = await fetchNodes(source, groups.flat());
  let next = 0;
  return groups.map((group) => {
    const start = next;
    next += group.length;
    return foldRight(hashes.slice(start, next));
  });
}

/** Right fold of perfect-subtree hashes (largest first): the RFC 6962 shape, where a tree of n leaves
 * splits into the perfect tree of the largest power of two below n and the rest. */
export function foldRight(hashes: readonly Buffer[]): Buffer {
  let root = hashes[hashes.length - 1];
  if (root === undefined) return Buffer.from(EMPTY_TREE_ROOT);
  for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i] as Buffer, root);
  return hashes.length === 1 ? Buffer.from(root) : root;
}

/** MTH(D[0:size]) (RFC 9162 §2.1.1); EMPTY_TREE_ROOT for size 0. */
export async function rootHash(source: SubtreeSource, size: number): Promise<Buffer> {
  requireSize(size, 'size');
  return rangeHash(source, 0, size);
}

/**
 * MTH(D[begin:end]), the hash of the sub-tree over those leaves. begin must be a multiple of the largest
 * power of two ≤ end − begin (true of every range the RFC 6962 recursion visits); otherwise the range is
 * not assembled from stored subtrees and this throws a RangeError.
 */
export async function rangeHash(source: SubtreeSource, begin: number, end: number): Promise<Buffer> {
  requireSize(begin, 'begin');
  requireSize(end, 'end');
  if (begin > end) throw new RangeError(`begin (${begin}) must not exceed end (${end})`);
  return foldRight(await fetchNodes(source, rangeNodes(begin, end)));
}
