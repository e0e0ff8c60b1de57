/**
 * Consistency proofs between two tree heads: RFC 9162 §2.1.4.1 (generation) and §2.1.4.2
 * (verification). A valid proof shows that the tree of oldSize leaves is a prefix of the tree of newSize
 * leaves, i.e. that the log only appended since the older head.
 */
import { EMPTY_TREE_ROOT, nodeHash } from '../hash.js';
import {
  half,
  isHash,
  isOdd,
  isPowerOfTwo,
  isSize,
  type NodeId,
  rangeNodes,
  requireSize,
  sameHash,
  splitPoint,
} from './bits.js';
import { fetchFolded, type SubtreeSource } from './source.js';

/**
 * PROOF(m, D[n]) of RFC 9162 §2.1.4.1 for 0 < oldSize ≤ newSize (empty when the sizes are equal),
 * deepest node first. oldSize 0 is a RangeError: every tree extends the empty tree and the proof would
 * be empty, but asking for it is almost certainly a bug in the caller.
 */
export async function consistencyProof(
  source: SubtreeSource,
  oldSize: number,
  newSize: number,
): Promise<Buffer[]> {
  requireSize(oldSize, 'oldSize');
  requireSize(newSize, 'newSize');
  if (oldSize === 0 || oldSize > newSize) {
    throw new RangeError(`A consistency proof needs 0 < oldSize ≤ newSize, got ${oldSize} and ${newSize}`);
  }
  return fetchFolded(source, consistencyPlan(oldSize, newSize));
}

/** SUBPROOF(m, D[n], b) unrolled: walk down from the root of the new tree towards the old tree's edge. */
function consistencyPlan(oldSize: number, newSize: number): NodeId[][] {
  const topDown: NodeId[][] = [];
  let offset = 0;
  let m = oldSize;
  let n = newSize;
  // b of the RFC: still true while the old tree is a whole left subtree of what we look at, in which
  // case the verifier already knows its hash (the old root) and it is left out of the proof.
  let oldTreeIsWholeSubtree = true;
  while (m < n) {
    const k = splitPoint(n);
    if (m <= k) {
      // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      topDown.push(rangeNodes(offset + k, offset + n));
      n = k;
    } else {
      // SUBPROOF(m − k, D[k:n], false) : MTH(D[0:k])
      topDown.push(rangeNodes(offset, offset + k));
      offset += k;
      m -= k;
      n -= k;
      oldTreeIsWholeSubtree = false;
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}; with b = true it is empty.
  if (!oldTreeIsWholeSubtree) topDown.push(rangeNodes(offset, offset + m));
  return topDown.reverse();
}

/**
 * RFC 9162 §2.1.4.2, step by step, plus the cases the RFC leaves to the caller: equal sizes need an empty
 * proof and equal roots; oldSize 0 needs an empty proof and oldRoot = EMPTY_TREE_ROOT (stricter than
 * some implementations, which accept any old root for an empty tree). Never throws: malformed input of
 * any kind (non-safe-integer sizes, oldSize > newSize, hashes that are not 32 bytes) yields false.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (oldSize === 0) {
    return (
      proof.length === 0 && sameHash(oldRoot, EMPTY_TREE_ROOT) && (newSize > 0 || sameHash(newRoot, oldRoot))
    );
  }
  if (oldSize === newSize) return proof.length === 0 && sameHash(oldRoot, newRoot);
  // 1. An empty path proves nothing.
  if (proof.length === 0) return false;
  // 2. If the old tree is a perfect subtree of the new one, its root is the path's starting point.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  // 3–4. Node numbers of the old tree's last leaf and the new tree's last leaf, moved up past the levels
  // where the old tree's last node is a right child (its left sibling is inside the old tree's hash).
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5. fr rebuilds the old root, sr the new one.
  let fr = path[0] as Uint8Array;
  let sr = fr;
  // 6. Combine with each further node, on the left or the right as the node numbers say.
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 7.
  return sn === 0 && sameHash(fr, oldRoot) && sameHash(sr, newRoot);
}
