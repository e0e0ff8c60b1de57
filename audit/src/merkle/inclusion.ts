/**
 * Merkle audit paths (inclusion proofs): RFC 9162 §2.1.3.1 (generation) and §2.1.3.2 (verification).
 * A path proves that a leaf hash sits at a given index of the tree whose root is signed in a tree head.
 */
import { nodeHash } from '../hash.js';
import {
  half,
  isHash,
  isOdd,
  isSize,
  type NodeId,
  rangeNodes,
  requireSize,
  sameHash,
  splitPoint,
} from './bits.js';
import { fetchFolded, type SubtreeSource } from './source.js';

/**
 * PATH(m, D[n]) of RFC 9162 §2.1.3.1, leaf sibling first. The RFC recursion is unrolled: walking down
 * from the root, each step records the sibling subtree and descends into the half holding leaf m.
 */
export async function inclusionProof(source: SubtreeSource, index: number, size: number): Promise<Buffer[]> {
  requireSize(index, 'index');
  requireSize(size, 'size');
  if (index >= size) throw new RangeError(`index (${index}) must be less than the tree size (${size})`);
  return fetchFolded(source, inclusionPlan(index, size));
}

/** The subtrees whose (folded) hashes form PATH(index, D[size]), leaf sibling first. */
function inclusionPlan(index: number, size: number): NodeId[][] {
  const topDown: NodeId[][] = [];
  let offset = 0;
  let m = index;
  let n = size;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      // PATH(m, D[0:k]) : MTH(D[k:n])
      topDown.push(rangeNodes(offset + k, offset + n));
      n = k;
    } else {
      // PATH(m − k, D[k:n]) : MTH(D[0:k])
      topDown.push(rangeNodes(offset, offset + k));
      offset += k;
      m -= k;
      n -= k;
    }
  }
  return topDown.reverse();
}

/**
 * RFC 9162 §2.1.3.2, step by step. `leaf` and `root` are 32-byte hashes (the leaf hash, not the entry).
 * Never throws: malformed input of any kind (sizes that are not safe integers, index ≥ size, hashes that
 * are not 32-byte Uint8Arrays, a proof that is not an array) yields false.
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (!isHash(leaf) || !isHash(root) || !Array.isArray(proof)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (!isHash(p) || sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // Skip the levels where this node has no right sibling (the right edge of an unbalanced tree).
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(r, root);
}
