/**
 * Range proofs: inclusion of a contiguous run of leaves [begin, end) at once. The proof is the compact
 * range left of the run (the frontier of [0, begin)) and the greedy aligned split of [end, size); the
 * verifier rebuilds the root by appending the run's leaves to the left frontier and then the right
 * subtrees. Verifying a whole export this way costs one hash per leaf and O(log n) memory, instead of an
 * audit path per leaf.
 */
import { alignedNodes, isHash, type NodeId, rangeNodes, requireSize } from './bits.js';
import { Frontier } from './frontier.js';
import { fetchNodes, type SubtreeSource } from './source.js';

/** Batch inclusion for the contiguous leaf range [begin, end) in a tree of `treeSize` leaves. */
export interface RangeProof {
  begin: number;
  end: number;
  treeSize: number;
  /** Frontier of [0, begin): perfect subtrees for the set bits of begin, largest first. */
  left: Buffer[];
  /** [end, treeSize) split greedily, left to right, into the largest aligned perfect subtrees. */
  right: { level: number; hash: Buffer }[];
}

/** What the verifier reads from a range proof; plain Uint8Arrays are enough (e.g. decoded from JSON). */
export interface RangeProofInput {
  begin: number;
  end: number;
  treeSize: number;
  left: readonly Uint8Array[];
  right: readonly { level: number; hash: Uint8Array }[];
}

export async function rangeProof(
  source: SubtreeSource,
  begin: number,
  end: number,
  size: number,
): Promise<RangeProof> {
  checkBounds(begin, end, size);
  const left = rangeNodes(0, begin);
  const right = alignedNodes(end, size);
  const hashes = await fetchNodes(source, [...left, ...right]);
  return {
    begin,
    end,
    treeSize: size,
    left: hashes.slice(0, left.length),
    right: right.map((node, i) => ({ level: node.level, hash: hashes[left.length + i] as Buffer })),
  };
}

/** The root implied by a range proof and the run's leaf hashes; compare it with the signed root. Throws
 * a RangeError if the proof is malformed or the number of leaves is not exactly end − begin. */
export function rootFromRange(proof: RangeProofInput, leaves: Iterable<Uint8Array>): Buffer {
  const verifier = new RangeVerifier(proof);
  for (const leaf of leaves) verifier.push(leaf);
  return verifier.finish();
}

/**
 * rootFromRange for streams: push the run's leaf hashes one by one (constant memory), then finish() for
 * the root. The proof's shape is checked up front: the left hashes must match the set bits of begin and
 * the right subtrees must be exactly the greedy split of [end, treeSize) (any other split would describe
 * the same tree, but one accepted encoding keeps proofs non-malleable).
 */
export class RangeVerifier {
  private readonly frontier: Frontier;
  private readonly right: { level: number; hash: Buffer }[];
  private readonly expected: number;
  private received = 0;
  private done = false;

  constructor(proof: RangeProofInput) {
    checkBounds(proof.begin, proof.end, proof.treeSize);
    this.frontier = Frontier.fromHashes(proof.begin, proof.left);
    this.right = checkRight(proof.right, alignedNodes(proof.end, proof.treeSize));
    this.expected = proof.end - proof.begin;
  }

  push(leaf: Uint8Array): void {
    if (this.done) throw new Error('RangeVerifier.push after finish()');
    if (this.received === this.expected) {
      throw new RangeError(`Too many leaves: the range proof covers exactly ${this.expected}`);
    }
    if (!isHash(leaf)) throw new RangeError(`Leaf ${this.received} of the range is not a 32-byte hash`);
    this.frontier.append(leaf);
    this.received++;
  }

  finish(): Buffer {
    if (this.done) throw new Error('RangeVerifier.finish called twice');
    if (this.received !== this.expected) {
      throw new RangeError(`Too few leaves: got ${this.received}, the range proof covers ${this.expected}`);
    }
    this.done = true;
    for (const { level, hash } of this.right) this.frontier.appendSubtree(level, hash);
    return this.frontier.root();
  }
}

function checkBounds(begin: number, end: number, size: number): void {
  requireSize(begin, 'begin');
  requireSize(end, 'end');
  requireSize(size, 'treeSize');
  if (!(begin <= end && end <= size)) {
    throw new RangeError(`A range proof needs begin ≤ end ≤ treeSize, got ${begin}, ${end}, ${size}`);
  }
}

function checkRight(right: RangeProofInput['right'], expected: NodeId[]): { level: number; hash: Buffer }[] {
  if (!Array.isArray(right) || right.length !== expected.length) {
    throw new RangeError(`The right side of this range proof must have ${expected.length} subtrees`);
  }
  return expected.map((node, i) => {
    const given = right[i];
    if (given?.level !== node.level || !isHash(given.hash)) {
      throw new RangeError(`Right subtree ${i} must be a 32-byte hash at level ${node.level}`);
    }
    return { level: node.level, hash: Buffer.from(given.hash) };
  });
}
