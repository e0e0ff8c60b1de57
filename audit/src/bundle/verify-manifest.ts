/**
 * The last step of bundle verification: the manifest, its signature, and the archive held against them.
 * The manifest arrives last, so these checks run once the stream has been read; they also decide which
 * failure the verdict reports (see verify-bundle.ts): the signature first, then the first file that
 * differs from what was signed, then what the streaming checks found, then the manifest's own figures.
 */

import { canonicalJson } from '../canonical.js';
import { verifyMessage } from '../keys.js';
import {
  bundlePaths,
  type ChunkSummary,
  type FileRecord,
  MANIFEST_DOMAIN,
  type Manifest,
  manifestSchema,
  manifestSignatureSchema,
} from './format.js';
import { BundleError, parseJsonFile } from './reader.js';
import { type KeyRing, parseAs } from './verify-consistency.js';

/** What the streaming pass over the archive found. */
export interface ArchiveFindings {
  /** Every file but manifest.json and manifest.sig, in archive order. */
  files: FileRecord[];
  /** The first inconsistency found while streaming, if any. */
  failure: BundleError | undefined;
  logKeys: KeyRing | undefined;
  trustedLog: KeyRing | undefined;
  treeSize: number | undefined;
  counts: { events: number; omitted: number; chunks: number };
  firstSeq: number | null;
  lastSeq: number | null;
  chunks: ChunkSummary[];
}

/** Where passed checks and the manifest's signing key are reported. */
export interface ManifestReport {
  checks: string[];
  signers: Set<string>;
}

/** Throws the BundleError the verdict should report, or returns when the whole bundle verifies. */
export function checkManifest(
  manifestBytes: Buffer,
  signatureBytes: Buffer | undefined,
  found: ArchiveFindings,
  report: ManifestReport,
): void {
  const manifest = parseManifest(manifestBytes);
  checkSignature(manifestBytes, signatureBytes, found, report);
  compareFiles(manifest.files, found, report);
  if (found.failure) throw found.failure;
  compareFigures(manifest, found, report);
}

function parseManifest(bytes: Buffer): Manifest {
  const value = parseJsonFile(bytes, bundlePaths.manifest);
  const manifest = parseAs(manifestSchema, value, bundlePaths.manifest);
  if (canonicalJson(value) !== bytes.toString('utf8')) {
    throw new BundleError(`${bundlePaths.manifest} is not in RFC 8785 canonical form`, bundlePaths.manifest);
  }
  return manifest;
}

function checkSignature(
  manifestBytes: Buffer,
  signatureBytes: Buffer | undefined,
  found: ArchiveFindings,
  report: ManifestReport,
): void {
  const file = bundlePaths.manifestSig;
  if (signatureBytes === undefined) throw found.failure ?? new BundleError(`${file} is missing`, file);
  const value = parseJsonFile(signatureBytes, file);
  const signature = parseAs(manifestSignatureSchema, value, file);
  if (canonicalJson(value) !== signatureBytes.toString('utf8')) {
    throw new BundleError(`${file} is not in RFC 8785 canonical form`, file);
  }
  const { logKeys, trustedLog } = found;
  if (!logKeys) {
    throw found.failure ?? new BundleError(`${bundlePaths.logKeys} is missing`, bundlePaths.logKeys);
  }
  const key = logKeys.key(signature.keyId);
  if (!key) {
    throw new BundleError(
      `${file} is made with key ${signature.keyId}, which is not in ${bundlePaths.logKeys}`,
      file,
    );
  }
  if (trustedLog && !trustedLog.holds(logKeys, signature.keyId)) {
    throw new BundleError(
      `${file} is made with log key ${signature.keyId}, which is not among the trusted log keys`,
      file,
    );
  }
  if (!verifyMessage(MANIFEST_DOMAIN, manifestBytes, Buffer.from(signature.signature, 'base64'), key)) {
    throw new BundleError(
      `${file}: the signature over ${bundlePaths.manifest} is not valid (manifest.json or manifest.sig was altered)`,
      bundlePaths.manifest,
    );
  }
  report.signers.add(signature.keyId);
  report.checks.push(`${bundlePaths.manifest} signed by log key ${signature.keyId}`);
}

/** Every file, in order, has the size and SHA-256 the signed manifest lists; none missing, none added. */
function compareFiles(listed: FileRecord[], found: ArchiveFindings, report: ManifestReport): void {
  const seen = found.files;
  for (let i = 0; i < Math.max(listed.length, seen.length); i++) {
    const got = seen[i];
    const want = listed[i];
    if (got && want && got.path === want.path) {
      if (got.bytes !== want.bytes || got.sha256 !== want.sha256) throw altered(got.path, found.failure);
      continue;
    }
    if (want && !seen.some((f) => f.path === want.path)) {
      throw new BundleError(
        `${want.path} is listed in the signed ${bundlePaths.manifest} but missing from the archive`,
        want.path,
      );
    }
    if (got && !listed.some((f) => f.path === got.path)) {
      throw new BundleError(
        `${got.path} is in the archive but not in the signed ${bundlePaths.manifest} (added after export)`,
        got.path,
      );
    }
    const detail = found.failure ? `: ${found.failure.message}` : '';
    throw new BundleError(
      `the files are not in the order the signed ${bundlePaths.manifest} lists them${detail}`,
      found.failure?.file ?? got?.path,
      found.failure?.seq,
    );
  }
  report.checks.push(
    `all ${seen.length} files, as stored, have the size and SHA-256 listed in the signed manifest; none missing, none added`,
  );
}

/** A file that differs from the signed manifest, with what the streaming checks found (often the seq). */
function altered(path: string, failure: BundleError | undefined): BundleError {
  const base = `${path} was altered after export: its SHA-256 differs from the one in the signed ${bundlePaths.manifest}`;
  if (failure?.file === path) return new BundleError(`${base}; ${failure.message}`, path, failure.seq);
  if (failure) {
    return new BundleError(`${base} (first inconsistency found: ${failure.message})`, path, failure.seq);
  }
  return new BundleError(base, path);
}

/** The manifest's counts, seqs, chunk windows and tree size are those of the archive. */
function compareFigures(manifest: Manifest, found: ArchiveFindings, report: ManifestReport): void {
  const differs = (what: string, said: unknown, actual: unknown) =>
    new BundleError(
      `${bundlePaths.manifest} says ${what} ${JSON.stringify(said)}, the archive has ${JSON.stringify(actual)}`,
      bundlePaths.manifest,
    );
  if (manifest.treeSize !== found.treeSize) throw differs('tree size', manifest.treeSize, found.treeSize);
  if (canonicalJson(manifest.counts) !== canonicalJson(found.counts)) {
    throw differs('counts', manifest.counts, found.counts);
  }
  if (manifest.firstSeq !== found.firstSeq) throw differs('firstSeq', manifest.firstSeq, found.firstSeq);
  if (manifest.lastSeq !== found.lastSeq) throw differs('lastSeq', manifest.lastSeq, found.lastSeq);
  manifest.chunks.forEach((said, i) => {
    const actual = found.chunks[i] ?? null;
    if (canonicalJson(said) !== canonicalJson(actual)) throw differs(`chunk ${i + 1}`, said, actual);
  });
  if (manifest.chunks.length !== found.chunks.length) {
    throw differs('chunks', manifest.chunks.length, found.chunks.length);
  }
  report.checks.push(
    `the counts, first and last seq and chunk windows match the manifest (export ${manifest.exportId})`,
  );
}
