/**
 * Checks of signed tree heads and consistency proofs, shared by the bundle verifier and the stand-alone
 * `custos-audit-verify consistency` command: given two tree heads an auditor received at different
 * times, prove that the log between them was only appended to (RFC 9162 §2.1.4), never rewritten.
 */

import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { fromHex } from '../hash.js';
import { type PublicKeyRecord, publicKeyFromRecord } from '../keys.js';
import { verifyConsistency } from '../merkle.js';
import { type SignedTreeHead, signedTreeHeadSchema, verifyTreeHead } from '../tree-head.js';
import { type ConsistencyFile, consistencyFileSchema, keyListSchema } from './format.js';
import { BundleError } from './reader.js';

/** First zod issue as `path: message`, for reasons a person reads. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/** Parses `value` with `schema` or throws a BundleError about `file`. */
export function parseAs<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  let parsed: z.ZodSafeParseResult<T>;
  try {
    parsed = schema.safeParse(value);
  } catch (error) {
    // A refinement that throws (new Date('2026-02-30T…').toISOString() does) is still a malformed file.
    throw new BundleError(`${file} does not have the expected form (${(error as Error).message})`, file);
  }
  if (!parsed.success) {
    throw new BundleError(`${file} does not have the expected form (${describeIssue(parsed.error)})`, file);
  }
  return parsed.data;
}

/** Ed25519 public keys by key id, each checked against its id. */
export class KeyRing {
  private constructor(private readonly keys: Map<string, { record: PublicKeyRecord; key: KeyObject }>) {}

  /** Throws a BundleError naming `source` if a record is malformed or its keyId is not its key's. */
  static load(records: unknown, source: string): KeyRing {
    const list = parseAs(keyListSchema, records, source);
    const keys = new Map<string, { record: PublicKeyRecord; key: KeyObject }>();
    list.forEach((record, i) => {
      try {
        keys.set(record.keyId, { record, key: publicKeyFromRecord(record) });
      } catch (error) {
        throw new BundleError(`${source}: key ${i + 1} is not valid (${(error as Error).message})`, source);
      }
    });
    return new KeyRing(keys);
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  get size(): number {
    return this.keys.size;
  }

  key(keyId: string): KeyObject | undefined {
    return this.keys.get(keyId)?.key;
  }

  /** True if this ring holds the very same key under the same id (not merely the id). */
  holds(other: KeyRing, keyId: string): boolean {
    const mine = this.keys.get(keyId)?.record.publicKey;
    return mine !== undefined && mine === other.keys.get(keyId)?.record.publicKey;
  }
}

/**
 * Checks a tree head's signature with a log key from `keys`; with `trusted`, the key must also be one
 * of the trusted keys. Throws a BundleError about `file`.
 */
export function checkTreeHead(
  head: SignedTreeHead,
  keys: KeyRing,
  trusted: KeyRing | undefined,
  file: string,
): void {
  const key = keys.key(head.keyId);
  if (!key) {
    throw new BundleError(`${file} is signed by key ${head.keyId}, which is not one of the log keys`, file);
  }
  if (trusted && !trusted.holds(keys, head.keyId)) {
    throw new BundleError(
      `${file} is signed by log key ${head.keyId}, which is not among the trusted log keys`,
      file,
    );
  }
  if (!verifyTreeHead(head, key)) {
    throw new BundleError(
      `${file}: the tree head signature is not valid (tree head altered or wrong key)`,
      file,
    );
  }
}

/** Checks that `proof` shows the tree of `previous` is a prefix of the tree of `current`. */
export function checkConsistency(
  previous: SignedTreeHead,
  current: SignedTreeHead,
  proof: ConsistencyFile,
  file: string,
): void {
  if (proof.oldSize !== previous.treeSize || proof.newSize !== current.treeSize) {
    throw new BundleError(
      `${file} is for sizes ${proof.oldSize} → ${proof.newSize}, but the tree heads have sizes ${previous.treeSize} → ${current.treeSize}`,
      file,
    );
  }
  if (previous.treeSize > current.treeSize) {
    throw new BundleError(
      `the log shrank: the earlier tree head has ${previous.treeSize} leaves, the later ${current.treeSize}`,
      file,
    );
  }
  const hashes = proof.proof.map((hex) => fromHex(hex));
  if (
    !verifyConsistency(
      previous.treeSize,
      current.treeSize,
      fromHex(previous.rootHash),
      fromHex(current.rootHash),
      hashes,
    )
  ) {
    throw new BundleError(
      `${file}: the consistency proof fails: the log of size ${previous.treeSize} is not a prefix of the log of size ${current.treeSize} (history rewritten, or proof altered)`,
      file,
    );
  }
}

export interface ConsistencyVerdict {
  ok: boolean;
  reason?: string;
  file?: string;
  oldSize?: number;
  newSize?: number;
  logKeyIds: string[];
  checks: string[];
  warnings: string[];
}

/** A tree head as given to the command: a SignedTreeHead, or a bundle's tree-head.json ({ treeHead, … }). */
const headInput = z.union([
  signedTreeHeadSchema,
  z.object({ treeHead: signedTreeHeadSchema }).transform((f) => f.treeHead),
]);

/**
 * `custos-audit-verify consistency`: both heads signed by one of `keys` (which the auditor trusts), and
 * the proof shows the older log is a prefix of the newer one. Never throws for bad input.
 */
export function verifyConsistencyFiles(
  oldHead: unknown,
  newHead: unknown,
  proof: unknown,
  keys: unknown,
): ConsistencyVerdict {
  const verdict: ConsistencyVerdict = { ok: false, logKeyIds: [], checks: [], warnings: [] };
  try {
    const ring = KeyRing.load(keys, 'the keys file');
    const older = parseAs(headInput, oldHead, 'the old tree head');
    const newer = parseAs(headInput, newHead, 'the new tree head');
    const consistency = parseAs(consistencyFileSchema, proof, 'the proof');
    verdict.oldSize = older.treeSize;
    verdict.newSize = newer.treeSize;
    checkTreeHead(older, ring, undefined, 'the old tree head');
    verdict.checks.push(
      `old tree head (size ${older.treeSize}, ${older.timestamp}) signed by log key ${older.keyId}`,
    );
    checkTreeHead(newer, ring, undefined, 'the new tree head');
    verdict.checks.push(
      `new tree head (size ${newer.treeSize}, ${newer.timestamp}) signed by log key ${newer.keyId}`,
    );
    verdict.logKeyIds = [...new Set([older.keyId, newer.keyId])];
    if (older.timestamp > newer.timestamp) {
      verdict.warnings.push('the old tree head is dated after the new one');
    }
    checkConsistency(older, newer, consistency, 'the proof');
    verdict.checks.push(
      `consistency proof: the log of size ${older.treeSize} is a prefix of the log of size ${newer.treeSize}`,
    );
    verdict.ok = true;
  } catch (error) {
    verdict.reason =
      error instanceof BundleError ? error.message : `unexpected error: ${(error as Error).message}`;
    if (error instanceof BundleError && error.file) verdict.file = error.file;
  }
  return verdict;
}
