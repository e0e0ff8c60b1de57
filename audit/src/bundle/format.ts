/**
 * The audit bundle format, version 2: the file names inside the archive (a canonical ustar, ustar.ts),
 * their order, and the schemas of the JSON files. The writer and the verifier both take their names and schemas from here so that they
 * cannot drift apart; docs/audit-bundle.md describes the same format for people who write their own
 * verifier.
 */

import { z } from 'zod';
import type { RangeProof } from '../merkle.js';
import { publicKeyRecordSchema, signedTreeHeadSchema, witnessCosignatureSchema } from '../tree-head.js';

export const BUNDLE_FORMAT = 'custos-audit-bundle/2';
/** Every path in the archive starts with this folder, so unpacking never spills files around. */
export const BUNDLE_ROOT = 'custos-audit-bundle';
/** Domain separation for the manifest signature: a signature made for a tree head can never pass as one. */
export const MANIFEST_DOMAIN = 'custos-bundle-manifest-v1';

/** A chunk closes at this many exported events or omitted leaves, whichever comes first (bounded memory). */
export const DEFAULT_CHUNK_EVENTS = 10_000;
export const DEFAULT_CHUNK_OMITTED = 100_000;
/** Most events a chunk may hold: a verifier keeps one chunk's event hashes in memory and refuses more. */
export const MAX_CHUNK_EVENTS = 1_000_000;

export const bundlePaths = {
  readme: 'README.txt',
  logKeys: 'keys/log-keys.json',
  witnessKeys: 'keys/witness-keys.json',
  treeHead: 'tree-head.json',
  previousTreeHead: 'previous/tree-head.json',
  consistency: 'proof/consistency.json',
  range: 'proof/range.json',
  manifest: 'manifest.json',
  manifestSig: 'manifest.sig',
} as const;

/**
 * The three files of chunk `index` (1-based), always written in this order. Each is stored
 * gzip-compressed (the `.gz` member is what the manifest hashes); every other file is stored plain.
 */
export function chunkPaths(index: number): { jsonl: string; csv: string; omitted: string } {
  const k = String(index).padStart(6, '0');
  return {
    jsonl: `events/events-${k}.jsonl.gz`,
    csv: `events/events-${k}.csv.gz`,
    omitted: `proof/omitted-${k}.txt.gz`,
  };
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a 64-character lower-case hex SHA-256');
const count = z.int().nonnegative();

export const treeHeadFileSchema = z
  .object({ treeHead: signedTreeHeadSchema, cosignatures: z.array(witnessCosignatureSchema) })
  .strict();

export const keyListSchema = z.array(publicKeyRecordSchema);

/** proof/range.json: the batch inclusion proof of the leaves [begin, end), hashes in hex. */
export const rangeProofFileSchema = z
  .object({
    begin: count,
    end: count,
    treeSize: count,
    left: z.array(hex64),
    right: z.array(z.object({ level: count, hash: hex64 }).strict()),
  })
  .strict()
  .refine((p) => p.begin < p.end && p.end <= p.treeSize, 'needs begin < end <= treeSize');
export type RangeProofFile = z.infer<typeof rangeProofFileSchema>;

/** proof/consistency.json: RFC 9162 consistency proof from the previous export's tree to this one. */
export const consistencyFileSchema = z
  .object({ oldSize: count, newSize: count, proof: z.array(hex64) })
  .strict();
export type ConsistencyFile = z.infer<typeof consistencyFileSchema>;

export const chunkSummarySchema = z
  .object({ index: count, windowStart: count, windowEnd: count, events: count, omitted: count })
  .strict();
export type ChunkSummary = z.infer<typeof chunkSummarySchema>;

export const fileRecordSchema = z.object({ path: z.string(), bytes: count, sha256: hex64 }).strict();
export type FileRecord = z.infer<typeof fileRecordSchema>;

export const manifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    exportId: z.string(),
    createdAt: z.string(),
    filter: z.record(z.string(), z.unknown()),
    period: z.object({ from: z.string().nullable(), to: z.string().nullable() }).strict(),
    counts: z.object({ events: count, omitted: count, chunks: count }).strict(),
    firstSeq: count.nullable(),
    lastSeq: count.nullable(),
    treeSize: count,
    chunks: z.array(chunkSummarySchema),
    files: z.array(fileRecordSchema),
  })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;

/**
 * manifest.sig. Its bytes are not covered by the manifest, so they are pinned otherwise: canonical JSON
 * and canonical base64 (padding bits zero), so that no byte of the file can change without failing.
 */
export const manifestSignatureSchema = z
  .object({
    keyId: z.string().regex(/^[0-9a-f]{16}$/, '16 lower-case hex characters'),
    signature: z
      .string()
      .refine(
        (text) =>
          Buffer.from(text, 'base64').length === 64 &&
          Buffer.from(text, 'base64').toString('base64') === text,
        'the canonical base64 of a 64-byte Ed25519 signature',
      ),
  })
  .strict();
export type ManifestSignature = z.infer<typeof manifestSignatureSchema>;

export function rangeProofToFile(proof: RangeProof): RangeProofFile {
  return {
    begin: proof.begin,
    end: proof.end,
    treeSize: proof.treeSize,
    left: proof.left.map((h) => h.toString('hex')),
    right: proof.right.map((r) => ({ level: r.level, hash: r.hash.toString('hex') })),
  };
}

export function rangeProofFromFile(file: RangeProofFile): RangeProof {
  return {
    begin: file.begin,
    end: file.end,
    treeSize: file.treeSize,
    left: file.left.map((h) => Buffer.from(h, 'hex')),
    right: file.right.map((r) => ({ level: r.level, hash: Buffer.from(r.hash, 'hex') })),
  };
}

/** README.txt: what an auditor reads first, before any tool. Plain text, no markup. */
export const BUNDLE_README = `Custos audit bundle (format ${BUNDLE_FORMAT})
==================================================

This file is an export of the Custos audit trail: the events selected by the
filter and period in manifest.json, with the cryptographic proofs needed to check
them without access to the Custos system.

Keep the bundle file exactly as you received it: it is a plain tar archive in
one canonical form, and the verifier checks every byte of that file. You may
extract it (tar xf) to read it, but an archive re-created from the extracted
files does not verify.

What is inside (under custos-audit-bundle/)
  manifest.json             what was exported (filter, period, counts) and the
                            SHA-256 of every other file as stored; manifest.sig
                            signs it
  tree-head.json            the signed tree head: size and root hash of the audit
                            log at export time, signed by the log key, plus any
                            witness cosignatures
  keys/                     the log's public keys and the witnesses' public keys
  events/*.jsonl.gz         the exported events, one per line, exactly as sealed
                            (gzip-compressed: gunzip to read them)
  events/*.csv.gz           the same events as a table for spreadsheets
                            (a convenience view; the .jsonl files are the record)
  proof/omitted-*.txt.gz    the hashes (only) of the other log entries between
                            the first and the last exported event, which the
                            filter did not select
  proof/range.json          proof that the exported events and those hashes are
                            exactly positions begin..end-1 of the signed log
  previous/, proof/consistency.json (optional)
                            proof that the log only grew since the previous export

How to verify
  npm install custos-audit-0.1.0.tgz    (the verifier package; once installed,
                                         it needs no network and no database)
  npx custos-audit-verify bundle <this-file.tar> --trusted-keys <keys.json>

  <keys.json> holds the log public keys as published by the organisation through
  a channel you trust. Without --trusted-keys the tool still checks everything
  but warns that it used the keys shipped inside the bundle.

What a pass means
  - the exported events are exactly the events recorded in the signed log at
    those positions, unaltered, none added, none removed, none reordered;
  - every byte of the bundle file is as exported: each file is the one the log
    key signed in manifest.sig, and the archive around them is in its one
    canonical form;
  - with a previous tree head: the log was only appended to in between.

What a pass does not mean
  - it does not tell you whom to trust: compare the key ids printed by the tool
    with those the organisation publishes (out of band);
  - it does not prove the filter selected every matching event: omitted events
    are shown only as hashes;
  - personal data in the "sealed" field stays encrypted; once a data subject is
    erased, their key is destroyed and that data can never be read again, yet
    the trail still verifies.

The full format is described in docs/audit-bundle.md of the Custos repository.
`;
