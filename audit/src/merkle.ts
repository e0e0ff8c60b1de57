/**
 * RFC 6962 / RFC 9162 Merkle tree over leaf hashes: roots, inclusion, consistency and range proofs, and
 * the append-only frontier. The implementation lives in ./merkle/, one concern per file.
 */
export { consistencyProof, verifyConsistency } from './merkle/consistency.js';
export { Frontier } from './merkle/frontier.js';
export { inclusionProof, verifyInclusion } from './merkle/inclusion.js';
export {
  type RangeProof,
  type RangeProofInput,
  RangeVerifier,
  rangeProof,
  rootFromRange,
} from './merkle/range.js';
export { MemoryTree, rangeHash, rootHash, type SubtreeSource } from './merkle/source.js';
