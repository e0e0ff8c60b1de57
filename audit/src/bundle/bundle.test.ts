import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../canonical.js';
import { leafHash } from '../hash.js';
import { generateSigningKey, publicKeyRecord } from '../keys.js';
import { consistencyProof, rangeProof } from '../merkle.js';
import {
  bundleInput,
  collect,
  edit,
  fileData,
  layout,
  makeBundle,
  makeLog,
  repack,
  signedHead,
  streamOf,
  unpack,
} from './fixture.test-helper.js';
import { BUNDLE_README, type Manifest } from './format.js';
import { verifyBundle } from './verify-bundle.js';
import { type BundleInput, writeBundle } from './writer.js';

const log = makeLog(60);
const chunked = { chunkEvents: 3, chunkOmitted: 5 };

async function manifestOf(bundle: Buffer): Promise<Manifest> {
  const files = await unpack(bundle);
  return JSON.parse(fileData(files, 'manifest.json').toString()) as Manifest;
}

describe('writeBundle and verifyBundle', () => {
  it('verifies a bundle it wrote, with the selected events exported and the others omitted', async () => {
    const bundle = await makeBundle(log);
    const verdict = await verifyBundle(streamOf(bundle));
    expect(verdict).toMatchObject({
      ok: true,
      events: 15,
      omitted: 42,
      treeSize: 60,
      logKeyIds: [log.logKey.keyId],
    });
    expect(verdict.reason).toBeUndefined();
    expect(verdict.checks.join('\n')).toMatch(/range proof/);
    expect(verdict.warnings.join('\n')).toMatch(/not pinned/);
  });

  it('lays out the archive as the format says, with a canonical manifest listing every other file', async () => {
    const bundle = await makeBundle(log);
    const files = await unpack(bundle);
    expect(files.map((f) => f.path)).toEqual([
      'README.txt',
      'keys/log-keys.json',
      'keys/witness-keys.json',
      'tree-head.json',
      'proof/range.json',
      'events/events-000001.jsonl.gz',
      'events/events-000001.csv.gz',
      'proof/omitted-000001.txt.gz',
      'manifest.json',
      'manifest.sig',
    ]);
    expect(files[0]?.data.toString()).toBe(BUNDLE_README);
    const manifestBytes = fileData(files, 'manifest.json');
    const manifest = JSON.parse(manifestBytes.toString()) as Manifest;
    expect(canonicalJson(manifest)).toBe(manifestBytes.toString());
    expect(manifest).toMatchObject({
      format: 'custos-audit-bundle/2',
      counts: { events: 15, omitted: 42, chunks: 1 },
      firstSeq: 1,
      lastSeq: 57,
      treeSize: 60,
      chunks: [{ index: 1, windowStart: 1, windowEnd: 58, events: 15, omitted: 42 }],
    });
    expect(manifest.files.map((f) => f.path)).toEqual(files.slice(0, -2).map((f) => f.path));
    const jsonl = fileData(files, 'events/events-000001.jsonl.gz').toString();
    const exported = log.entries.filter((_, seq) => seq % 4 === 1);
    expect(jsonl).toBe(`${exported.join('\n')}\n`);
    const omitted = fileData(files, 'proof/omitted-000001.txt.gz').toString();
    expect(omitted.split('\n')[0]).toBe(`2 ${log.leaves[2]?.toString('hex')}`);
  });

  it('lists in the manifest the size and SHA-256 of each file as stored (the gzip bytes of a .gz member)', async () => {
    const bundle = await makeBundle(log, { options: chunked });
    const manifest = await manifestOf(bundle);
    const members = layout(bundle).slice(0, -2);
    expect(manifest.files).toEqual(
      members.map(({ path, data, size }) => ({
        path,
        bytes: size,
        sha256: createHash('sha256')
          .update(bundle.subarray(data, data + size))
          .digest('hex'),
      })),
    );
    for (const { path, data } of members) {
      const gzipMagic = bundle[data] === 0x1f && bundle[data + 1] === 0x8b;
      expect(gzipMagic).toBe(path.endsWith('.gz'));
    }
  });

  it('writes the same bytes for the same export', async () => {
    expect((await makeBundle(log)).equals(await makeBundle(log))).toBe(true);
  });

  it('splits into chunks at the event and omitted limits, with contiguous windows', async () => {
    const bundle = await makeBundle(log, { options: chunked });
    const manifest = await manifestOf(bundle);
    expect(manifest.chunks.length).toBeGreaterThan(3);
    let start = 1;
    for (const chunk of manifest.chunks) {
      expect(chunk.windowStart).toBe(start);
      expect(chunk.events <= 3 && chunk.omitted <= 5).toBe(true);
      expect(chunk.events === 3 || chunk.omitted === 5 || chunk === manifest.chunks.at(-1)).toBe(true);
      start = chunk.windowEnd;
    }
    expect(start).toBe(58);
    const verdict = await verifyBundle(streamOf(bundle));
    expect(verdict).toMatchObject({ ok: true, events: 15, omitted: 42 });
  });

  it('handles a range that starts at seq 0 and a chunk of omitted leaves only', async () => {
    const select = (seq: number) => seq === 0 || seq === 59;
    const bundle = await makeBundle(log, { select, options: chunked });
    const verdict = await verifyBundle(streamOf(bundle));
    expect(verdict).toMatchObject({ ok: true, events: 2, omitted: 58 });
  });

  it('writes and verifies an empty bundle (no range proof, no chunks)', async () => {
    const bundle = await makeBundle(log, { select: () => false });
    const files = await unpack(bundle);
    expect(files.map((f) => f.path)).not.toContain('proof/range.json');
    const manifest = await manifestOf(bundle);
    expect(manifest).toMatchObject({
      counts: { events: 0, omitted: 0, chunks: 0 },
      firstSeq: null,
      lastSeq: null,
    });
    expect(await verifyBundle(streamOf(bundle))).toMatchObject({ ok: true, events: 0, omitted: 0 });
  });

  it('verifies a previous tree head with its consistency proof', async () => {
    const bundle = await makeBundle(log, { previousSize: 13 });
    const verdict = await verifyBundle(streamOf(bundle));
    expect(verdict.ok).toBe(true);
    expect(verdict.checks.join('\n')).toMatch(/size 13 .* is a prefix/);
  });

  it('fails when the consistency proof does not show that the log only grew', async () => {
    const bundle = await makeBundle(log, { previousSize: 13 });
    const tampered = edit(await unpack(bundle), 'proof/consistency.json', (text) => {
      const proof = JSON.parse(text) as { proof: string[] };
      proof.proof[0] = 'ab'.repeat(32);
      return JSON.stringify(proof);
    });
    const verdict = await verifyBundle(streamOf(await repack(tampered)));
    expect(verdict).toMatchObject({ ok: false, file: 'proof/consistency.json' });
    expect(verdict.reason).toMatch(/consistency proof fails/);
  });

  it('checks witness cosignatures, and only warns about a witness whose key it does not have', async () => {
    const good = await verifyBundle(streamOf(await makeBundle(log, { witness: true })));
    expect(good.ok).toBe(true);
    expect(good.checks.join('\n')).toMatch(new RegExp(`cosigned by witness ${log.witnessKey.keyId}`));

    const trustedWitnessKeys = [publicKeyRecord(generateSigningKey().publicKey)];
    const unknown = await verifyBundle(streamOf(await makeBundle(log, { witness: true })), {
      trustedWitnessKeys,
    });
    expect(unknown.ok).toBe(true);
    expect(unknown.warnings.join('\n')).toMatch(/was not checked/);

    const forged = await makeBundle(log, {
      witness: true,
      tweak: (input) => ({
        ...input,
        cosignatures: input.cosignatures.map((c) => ({ ...c, timestamp: '2026-03-10T13:00:01.000Z' })),
      }),
    });
    const bad = await verifyBundle(streamOf(forged));
    expect(bad).toMatchObject({ ok: false, file: 'tree-head.json' });
    expect(bad.reason).toMatch(/cosignature of witness .* is not valid/);
  });

  it('passes with pinned log keys that hold the signing key, and fails with pinned keys that do not', async () => {
    const bundle = await makeBundle(log);
    const trusted = await verifyBundle(streamOf(bundle), {
      trustedLogKeys: [publicKeyRecord(log.logKey.publicKey)],
    });
    expect(trusted.ok).toBe(true);
    expect(trusted.warnings.join('\n')).not.toMatch(/not pinned/);

    const other = await verifyBundle(streamOf(bundle), {
      trustedLogKeys: [publicKeyRecord(generateSigningKey().publicKey)],
    });
    expect(other.ok).toBe(false);
    expect(other.reason).toMatch(/not among the trusted log keys/);
  });

  it('accepts a previous head signed by a rotated-out key that log-keys.json still lists', async () => {
    const oldKey = generateSigningKey();
    const input = bundleInput(log, await signedHead(log, 60), {}, await rangeProof(log.tree, 1, 58, 60));
    input.logKeys.push(publicKeyRecord(oldKey.publicKey));
    input.previous = {
      treeHead: await signedHead(log, 20, oldKey),
      consistency: await consistencyProof(log.tree, 20, 60),
    };
    const verdict = await verifyBundle(streamOf(await collect(writeBundle(input))));
    expect(verdict.ok).toBe(true);
    expect(verdict.logKeyIds.sort()).toEqual([log.logKey.keyId, oldKey.keyId].sort());
  });
});

describe('writeBundle refuses inconsistent input', () => {
  async function writeError(tweak: (input: BundleInput) => BundleInput): Promise<Error> {
    const error = await makeBundle(log, { tweak }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    if (!error) throw new Error('expected the writer to fail');
    return error;
  }

  function rows(
    input: BundleInput,
    change: (row: { seq: number; leafHash: Buffer; entry?: string }) => unknown,
  ) {
    const original = input.rows;
    return {
      ...input,
      rows: (async function* () {
        for await (const row of original) {
          const changed = change({ ...row });
          if (changed !== null) yield changed as typeof row;
        }
      })(),
    };
  }

  it('refuses an entry whose leaf hash is not the row leaf hash', async () => {
    const error = await writeError((input) =>
      rows(input, (row) =>
        row.seq === 5 ? { ...row, entry: row.entry?.replace('allowed', 'denied') } : row,
      ),
    );
    expect(error.message).toMatch(/entry of seq 5 does not hash to its leaf hash/);
  });

  it('refuses a gap in the rows', async () => {
    const error = await writeError((input) => rows(input, (row) => (row.seq === 7 ? null : row)));
    expect(error.message).toMatch(/expected the row of seq 7, got seq 8/);
  });

  it('refuses rows that stop before the range end', async () => {
    const error = await writeError((input) => rows(input, (row) => (row.seq > 40 ? null : row)));
    expect(error.message).toMatch(/ended at seq 41/);
  });

  it('refuses rows whose leaves do not give the signed root', async () => {
    const error = await writeError((input) => ({
      ...input,
      treeHead: { ...input.treeHead, rootHash: 'ab'.repeat(32) },
    }));
    expect(error.message).toMatch(/not the tree head's/);
  });

  it('refuses an entry that is not JSON, and chunk limits out of bounds', async () => {
    const garbage = 'not json';
    const error = await writeError((input) =>
      rows(input, (row) => (row.seq === 5 ? { ...row, entry: garbage, leafHash: leafHash(garbage) } : row)),
    );
    expect(error.message).toMatch(/entry of seq 5 is not JSON/);
    const limits = await makeBundle(log, { options: { chunkEvents: 0 } }).catch((e: Error) => e);
    expect((limits as Error).message).toMatch(/chunk limits/);
    const level = await makeBundle(log, { options: { gzipLevel: 10 } }).catch((e: Error) => e);
    expect((level as Error).message).toMatch(/gzipLevel must be an integer from 0 to 9/);
  });

  it('stops reading rows when the reader of the bundle goes away', async () => {
    let [read, finished] = [0, false];
    const input = bundleInput(log, await signedHead(log, 60), {}, await rangeProof(log.tree, 1, 58, 60));
    const original = input.rows;
    input.rows = (async function* () {
      try {
        for await (const row of original) {
          read++;
          yield row;
        }
      } finally {
        finished = true;
      }
    })();
    const stream = writeBundle(input, { chunkEvents: 1, gzipLevel: 0 });
    for await (const _ of stream) if (read > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stream.destroyed).toBe(true);
    expect(finished).toBe(true);
    expect(read).toBeLessThan(57);
  });

  it('refuses rows when there is no range', async () => {
    const error = await writeError((input) => ({ ...input, range: null }));
    expect(error.message).toMatch(/range is null/);
  });
});
