/**
 * The offline verifier of audit bundles: streams the archive once, in constant memory, and says in plain
 * language whether every byte of the file is what the log signed: the reader (reader.ts, ustar.ts)
 * checks the container byte for byte, and each file as stored is held against the signed manifest.
 * Files are checked in archive order as they arrive; the signed manifest comes last, so the verdict is
 * decided at the end, by priority: damage to the container at once, then a bad manifest signature, then
 * any file that differs from the signed manifest (that is where the tampering is, refined by the first
 * inconsistency found inside it), then the first inconsistency in a bundle that is exactly as signed (an
 * exporter bug or a log that does not match its signed head).
 */

import type { Readable } from 'node:stream';
import type { PublicKeyRecord } from '../keys.js';
import { RangeVerifier } from '../merkle.js';
import {
  type SignedTreeHead,
  signedTreeHeadSchema,
  verifyCosignature,
  type WitnessCosignature,
} from '../tree-head.js';
import {
  bundlePaths,
  type ChunkSummary,
  chunkPaths,
  consistencyFileSchema,
  type FileRecord,
  type RangeProofFile,
  rangeProofFileSchema,
  rangeProofFromFile,
  treeHeadFileSchema,
} from './format.js';
import {
  ArchiveError,
  type ArchiveFile,
  BundleError,
  parseJsonFile,
  readArchive,
  readSmallFile,
} from './reader.js';
import { ChunkCheck } from './verify-chunk.js';
import { checkConsistency, checkTreeHead, KeyRing, parseAs } from './verify-consistency.js';
import { type ArchiveFindings, checkManifest } from './verify-manifest.js';

export { type ConsistencyVerdict, verifyConsistencyFiles } from './verify-consistency.js';

export interface BundleVerdict {
  ok: boolean;
  /** The first failure, in plain language. */
  reason?: string;
  /** The file the failure is about (path inside custos-audit-bundle/). */
  file?: string;
  /** The event the failure is about, when it is about one. */
  seq?: number;
  events: number;
  omitted: number;
  treeSize?: number;
  /** The log keys that signed this bundle's tree head(s) and manifest: compare them with the published ones. */
  logKeyIds: string[];
  /** What was checked and passed. */
  checks: string[];
  warnings: string[];
}

export interface VerifyBundleOptions {
  /** Log keys obtained out of band; without them the keys shipped in the bundle are used, with a warning. */
  trustedLogKeys?: PublicKeyRecord[];
  trustedWitnessKeys?: PublicKeyRecord[];
}

const MAX_JSON_BYTES = 16 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

/** Verifies a bundle archive. Never throws for a bad bundle: the verdict says ok:false and why. */
export async function verifyBundle(
  archive: Readable,
  options: VerifyBundleOptions = {},
): Promise<BundleVerdict> {
  const check = new BundleCheck();
  try {
    check.trust(options);
    for await (const file of readArchive(archive)) await check.file(file);
    check.canonicalArchive();
    check.conclude();
  } catch (error) {
    archive.destroy();
    return check.verdict(error);
  }
  return check.verdict(null);
}

class BundleCheck {
  private readonly checks: string[] = [];
  private readonly warnings: string[] = [];
  private readonly signers = new Set<string>();
  private readonly files: FileRecord[] = [];
  private readonly chunks: ChunkSummary[] = [];
  private trustedLog?: KeyRing;
  private trustedWitness?: KeyRing;
  /** The first inconsistency found while streaming; later files are then only hashed. */
  private failure?: BundleError;
  private next: string[] = [bundlePaths.readme];
  private canEnd = false;
  private logKeys?: KeyRing;
  private witnessKeys?: KeyRing;
  private head?: SignedTreeHead;
  private previous?: SignedTreeHead;
  private range?: { proof: RangeProofFile; verifier: RangeVerifier };
  private chunk?: ChunkCheck;
  private nextSeq = 0;
  private lastLeaf: Buffer | null = null;
  private events = 0;
  private omitted = 0;
  private firstSeq: number | null = null;
  private lastSeq: number | null = null;
  private manifestBytes?: Buffer;
  private signatureBytes?: Buffer;

  trust(options: VerifyBundleOptions): void {
    if (options.trustedLogKeys) {
      this.trustedLog = KeyRing.load(options.trustedLogKeys, 'the trusted log keys');
    }
    if (options.trustedWitnessKeys) {
      this.trustedWitness = KeyRing.load(options.trustedWitnessKeys, 'the trusted witness keys');
    }
  }

  async file(file: ArchiveFile): Promise<void> {
    try {
      await this.place(file);
    } catch (error) {
      if (!(error instanceof BundleError) || error instanceof ArchiveError) throw error;
      this.failure ??= error;
    }
    const record = await file.finish();
    if (file.path !== bundlePaths.manifest && file.path !== bundlePaths.manifestSig) this.files.push(record);
  }

  private async place(file: ArchiveFile): Promise<void> {
    const { path } = file;
    const problem = (message: string) => new BundleError(message, path);
    if (this.signatureBytes !== undefined) {
      throw problem(`${path} comes after manifest.sig, which must be the last file`);
    }
    if (path === bundlePaths.manifest) {
      if (this.manifestBytes !== undefined) throw problem('manifest.json appears twice');
      this.manifestBytes = await readSmallFile(file, MAX_MANIFEST_BYTES);
      if (!this.failure) this.endOfContent();
      return;
    }
    if (path === bundlePaths.manifestSig) {
      if (this.manifestBytes === undefined) throw problem('manifest.sig comes before manifest.json');
      this.signatureBytes = await readSmallFile(file, MAX_JSON_BYTES);
      return;
    }
    if (this.manifestBytes !== undefined) {
      throw problem(`${path} comes after manifest.json, which must be second to last`);
    }
    if (this.failure) return;
    if (!this.next.includes(path)) {
      const expected = [...this.next, ...(this.canEnd ? [bundlePaths.manifest] : [])].join(' or ');
      throw problem(`expected ${expected} at this point of the archive, found ${path}`);
    }
    await this.dispatch(file);
  }

  private expect(next: string[], canEnd = false): void {
    this.next = next;
    this.canEnd = canEnd;
  }

  private async json(file: ArchiveFile): Promise<unknown> {
    return parseJsonFile(await readSmallFile(file, MAX_JSON_BYTES), file.path);
  }

  private async dispatch(file: ArchiveFile): Promise<void> {
    switch (file.path) {
      case bundlePaths.readme:
        return this.expect([bundlePaths.logKeys]);
      case bundlePaths.logKeys:
        this.logKeys = KeyRing.load(await this.json(file), file.path);
        if (this.logKeys.size === 0) throw new BundleError(`${file.path} lists no key`, file.path);
        return this.expect([bundlePaths.witnessKeys]);
      case bundlePaths.witnessKeys:
        this.witnessKeys = KeyRing.load(await this.json(file), file.path);
        return this.expect([bundlePaths.treeHead]);
      case bundlePaths.treeHead:
        await this.treeHead(file);
        return this.expect([bundlePaths.previousTreeHead, bundlePaths.range], true);
      case bundlePaths.previousTreeHead:
        this.previous = parseAs(signedTreeHeadSchema, await this.json(file), file.path);
        checkTreeHead(this.previous, this.logKeys as KeyRing, this.trustedLog, file.path);
        this.signers.add(this.previous.keyId);
        return this.expect([bundlePaths.consistency]);
      case bundlePaths.consistency:
        await this.consistency(file);
        return this.expect([bundlePaths.range], true);
      case bundlePaths.range:
        await this.rangeProof(file);
        return this.expect([chunkPaths(1).jsonl]);
      default:
        return this.chunkFile(file);
    }
  }

  private async treeHead(file: ArchiveFile): Promise<void> {
    const { treeHead, cosignatures } = parseAs(treeHeadFileSchema, await this.json(file), file.path);
    checkTreeHead(treeHead, this.logKeys as KeyRing, this.trustedLog, file.path);
    this.head = treeHead;
    this.signers.add(treeHead.keyId);
    this.checks.push(
      `tree head signed by log key ${treeHead.keyId}: size ${treeHead.treeSize}, root ${treeHead.rootHash}, at ${treeHead.timestamp}`,
    );
    this.cosignatures(treeHead, cosignatures, file.path);
  }

  private cosignatures(head: SignedTreeHead, cosignatures: WitnessCosignature[], file: string): void {
    const ring = this.trustedWitness ?? (this.witnessKeys as KeyRing);
    let verified = 0;
    for (const cosig of cosignatures) {
      const key = ring.key(cosig.witnessKeyId);
      if (!key) {
        const where = this.trustedWitness ? 'among the trusted witness keys' : 'in keys/witness-keys.json';
        this.warnings.push(
          `the cosignature of witness ${cosig.witnessKeyId} was not checked: its key is not ${where}`,
        );
        continue;
      }
      if (!verifyCosignature(head, cosig, key)) {
        throw new BundleError(`${file}: the cosignature of witness ${cosig.witnessKeyId} is not valid`, file);
      }
      this.checks.push(`tree head cosigned by witness ${cosig.witnessKeyId} at ${cosig.timestamp}`);
      verified++;
    }
    if (verified > 0 && !this.trustedWitness) {
      this.warnings.push(
        'the witness keys were not pinned: they come from the bundle itself; compare the witness key ids with the ones the witnesses publish',
      );
    }
  }

  private async consistency(file: ArchiveFile): Promise<void> {
    const proof = parseAs(consistencyFileSchema, await this.json(file), file.path);
    const previous = this.previous as SignedTreeHead;
    const head = this.head as SignedTreeHead;
    checkConsistency(previous, head, proof, file.path);
    if (previous.timestamp > head.timestamp) {
      this.warnings.push('the previous tree head is dated after the current one');
    }
    this.checks.push(
      `the log only grew since the previous export: tree head of size ${previous.treeSize} (${previous.timestamp}, log key ${previous.keyId}) is a prefix of this one (consistency proof)`,
    );
  }

  private async rangeProof(file: ArchiveFile): Promise<void> {
    const proof = parseAs(rangeProofFileSchema, await this.json(file), file.path);
    const head = this.head as SignedTreeHead;
    if (proof.treeSize !== head.treeSize) {
      throw new BundleError(
        `${file.path} is for a tree of ${proof.treeSize} leaves, the tree head has ${head.treeSize}`,
        file.path,
      );
    }
    try {
      this.range = { proof, verifier: new RangeVerifier(rangeProofFromFile(proof)) };
    } catch (error) {
      throw new BundleError(`${file.path} is malformed (${(error as Error).message})`, file.path);
    }
    this.nextSeq = proof.begin;
    this.lastLeaf = null;
  }

  private async chunkFile(file: ArchiveFile): Promise<void> {
    const index = this.chunks.length + 1;
    const names = chunkPaths(index);
    const range = this.range as { proof: RangeProofFile; verifier: RangeVerifier };
    if (file.path === names.jsonl) {
      const start = {
        index,
        windowStart: this.nextSeq,
        rangeEnd: range.proof.end,
        previousLeaf: this.lastLeaf,
      };
      this.chunk = new ChunkCheck(start, range.verifier);
      await this.chunk.readEvents(file);
      return this.expect([names.csv]);
    }
    const chunk = this.chunk as ChunkCheck;
    if (file.path === names.csv) {
      await chunk.readCsv(file);
      return this.expect([names.omitted]);
    }
    const summary = await chunk.readOmitted(file);
    this.chunks.push(summary);
    this.events += summary.events;
    this.omitted += summary.omitted;
    this.firstSeq ??= chunk.firstSeq;
    this.lastSeq = chunk.lastSeq ?? this.lastSeq;
    this.nextSeq = summary.windowEnd;
    this.lastLeaf = chunk.lastLeaf;
    this.expect([chunkPaths(index + 1).jsonl], true);
  }

  /** After the last content file: every leaf of the range is there and together they give the signed root. */
  private endOfContent(): void {
    if (!this.canEnd) {
      const missing = this.next[0] as string;
      throw new BundleError(`${missing} is missing (the archive reaches manifest.json before it)`, missing);
    }
    if (!this.range) return;
    const { proof, verifier } = this.range;
    if (this.nextSeq !== proof.end) {
      throw new BundleError(
        `the chunks end before seq ${this.nextSeq}, but ${bundlePaths.range} covers the leaves up to seq ${proof.end - 1}`,
        bundlePaths.range,
      );
    }
    if (verifier.finish().toString('hex') !== this.head?.rootHash) {
      throw new BundleError(
        `${bundlePaths.range}: the exported events and omitted leaf hashes do not give the root signed in ${bundlePaths.treeHead} (a leaf was altered, added or removed)`,
        bundlePaths.range,
      );
    }
    this.checks.push(
      `the ${this.events} events and ${this.omitted} omitted leaves are exactly positions ${proof.begin}..${proof.end - 1} of the signed log (the range proof gives the signed root)`,
      `every event is RFC 8785 canonical JSON, a valid catalog entry, in ascending seq order, and its prevHash is the hash of the leaf before it wherever that leaf is in the bundle`,
      'the CSV files match the JSONL events row for row',
    );
  }

  /** The reader got to the end: every header, padding and the end of the archive are canonical. */
  canonicalArchive(): void {
    this.checks.push(
      'the archive is in its one canonical form: each tar header is the one the format defines for its file, padding is zero, and it ends with exactly two zero blocks',
    );
  }

  /** Decides the verdict once the whole archive has been read (priority in the module comment). */
  conclude(): void {
    if (this.manifestBytes === undefined) {
      if (!this.failure) this.endOfContent();
      throw this.failure ?? new BundleError(`${bundlePaths.manifest} is missing`, bundlePaths.manifest);
    }
    const findings: ArchiveFindings = {
      files: this.files,
      failure: this.failure,
      logKeys: this.logKeys,
      trustedLog: this.trustedLog,
      treeSize: this.head?.treeSize,
      counts: { events: this.events, omitted: this.omitted, chunks: this.chunks.length },
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
      chunks: this.chunks,
    };
    checkManifest(this.manifestBytes, this.signatureBytes, findings, {
      checks: this.checks,
      signers: this.signers,
    });
  }

  verdict(error: unknown): BundleVerdict {
    if (!this.trustedLog && this.signers.size > 0) {
      this.warnings.push(
        `the log keys were not pinned (no trusted keys given): the bundle was checked against the keys it carries; compare the key ids ${[...this.signers].join(', ')} with the ones the organisation publishes`,
      );
    }
    const verdict: BundleVerdict = {
      ok: error === null,
      events: this.events,
      omitted: this.omitted,
      logKeyIds: [...this.signers],
      checks: this.checks,
      warnings: this.warnings,
    };
    if (this.head) verdict.treeSize = this.head.treeSize;
    if (error !== null) {
      const known = error instanceof BundleError;
      verdict.reason = known
        ? error.message
        : `internal error while verifying: ${(error as Error)?.message ?? error}`;
      if (known && error.file !== undefined) verdict.file = error.file;
      if (known && error.seq !== undefined) verdict.seq = error.seq;
    }
    return verdict;
  }
}
