/**
 * Test oracle only (not exported from the package): a deliberately naive Merkle tree written straight
 * from the recursive definitions of RFC 6962 §2.1 / RFC 9162 §2.1, with its own SHA-256 calls, so the
 * optimised code is checked against the text of the RFC rather than against itself. Recursive and
 * O(n) per call on purpose; `Leaves` lets the tests plug in huge sparse trees.
 */
import { createHash } from 'node:crypto';

/** MTH of an aligned perfect range [lo, lo + n), or undefined to make the reference recurse into it. */
export type PerfectShortcut = (lo: number, n: number) => Buffer | undefined;

export interface Leaves {
  leaf(index: number): Buffer;
  shortcut?: PerfectShortcut;
}

export function refLeafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(0)).update(data).digest();
}

export function refNodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(1)).update(left).update(right).digest();
}

export function arrayLeaves(leafHashes: readonly Buffer[]): Leaves {
  return { leaf: (index) => leafHashes[index] as Buffer };
}

/** k: the largest power of two smaller than n (n > 1), by doubling, as the RFC words it. */
export function refSplit(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo : lo + n]) (RFC 6962 §2.1). */
export function refMth(leaves: Leaves, lo: number, n: number): Buffer {
  if (n === 0) return createHash('sha256').digest();
  if (n === 1) return leaves.leaf(lo);
  const k = refSplit(n);
  const perfect = k * 2 === n ? leaves.shortcut?.(lo, n) : undefined;
  if (perfect !== undefined) return perfect;
  return refNodeHash(refMth(leaves, lo, k), refMth(leaves, lo + k, n - k));
}

/** PATH(m, D[lo : lo + n]) (RFC 6962 §2.1.1), leaf sibling first. */
export function refPath(leaves: Leaves, m: number, lo: number, n: number): Buffer[] {
  if (n === 1) return [];
  const k = refSplit(n);
  return m < k
    ? [...refPath(leaves, m, lo, k), refMth(leaves, lo + k, n - k)]
    : [...refPath(leaves, m - k, lo + k, n - k), refMth(leaves, lo, k)];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 6962 §2.1.2). */
export function refProof(leaves: Leaves, m: number, n: number): Buffer[] {
  return refSubproof(leaves, m, 0, n, true);
}

function refSubproof(leaves: Leaves, m: number, lo: number, n: number, b: boolean): Buffer[] {
  if (m === n) return b ? [] : [refMth(leaves, lo, n)];
  const k = refSplit(n);
  return m <= k
    ? [...refSubproof(leaves, m, lo, k, b), refMth(leaves, lo + k, n - k)]
    : [...refSubproof(leaves, m - k, lo + k, n - k, false), refMth(leaves, lo, k)];
}

/**
 * Inclusion verification by running the PATH recursion backwards: the last proof element is the
 * sibling at the root, and so on down. Accepts iff the proof has exactly the expected length and
 * rebuilds `root`.
 */
export function refVerifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && 0 <= index && index < size))
    return false;
  if (leaf.length !== 32 || root.length !== 32 || proof.some((p) => p.length !== 32)) return false;
  const rebuild = (m: number, n: number, end: number): { hash: Uint8Array; end: number } | null => {
    if (n === 1) return { hash: leaf, end };
    const top = proof[end - 1];
    if (top === undefined) return null;
    const k = refSplit(n);
    const sub = m < k ? rebuild(m, k, end - 1) : rebuild(m - k, n - k, end - 1);
    if (sub === null) return null;
    return { hash: m < k ? refNodeHash(sub.hash, top) : refNodeHash(top, sub.hash), end: sub.end };
  };
  const result = rebuild(index, size, proof.length);
  return result !== null && result.end === 0 && Buffer.from(result.hash).equals(root);
}

/**
 * Consistency verification by running the SUBPROOF recursion backwards, rebuilding both the old and the
 * new root. Sizes 0 and equal sizes follow the conventions documented on verifyConsistency.
 */
export function refVerifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (
    !(Number.isSafeInteger(oldSize) && Number.isSafeInteger(newSize) && 0 <= oldSize && oldSize <= newSize)
  ) {
    return false;
  }
  if (oldRoot.length !== 32 || newRoot.length !== 32 || proof.some((p) => p.length !== 32)) return false;
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b);
  if (oldSize === 0) {
    const empty = createHash('sha256').digest();
    return proof.length === 0 && same(oldRoot, empty) && (newSize > 0 || same(newRoot, empty));
  }
  type Pair = { old: Uint8Array; new: Uint8Array; end: number };
  const rebuild = (m: number, n: number, b: boolean, end: number): Pair | null => {
    if (m === n) {
      if (b) return { old: oldRoot, new: oldRoot, end };
      const node = proof[end - 1];
      return node === undefined ? null : { old: node, new: node, end: end - 1 };
    }
    const top = proof[end - 1];
    if (top === undefined) return null;
    const k = refSplit(n);
    if (m <= k) {
      const sub = rebuild(m, k, b, end - 1);
      return sub && { old: sub.old, new: refNodeHash(sub.new, top), end: sub.end };
    }
    const sub = rebuild(m - k, n - k, false, end - 1);
    return sub && { old: refNodeHash(top, sub.old), new: refNodeHash(top, sub.new), end: sub.end };
  };
  const result = rebuild(oldSize, newSize, true, proof.length);
  return result !== null && result.end === 0 && same(result.old, oldRoot) && same(result.new, newRoot);
}

/** n distinct leaf hashes, reproducible from `seed`. */
export function makeLeaves(n: number, seed = 0): Buffer[] {
  return Array.from({ length: n }, (_, i) => refLeafHash(Buffer.from(`leaf ${seed}/${i}`)));
}

/**
 * A huge tree (up to 2^53 − 1 leaves) whose leaves all equal one filler hash except a few `special`
 * ones, so that subtree hashes of any size cost O(specials × depth). Used to exercise the > 32-bit
 * arithmetic of sizes and indices. Implements SubtreeSource structurally.
 */
export class SparseTree {
  private readonly perfect: Buffer[] = [refLeafHash(Buffer.from('filler'))];
  private readonly memo = new Map<string, Buffer>();
  private readonly positions: number[];

  constructor(
    readonly size: number,
    private readonly special: ReadonlyMap<number, Buffer>,
  ) {
    for (let level = 1; level <= 53; level++) {
      const below = this.perfect[level - 1] as Buffer;
      this.perfect.push(refNodeHash(below, below));
    }
    this.positions = [...special.keys()];
  }

  leafAt(index: number): Buffer {
    return this.special.get(index) ?? (this.perfect[0] as Buffer);
  }

  subtree(level: number, index: number): Buffer {
    const width = 2 ** level;
    if (!Number.isSafeInteger(index) || index < 0 || (index + 1) * width > this.size) {
      throw new RangeError(`SparseTree: no subtree (${level}, ${index}) in ${this.size} leaves`);
    }
    return this.perfectAt(index * width, width);
  }

  get leaves(): Leaves {
    return { leaf: (index) => this.leafAt(index), shortcut: (lo, n) => this.perfectAt(lo, n) };
  }

  private perfectAt(lo: number, width: number): Buffer {
    if (width === 1) return this.leafAt(lo);
    if (!this.positions.some((p) => lo <= p && p < lo + width))
      return this.perfect[Math.log2(width)] as Buffer;
    const key = `${lo}/${width}`;
    let hash = this.memo.get(key);
    if (hash === undefined) {
      hash = refNodeHash(this.perfectAt(lo, width / 2), this.perfectAt(lo + width / 2, width / 2));
      this.memo.set(key, hash);
    }
    return hash;
  }
}
