/**
 * Verification of one chunk of a bundle: its JSONL events, its CSV view and its omitted leaves. Only the
 * chunk's own event hashes are kept, so memory is bounded by the chunk size whatever the bundle size.
 * The chunk's leaves (events and omitted hashes merged by seq) go into the range verifier in seq order,
 * and the hash chain (prevHash) is checked wherever the previous leaf is in the bundle.
 */

import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical.js';
import { type AuditEntry, auditEntrySchema } from '../catalog.js';
import { leafHash, ZERO_HASH_HEX } from '../hash.js';
import type { RangeVerifier } from '../merkle.js';
import { CSV_HEADER, csvRow, payloadText } from './csv.js';
import { type ChunkSummary, chunkPaths, MAX_CHUNK_EVENTS } from './format.js';
import { type ArchiveFile, BundleError, LineSplitter } from './reader.js';
import { describeIssue } from './verify-consistency.js';

/** Longest JSONL line accepted: far above any real entry, low enough to bound memory. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const OMITTED_LINE = /^(0|[1-9][0-9]{0,15}) ([0-9a-f]{64})$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Where the chunk sits in the range, and what the previous chunk left behind. */
export interface ChunkStart {
  index: number;
  windowStart: number;
  rangeEnd: number;
  /** Leaf hash of seq windowStart − 1 when that leaf is in the bundle (null at the start of the range). */
  previousLeaf: Buffer | null;
}

export class ChunkCheck {
  readonly paths: ReturnType<typeof chunkPaths>;
  private readonly seqs: number[] = [];
  private readonly leaves: Buffer[] = [];
  private readonly prevHashes: string[] = [];
  private readonly csvRows: { seq: number; length: number; digest: Buffer }[] = [];
  /** A CSV mismatch waits until the JSONL and omitted leaves are checked: they are the record, the CSV a view. */
  private csvFailure: BundleError | null = null;
  private previousLeaf: Buffer | null;
  private next: number;
  private omitted = 0;

  constructor(
    private readonly start: ChunkStart,
    private readonly range: RangeVerifier,
  ) {
    this.paths = chunkPaths(start.index);
    this.previousLeaf = start.previousLeaf;
    this.next = start.windowStart;
  }

  get events(): number {
    return this.seqs.length;
  }

  get firstSeq(): number | null {
    return this.seqs[0] ?? null;
  }

  get lastSeq(): number | null {
    return this.seqs[this.seqs.length - 1] ?? null;
  }

  /** Leaf hash of the chunk's last leaf, for the next chunk's chain check. */
  get lastLeaf(): Buffer | null {
    return this.previousLeaf;
  }

  async readEvents(file: ArchiveFile): Promise<void> {
    const splitter = new LineSplitter(MAX_LINE_BYTES);
    let lineNo = 0;
    try {
      for await (const chunk of file.chunks())
        for (const line of splitter.push(chunk)) this.event(line, ++lineNo);
    } catch (error) {
      if (error instanceof RangeError) this.fail(`${file.path} line ${lineNo + 1}: ${error.message}`);
      throw error;
    }
    if (splitter.end() !== null) this.fail(`${file.path} does not end with a newline (truncated?)`);
  }

  private event(line: Buffer, lineNo: number): void {
    const at = `${this.paths.jsonl} line ${lineNo}`;
    let text: string;
    let value: unknown;
    try {
      text = utf8.decode(line);
      value = JSON.parse(text);
    } catch (error) {
      this.fail(`${at} is not valid UTF-8 JSON (${(error as Error).message})`);
    }
    const seq = (value as { seq?: unknown } | null)?.seq;
    const seqHint = typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined;
    const where = seqHint === undefined ? at : `${at} (seq ${seqHint})`;
    let canonical: string | null = null;
    try {
      canonical = canonicalJson(value);
    } catch {}
    if (canonical !== text) {
      this.fail(`${where} is not in RFC 8785 canonical form, so it is not the sealed leaf data`, seqHint);
    }
    const parsed = auditEntrySchema.safeParse(value);
    if (!parsed.success) {
      this.fail(`${where} is not a valid catalog entry (${describeIssue(parsed.error)})`, seqHint);
    }
    const entry = parsed.data as AuditEntry;
    const previous = this.lastSeq ?? this.start.windowStart - 1;
    if (entry.seq <= previous) {
      const after =
        this.lastSeq === null ? `the chunk starts at seq ${this.start.windowStart}` : `after seq ${previous}`;
      this.fail(`${where} is out of order: ${after}; events must be in ascending seq order`, entry.seq);
    }
    if (entry.seq >= this.start.rangeEnd) {
      this.fail(
        `${where} lies beyond the range proof, which ends before seq ${this.start.rangeEnd}`,
        entry.seq,
      );
    }
    if (this.seqs.length >= MAX_CHUNK_EVENTS) {
      this.fail(`${this.paths.jsonl} holds more than ${MAX_CHUNK_EVENTS} events`);
    }
    const leaf = leafHash(line);
    this.seqs.push(entry.seq);
    this.leaves.push(leaf);
    this.prevHashes.push(entry.prevHash);
    // The line is canonical (checked above), so its payload substring is the payload's canonical JSON.
    const row = Buffer.from(csvRow(entry, leaf.toString('hex'), payloadText(text) ?? undefined), 'utf8');
    this.csvRows.push({ seq: entry.seq, length: row.length, digest: sha256(row) });
  }

  /** Compares the CSV with the rows derived from the JSONL, row by row, without buffering the file. */
  async readCsv(file: ArchiveFile): Promise<void> {
    const header = Buffer.from(CSV_HEADER, 'utf8');
    const expected = [{ seq: -1, length: header.length, digest: sha256(header) }, ...this.csvRows];
    let row = 0;
    let parts: Buffer[] = [];
    let have = 0;
    for await (let chunk of file.chunks()) {
      while (chunk.length > 0 && this.csvFailure === null) {
        const want = expected[row];
        if (want === undefined) {
          this.csvFailure = this.csvError(`${file.path} has more rows than ${this.paths.jsonl} has events`);
          break;
        }
        const take = chunk.subarray(0, want.length - have);
        parts.push(take);
        have += take.length;
        chunk = chunk.subarray(take.length);
        if (have === want.length) {
          const actual = Buffer.concat(parts);
          if (!sha256(actual).equals(want.digest)) this.csvFailure = this.csvMismatch(row, actual, want.seq);
          row++;
          parts = [];
          have = 0;
        }
      }
      // No need to inflate the rest: the reader still hashes the stored bytes for the manifest check.
      if (this.csvFailure !== null) break;
    }
    if (this.csvFailure === null && row < expected.length) {
      const missing = expected[row]?.seq ?? -1;
      this.csvFailure = this.csvError(
        missing < 0
          ? `${file.path} lacks its header row`
          : `${file.path} has no (complete) row for seq ${missing}`,
        missing < 0 ? undefined : missing,
      );
    }
  }

  private csvMismatch(row: number, actual: Buffer, seq: number): BundleError {
    if (seq < 0) return this.csvError(`${this.paths.csv}: the header row is not the one the format defines`);
    const shown = /^'?([0-9]+),/.exec(actual.toString('utf8'))?.[1];
    if (shown !== undefined && Number(shown) !== seq) {
      return this.csvError(
        `${this.paths.csv} row ${row} is for seq ${shown}, but ${this.paths.jsonl} has seq ${seq} there`,
        seq,
      );
    }
    return this.csvError(
      `${this.paths.csv}: the row of seq ${seq} does not match the event in ${this.paths.jsonl}`,
      seq,
    );
  }

  private csvError(message: string, seq?: number): BundleError {
    return new BundleError(message, this.paths.csv, seq);
  }

  /** Reads the omitted leaves, merges them with the events by seq into the range, and closes the chunk. */
  async readOmitted(file: ArchiveFile): Promise<ChunkSummary> {
    const splitter = new LineSplitter(1024);
    let lineNo = 0;
    let j = 0;
    try {
      for await (const chunk of file.chunks()) {
        for (const line of splitter.push(chunk)) {
          lineNo++;
          const match = OMITTED_LINE.exec(line.toString('latin1'));
          if (!match) {
            this.fail(`${file.path} line ${lineNo} is not "<seq> <leaf hash in hex>"`, undefined, file.path);
          }
          const seq = Number(match[1]);
          for (; j < this.seqs.length && (this.seqs[j] as number) < seq; j++) this.feedEvent(j);
          if (this.seqs[j] === seq) {
            this.fail(`seq ${seq} is both exported and listed in ${file.path}`, seq, file.path);
          }
          if (seq < this.next) {
            this.fail(`${file.path} line ${lineNo} (seq ${seq}) is out of order`, seq, file.path);
          }
          this.feed(seq, Buffer.from(match[2] as string, 'hex'), null);
        }
      }
    } catch (error) {
      if (error instanceof RangeError) {
        this.fail(`${file.path} line ${lineNo + 1}: ${error.message}`, undefined, file.path);
      }
      throw error;
    }
    if (splitter.end() !== null) {
      this.fail(`${file.path} does not end with a newline (truncated?)`, undefined, file.path);
    }
    for (; j < this.seqs.length; j++) this.feedEvent(j);
    if (this.next === this.start.windowStart) {
      this.fail(`chunk ${this.start.index} is empty`, undefined, file.path);
    }
    if (this.csvFailure) throw this.csvFailure;
    const { index, windowStart } = this.start;
    return { index, windowStart, windowEnd: this.next, events: this.seqs.length, omitted: this.omitted };
  }

  private feedEvent(j: number): void {
    this.feed(this.seqs[j] as number, this.leaves[j] as Buffer, this.prevHashes[j] as string);
  }

  /** Appends leaf `seq` to the range; `prevHash` is the entry's own field for an event, null if omitted. */
  private feed(seq: number, leaf: Buffer, prevHash: string | null): void {
    if (seq > this.next) {
      this.fail(
        `seq ${this.next} is missing: it is neither an event in ${this.paths.jsonl} nor listed in ${this.paths.omitted}`,
        this.next,
      );
    }
    if (seq >= this.start.rangeEnd) {
      this.fail(
        `seq ${seq} lies beyond the range proof, which ends before seq ${this.start.rangeEnd}`,
        seq,
        this.paths.omitted,
      );
    }
    if (prevHash !== null) {
      const expected = seq === 0 ? ZERO_HASH_HEX : this.previousLeaf?.toString('hex');
      if (expected !== undefined && prevHash !== expected) {
        this.fail(
          `${this.paths.jsonl} seq ${seq}: its prevHash is not the leaf hash of seq ${seq - 1}, so the hash chain is broken (seq ${seq - 1} or seq ${seq} was altered)`,
          seq,
        );
      }
    }
    this.range.push(leaf);
    this.previousLeaf = leaf;
    if (prevHash === null) this.omitted++;
    this.next++;
  }

  private fail(message: string, seq?: number, file: string = this.paths.jsonl): never {
    throw new BundleError(message, file, seq);
  }
}
