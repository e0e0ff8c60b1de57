/**
 * Test fixtures for the bundle tests (not a test file itself): a small chained log of valid catalog
 * entries, its Merkle tree and signed heads, bundles written from it, and tools to take a bundle apart
 * and put it back together for tampering tests.
 */

import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { canonicalJson } from '../canonical.js';
import { leafHash, ZERO_HASH_HEX } from '../hash.js';
import { generateSigningKey, publicKeyRecord, signMessage } from '../keys.js';
import { consistencyProof, MemoryTree, rangeProof, rootHash } from '../merkle.js';
import { cosignTreeHead, type SignedTreeHead, signTreeHead } from '../tree-head.js';
import { BUNDLE_ROOT, MANIFEST_DOMAIN } from './format.js';
import { USTAR_END, ustarHeader, ustarPadding } from './ustar.js';
import { type BundleInput, type BundleRow, type WriteBundleOptions, writeBundle } from './writer.js';

export const TENANT = '7f9c1c1e-4a55-4d6b-9a43-2f1f3b0c9d11';
export type SigningKey = ReturnType<typeof generateSigningKey>;

/** The event of seq `seq`: mostly device updates, some denials and sealed data, and cells that test CSV quoting. */
export function makeEvent(seq: number): Record<string, unknown> {
  const second = String(seq % 60).padStart(2, '0');
  const common = {
    v: 1,
    time: `2026-03-0${1 + (seq % 9)}T10:00:${second}.${String(seq % 1000).padStart(3, '0')}Z`,
    outcome: seq % 5 === 4 ? 'denied' : 'allowed',
    actor: {
      kind: 'user',
      id: `user-${seq % 3}`,
      roles: ['operator', 'auditor'],
      tenantId: TENANT,
      onBehalfOf: null,
    },
    resource: { type: 'Device', id: `dev-${seq % 4}`, tenantId: TENANT },
    subject: seq % 2 === 0 ? 'a'.repeat(64) : null,
    purposeOfUse: seq % 2 === 0 ? 'treatment' : null,
    requestId: `req-${seq}`,
    // A hostile user agent: a formula, a comma, quotes and a line break must all survive the CSV.
    source: { ip: '10.0.0.7', userAgent: seq % 3 === 0 ? '=HYPERLINK("http://x","a,b")\nnext' : 'curl/8.5' },
    sealed:
      seq % 2 === 0
        ? {
            alg: 'A256GCM',
            keyRef: 'a'.repeat(64),
            iv: 'AAAAAAAAAAAAAAAA',
            ciphertext: 'c2VjcmV0',
            tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
          }
        : null,
  };
  if (seq % 5 === 4) {
    return {
      ...common,
      type: 'access.denied',
      payload: { permission: 'update:Device', route: '/devices/:id', method: 'PATCH' },
    };
  }
  return { ...common, type: 'device.updated', payload: { changed: ['model'], after: { model: `X-${seq}` } } };
}

export interface Log {
  entries: string[];
  leaves: Buffer[];
  tree: MemoryTree;
  logKey: SigningKey;
  witnessKey: SigningKey;
}

/** A log of `size` chained entries (RFC 8785 JSON, prevHash = leaf hash of the entry before). */
export function makeLog(size: number, logKey: SigningKey = generateSigningKey()): Log {
  const entries: string[] = [];
  const leaves: Buffer[] = [];
  for (let seq = 0; seq < size; seq++) {
    const prevHash = seq === 0 ? ZERO_HASH_HEX : (leaves[seq - 1] as Buffer).toString('hex');
    const entry = canonicalJson({ ...makeEvent(seq), seq, prevHash });
    entries.push(entry);
    leaves.push(leafHash(entry));
  }
  return { entries, leaves, tree: new MemoryTree(leaves), logKey, witnessKey: generateSigningKey() };
}

export async function signedHead(
  log: Log,
  size: number,
  key: SigningKey = log.logKey,
): Promise<SignedTreeHead> {
  const root = await rootHash(log.tree, size);
  const timestamp = new Date(Date.UTC(2026, 2, 10, 12, 0, 0) + size * 1000).toISOString();
  return signTreeHead(
    { treeSize: size, rootHash: root.toString('hex'), timestamp, keyId: key.keyId },
    key.privateKey,
  );
}

export interface BundleSpec {
  /** Which seqs the export's filter selects; default: resource dev-1. */
  select?: (seq: number) => boolean;
  /** Tree size of the exported head; default: the whole log. */
  treeSize?: number;
  previousSize?: number;
  witness?: boolean;
  options?: WriteBundleOptions;
  /** Tweaks the writer input (for error tests). */
  tweak?: (input: BundleInput) => BundleInput;
}

export function bundleInput(
  log: Log,
  head: SignedTreeHead,
  spec: BundleSpec,
  range: BundleInput['range'],
): BundleInput {
  const select = spec.select ?? ((seq: number) => seq % 4 === 1);
  async function* rows(): AsyncGenerator<BundleRow> {
    if (!range) return;
    for (let seq = range.begin; seq < range.end; seq++) {
      const row: BundleRow = { seq, leafHash: log.leaves[seq] as Buffer };
      if (select(seq)) row.entry = log.entries[seq] as string;
      yield row;
    }
  }
  const cosignatures = spec.witness
    ? [cosignTreeHead(head, log.witnessKey.privateKey, log.witnessKey.keyId, '2026-03-10T13:00:00.000Z')]
    : [];
  return {
    exportId: '3d0b8f64-2f44-4d8e-8f39-0c3c4b9a1e20',
    createdAt: '2026-03-10T13:05:00.000Z',
    filter: { resourceId: 'dev-1' },
    period: { from: '2026-03-01T00:00:00.000Z', to: null },
    treeHead: head,
    cosignatures,
    logKeys: [publicKeyRecord(log.logKey.publicKey)],
    witnessKeys: [publicKeyRecord(log.witnessKey.publicKey)],
    range,
    rows: rows(),
    signManifest: (bytes) => ({
      keyId: log.logKey.keyId,
      signature: signMessage(MANIFEST_DOMAIN, bytes, log.logKey.privateKey).toString('base64'),
    }),
  };
}

/** Writes a bundle of `log` and returns its bytes. */
export async function makeBundle(log: Log, spec: BundleSpec = {}): Promise<Buffer> {
  const size = spec.treeSize ?? log.entries.length;
  const head = await signedHead(log, size);
  const select = spec.select ?? ((seq: number) => seq % 4 === 1);
  const selected = Array.from({ length: size }, (_, seq) => seq).filter(select);
  const first = selected[0];
  const last = selected[selected.length - 1];
  const range =
    first === undefined || last === undefined ? null : await rangeProof(log.tree, first, last + 1, size);
  let input = bundleInput(log, head, spec, range);
  if (spec.previousSize !== undefined) {
    const consistency = await consistencyProof(log.tree, spec.previousSize, size);
    input.previous = { treeHead: await signedHead(log, spec.previousSize), consistency };
  }
  if (spec.tweak) input = spec.tweak(input);
  return collect(writeBundle(input, spec.options));
}

export async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

export function streamOf(bytes: Buffer): Readable {
  return Readable.from([bytes]);
}

/** A file of a bundle: its path without the custos-audit-bundle/ prefix and its content (gunzipped if .gz). */
export interface TarFile {
  path: string;
  data: Buffer;
}

/** Where a member lies in an archive: its header, data and padding. */
export interface MemberLayout {
  path: string;
  header: number;
  data: number;
  size: number;
  /** Offset just after its padding (the next header). */
  end: number;
}

/** The members of a bundle archive, read with a minimal parser of its own (name and size only). */
export function layout(bundle: Buffer): MemberLayout[] {
  const members: MemberLayout[] = [];
  for (let at = 0; bundle.subarray(at, at + 512).some((byte) => byte !== 0); ) {
    const nameEnd = bundle.indexOf(0, at);
    const name = bundle.toString('latin1', at, Math.min(nameEnd, at + 100));
    const size = Number.parseInt(bundle.toString('latin1', at + 124, at + 135), 8);
    const end = at + 512 + Math.ceil(size / 512) * 512;
    members.push({ path: name.slice(BUNDLE_ROOT.length + 1), header: at, data: at + 512, size, end });
    at = end;
  }
  return members;
}

/** The files of a bundle, in order, paths without the custos-audit-bundle/ prefix. */
export async function unpack(bundle: Buffer): Promise<TarFile[]> {
  return layout(bundle).map(({ path, data, size }) => {
    const stored = bundle.subarray(data, data + size);
    return { path, data: path.endsWith('.gz') ? gunzipSync(stored) : Buffer.from(stored) };
  });
}

/** A file's bytes as the writer stores them: gzip-compressed (level 1 unless told) for a .gz member. */
export function storedBytes(file: TarFile, gzipLevel = 1): Buffer {
  return file.path.endsWith('.gz') ? gzipSync(file.data, { level: gzipLevel }) : file.data;
}

/** A bundle archive of exactly these files, in this order, in the canonical container. */
export async function repack(files: TarFile[], options: { gzipLevel?: number } = {}): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const file of files) {
    const data = storedBytes(file, options.gzipLevel);
    parts.push(ustarHeader(`${BUNDLE_ROOT}/${file.path}`, data.length), data, ustarPadding(data.length));
  }
  parts.push(USTAR_END);
  return Buffer.concat(parts);
}

/** The bytes of one file. */
export function fileData(files: TarFile[], path: string): Buffer {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} in the bundle`);
  return file.data;
}

/** Replaces the text of one file. */
export function edit(files: TarFile[], path: string, change: (text: string) => string): TarFile[] {
  const index = files.findIndex((f) => f.path === path);
  if (index < 0) throw new Error(`no ${path} in the bundle`);
  return files.map((f, i) =>
    i === index ? { path, data: Buffer.from(change(f.data.toString('utf8')), 'utf8') } : f,
  );
}
