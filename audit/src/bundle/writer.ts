/**
 * Writes an audit bundle (format in format.ts and docs/audit-bundle.md) as a stream of a canonical ustar
 * archive (ustar.ts) whose chunk files are gzip members, in constant memory whatever the number of
 * events: rows are consumed one at a time and only the current chunk's files are buffered (a tar header
 * needs the member's size before its data, and a compressed member's size is known only once it is
 * compressed). The writer re-checks what it is given (leaf hashes, seq order, the chain, the range root)
 * so that a backend bug yields an error here instead of a bundle that an auditor's verifier rejects.
 */

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { canonicalBytes } from '../canonical.js';
import type { AuditEntry } from '../catalog.js';
import { HASH_BYTES, leafHash, ZERO_HASH_HEX } from '../hash.js';
import type { PublicKeyRecord } from '../keys.js';
import { type RangeProof, RangeVerifier } from '../merkle.js';
import type { SignedTreeHead, WitnessCosignature } from '../tree-head.js';
import { CSV_HEADER, csvRow, payloadText } from './csv.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_README,
  bundlePaths,
  type ChunkSummary,
  chunkPaths,
  DEFAULT_CHUNK_EVENTS,
  DEFAULT_CHUNK_OMITTED,
  type FileRecord,
  MAX_CHUNK_EVENTS,
  type Manifest,
  rangeProofToFile,
} from './format.js';
import { ArchiveOutput, ByteBuilder } from './writer-output.js';

const gzip = promisify(gzipCallback);

export interface BundleRow {
  seq: number;
  leafHash: Buffer;
  /** Canonical JSON of an exported entry (exactly its leaf data); absent for a leaf that is not exported. */
  entry?: string;
}

export interface BundleInput {
  exportId: string;
  createdAt: string;
  filter: Record<string, unknown>;
  period: { from: string | null; to: string | null };
  treeHead: SignedTreeHead;
  cosignatures: WitnessCosignature[];
  logKeys: PublicKeyRecord[];
  witnessKeys: PublicKeyRecord[];
  /** The batch inclusion proof of [range.begin, range.end); null when nothing is exported. */
  range: RangeProof | null;
  /** Exactly every seq of [range.begin, range.end), ascending. */
  rows: AsyncIterable<BundleRow>;
  previous?: { treeHead: SignedTreeHead; consistency: Buffer[] };
  signManifest(bytes: Buffer): { keyId: string; signature: string };
}

export interface WriteBundleOptions {
  /** Close a chunk at this many exported events (default 10,000). */
  chunkEvents?: number;
  /** Close a chunk at this many omitted leaves (default 100,000). */
  chunkOmitted?: number;
  /** gzip level of the chunk files, 0-9; 1 by default: the writer must keep up with ≥ 50,000 events/s on one core. */
  gzipLevel?: number;
}

/** The bundle as a byte stream (an uncompressed tar archive); an inconsistent input destroys it with an Error. */
export function writeBundle(input: BundleInput, options: WriteBundleOptions = {}): Readable {
  const output = new ArchiveOutput();
  new BundleWriter(input, options, output).write().then(
    () => output.end(),
    (error: unknown) => output.fail(error),
  );
  return output.stream;
}

function fail(message: string): never {
  throw new Error(`Cannot write the audit bundle: ${message}`);
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

interface OpenChunk {
  windowStart: number;
  events: number;
  omitted: number;
  jsonl: ByteBuilder;
  csv: ByteBuilder;
  omittedLines: ByteBuilder;
}

class BundleWriter {
  private readonly files: FileRecord[] = [];
  private readonly chunks: ChunkSummary[] = [];
  private readonly chunkEvents: number;
  private readonly chunkOmitted: number;
  private readonly gzipLevel: number;
  private events = 0;
  private omitted = 0;
  private firstSeq: number | null = null;
  private lastSeq: number | null = null;
  private readonly builders = {
    jsonl: new ByteBuilder(),
    csv: new ByteBuilder(),
    omitted: new ByteBuilder(),
  };

  constructor(
    private readonly input: BundleInput,
    options: WriteBundleOptions,
    private readonly output: ArchiveOutput,
  ) {
    this.chunkEvents = options.chunkEvents ?? DEFAULT_CHUNK_EVENTS;
    this.chunkOmitted = options.chunkOmitted ?? DEFAULT_CHUNK_OMITTED;
    this.gzipLevel = options.gzipLevel ?? 1;
    if (!(this.chunkEvents >= 1 && this.chunkEvents <= MAX_CHUNK_EVENTS && this.chunkOmitted >= 1)) {
      fail(`chunk limits must be at least 1 (and at most ${MAX_CHUNK_EVENTS} events)`);
    }
    if (!(Number.isInteger(this.gzipLevel) && this.gzipLevel >= 0 && this.gzipLevel <= 9)) {
      fail(`gzipLevel must be an integer from 0 to 9, not ${this.gzipLevel}`);
    }
    if (Number.isNaN(new Date(input.createdAt).getTime())) {
      fail(`createdAt is not a date: ${input.createdAt}`);
    }
  }

  async write(): Promise<void> {
    try {
      await this.writeFiles();
    } catch (error) {
      // Rows not read yet (a reader gone before the events) are closed too, releasing what they hold.
      await this.input.rows[Symbol.asyncIterator]().return?.();
      throw error;
    }
  }

  private async writeFiles(): Promise<void> {
    const { input } = this;
    await this.add(bundlePaths.readme, Buffer.from(BUNDLE_README, 'utf8'));
    await this.add(bundlePaths.logKeys, json(input.logKeys));
    await this.add(bundlePaths.witnessKeys, json(input.witnessKeys));
    await this.add(
      bundlePaths.treeHead,
      json({ treeHead: input.treeHead, cosignatures: input.cosignatures }),
    );
    if (input.previous) {
      const { treeHead, consistency } = input.previous;
      await this.add(bundlePaths.previousTreeHead, json(treeHead));
      const proof = consistency.map((h) => h.toString('hex'));
      await this.add(
        bundlePaths.consistency,
        json({ oldSize: treeHead.treeSize, newSize: input.treeHead.treeSize, proof }),
      );
    }
    if (input.range) {
      this.checkRange(input.range);
      // Before the events: a streaming verifier needs the left frontier before the first leaf.
      await this.add(bundlePaths.range, json(rangeProofToFile(input.range)));
      await this.writeRows(input.range);
    } else {
      for await (const row of input.rows) fail(`rows were given (seq ${row.seq}) but range is null`);
    }
    await this.writeManifest();
  }

  private checkRange(range: RangeProof): void {
    const { treeSize } = this.input.treeHead;
    if (range.treeSize !== treeSize) fail(`range.treeSize ${range.treeSize} != tree head size ${treeSize}`);
    if (!(range.begin < range.end && range.end <= treeSize)) {
      fail(`range [${range.begin}, ${range.end}) is empty or outside the tree of size ${treeSize}`);
    }
  }

  private async writeRows(range: RangeProof): Promise<void> {
    const verifier = new RangeVerifier(range);
    let expected = range.begin;
    let previousHex = range.begin === 0 ? ZERO_HASH_HEX : null;
    let chunk = this.openChunk(range.begin);
    for await (const row of this.input.rows) {
      if (expected === range.end) fail(`a row beyond the range end ${range.end}: seq ${row.seq}`);
      if (row.seq !== expected) fail(`expected the row of seq ${expected}, got seq ${row.seq}`);
      if (row.leafHash.length !== HASH_BYTES) {
        fail(`the leaf hash of seq ${row.seq} is not ${HASH_BYTES} bytes`);
      }
      // Closed only when the next row arrives, so that the last chunk is never empty.
      if (chunk.events >= this.chunkEvents || chunk.omitted >= this.chunkOmitted) {
        await this.closeChunk(chunk, row.seq);
        chunk = this.openChunk(row.seq);
      }
      const hex = row.leafHash.toString('hex');
      if (row.entry === undefined) {
        chunk.omittedLines.append(`${row.seq} ${hex}\n`);
        chunk.omitted++;
      } else {
        this.addEvent(chunk, row as Required<BundleRow>, hex, previousHex);
      }
      verifier.push(row.leafHash);
      previousHex = hex;
      expected++;
    }
    if (expected !== range.end) fail(`the rows ended at seq ${expected}, before the range end ${range.end}`);
    await this.closeChunk(chunk, expected);
    const root = verifier.finish().toString('hex');
    if (root !== this.input.treeHead.rootHash) {
      fail(`the rows and range proof give root ${root}, not the tree head's ${this.input.treeHead.rootHash}`);
    }
  }

  private addEvent(
    chunk: OpenChunk,
    row: Required<BundleRow>,
    hex: string,
    previousHex: string | null,
  ): void {
    if (!leafHash(row.entry).equals(row.leafHash)) {
      fail(`the entry of seq ${row.seq} does not hash to its leaf hash`);
    }
    let entry: AuditEntry;
    try {
      entry = JSON.parse(row.entry) as AuditEntry;
    } catch {
      fail(`the entry of seq ${row.seq} is not JSON`);
    }
    if (entry.seq !== row.seq) fail(`the entry of row seq ${row.seq} says seq ${entry.seq}`);
    if (previousHex !== null && entry.prevHash !== previousHex) {
      fail(`the prevHash of seq ${row.seq} is not the leaf hash of seq ${row.seq - 1}`);
    }
    chunk.jsonl.append(row.entry);
    chunk.jsonl.append('\n');
    chunk.csv.append(csvRow(entry, hex, payloadText(row.entry) ?? undefined));
    chunk.events++;
    this.events++;
    this.firstSeq ??= row.seq;
    this.lastSeq = row.seq;
  }

  /** Opens a chunk in the reused builders: the previous chunk's files are written by now. */
  private openChunk(windowStart: number): OpenChunk {
    const { jsonl, csv, omitted: omittedLines } = this.builders;
    for (const builder of [jsonl, csv, omittedLines]) builder.reset();
    csv.append(CSV_HEADER);
    return { windowStart, events: 0, omitted: 0, jsonl, csv, omittedLines };
  }

  private async closeChunk(chunk: OpenChunk, windowEnd: number): Promise<void> {
    const index = this.chunks.length + 1;
    const names = chunkPaths(index);
    this.chunks.push({
      index,
      windowStart: chunk.windowStart,
      windowEnd,
      events: chunk.events,
      omitted: chunk.omitted,
    });
    this.omitted += chunk.omitted;
    const files = [chunk.jsonl, chunk.csv, chunk.omittedLines];
    // Compressed side by side on libuv's thread pool, written in the order of the format.
    const compressed = files.map((file) => gzip(file.bytes(), { level: this.gzipLevel }));
    for (const pending of compressed) pending.catch(() => {}); // awaited below, unless the reader went away
    await this.add(names.jsonl, await (compressed[0] as Promise<Buffer>));
    await this.add(names.csv, await (compressed[1] as Promise<Buffer>));
    await this.add(names.omitted, await (compressed[2] as Promise<Buffer>));
  }

  private async writeManifest(): Promise<void> {
    const { input } = this;
    const manifest: Manifest = {
      format: BUNDLE_FORMAT,
      exportId: input.exportId,
      createdAt: input.createdAt,
      filter: input.filter,
      period: input.period,
      counts: { events: this.events, omitted: this.omitted, chunks: this.chunks.length },
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
      treeSize: input.treeHead.treeSize,
      chunks: this.chunks,
      files: this.files,
    };
    const bytes = canonicalBytes(manifest);
    const signature = input.signManifest(bytes);
    await this.add(bundlePaths.manifest, bytes);
    await this.add(
      bundlePaths.manifestSig,
      canonicalBytes({ keyId: signature.keyId, signature: signature.signature }),
    );
  }

  /** Appends one file as stored; resolves once the reader has room again. */
  private add(path: string, data: Buffer): Promise<void> {
    if (path !== bundlePaths.manifest && path !== bundlePaths.manifestSig) {
      this.files.push({ path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    }
    return this.output.member(path, data);
  }
}
