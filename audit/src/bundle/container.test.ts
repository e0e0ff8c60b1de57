import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  layout,
  type MemberLayout,
  makeBundle,
  makeLog,
  repack,
  streamOf,
  type TarFile,
  unpack,
} from './fixture.test-helper.js';
import { BUNDLE_ROOT } from './format.js';
import { ustarHeader } from './ustar.js';
import { type BundleVerdict, verifyBundle } from './verify-bundle.js';

// A small bundle of several chunks: every kind of member (plain, .gz, manifest, signature), each with
// padding, so that every class of byte is there.
const select = (seq: number) => seq % 4 === 1 || seq % 4 === 2;
let bundle: Buffer;
let members: MemberLayout[];
let files: TarFile[];

beforeAll(async () => {
  bundle = await makeBundle(makeLog(12), { select, options: { chunkEvents: 2, chunkOmitted: 2 } });
  members = layout(bundle);
  files = await unpack(bundle);
});

function verify(bytes: Buffer): Promise<BundleVerdict> {
  return verifyBundle(streamOf(bytes));
}

function member(name: string): MemberLayout {
  const found = members.find((m) => m.path === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

/** The bundle with the byte at `at` set to `value`. */
function withByte(at: number, value: number): Buffer {
  const damaged = Buffer.from(bundle);
  damaged[at] = value;
  return damaged;
}

function expectRejected(verdict: BundleVerdict): void {
  expect(verdict.ok).toBe(false);
  expect(verdict.reason).toBeTruthy();
  expect(verdict.reason).not.toMatch(/internal error/);
}

describe('the bundle file is an uncompressed canonical ustar archive', () => {
  it('is exactly the canonical archive of its files: headers, data, zero padding, two zero blocks', async () => {
    expect(members.length).toBeGreaterThan(12);
    expect((await repack(files)).equals(bundle)).toBe(true);
    let at = 0;
    for (const m of members) {
      expect(m.header).toBe(at);
      expect(bundle.subarray(m.header, m.data).equals(ustarHeader(`${BUNDLE_ROOT}/${m.path}`, m.size))).toBe(
        true,
      );
      expect(bundle.subarray(m.data + m.size, m.end).every((byte) => byte === 0)).toBe(true);
      at = m.end;
    }
    expect(bundle.length).toBe(at + 1024);
    expect(bundle.subarray(at).every((byte) => byte === 0)).toBe(true);
  });

  it('rejects the file whichever byte is changed to whichever other value (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(bundle.length - 1), fc.integer({ min: 1, max: 255 }), async (at, delta) => {
        expectRejected(await verify(withByte(at, ((bundle[at] as number) + delta) % 256)));
      }),
      { numRuns: 400 },
    );
  });

  // Every position of the whole file takes about two minutes (run with AUDIT_EXHAUSTIVE=1: all 32,256
  // positions, two new values each, are rejected); by default every position of one of each kind of
  // region: a header, a padding, a whole gzip member, manifest.sig and the end-of-archive marker.
  it('rejects a changed byte at every position of a header, a padding, a gzip member, manifest.sig and the end', async () => {
    const readme = member('README.txt');
    const empty = member('events/events-000002.jsonl.gz');
    const signature = member('manifest.sig');
    const positions = [
      ...range(readme.header, readme.data),
      ...range(readme.data + readme.size, readme.end),
      ...range(empty.header, empty.end),
      ...range(signature.data, signature.end),
      ...range(signature.end, bundle.length),
    ];
    expect(positions.length).toBeGreaterThan(3000);
    expect(await acceptedChanges(positions, 1)).toEqual([]);
  });

  it.runIf(process.env.AUDIT_EXHAUSTIVE === '1')(
    'rejects a changed byte at every position of the file',
    async () => {
      expect(await acceptedChanges(range(0, bundle.length), 2)).toEqual([]);
    },
    600_000,
  );
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** The positions where a changed byte (`values` different new values each) is not rejected. */
async function acceptedChanges(positions: number[], values: 1 | 2): Promise<number[]> {
  const accepted: number[] = [];
  for (const at of positions) {
    const old = bundle[at] as number;
    // A different new value at each position, never the old one; then all bits flipped.
    for (const value of [(old + 1 + ((at * 131) % 255)) % 256, old ^ 0xff].slice(0, values)) {
      const verdict = await verify(withByte(at, value));
      if (verdict.ok || !verdict.reason || /internal error/.test(verdict.reason)) accepted.push(at);
    }
  }
  return accepted;
}

describe('each kind of byte of the bundle file is checked', () => {
  it.each([
    ['mode', 100, '0000755\0'],
    ['uid', 108, '0001750\0'],
    ['mtime', 136, '15000000000\0'],
    ['typeflag', 156, '7'],
    ['magic', 257, 'ustar '],
    ['uname', 265, 'auditor'],
  ])('rejects a header whose %s field differs, even with a correct checksum', async (field, offset, text) => {
    const { header } = member('tree-head.json');
    const damaged = Buffer.from(bundle);
    damaged.write(text, header + offset, 'latin1');
    damaged.fill(0x20, header + 148, header + 156);
    const sum = damaged.subarray(header, header + 512).reduce((a, b) => a + b, 0);
    damaged.write(`${sum.toString(8).padStart(6, '0')}\0 `, header + 148, 'latin1');
    const verdict = await verify(damaged);
    expect(verdict).toMatchObject({ ok: false, file: 'tree-head.json' });
    expect(verdict.reason).toBe(`tar header of tree-head.json is not canonical (field ${field})`);
  });

  it('rejects a header whose checksum alone changed', async () => {
    const { header } = member('manifest.json');
    const verdict = await verify(withByte(header + 150, 0x37 ^ (bundle[header + 150] as number)));
    expect(verdict.reason).toBe('tar header of manifest.json is not canonical (field chksum)');
  });

  it('rejects a non-zero byte in the padding after a member', async () => {
    const csv = member('events/events-000003.csv.gz');
    const verdict = await verify(withByte(csv.end - 1, 0x20));
    expect(verdict).toMatchObject({ ok: false, file: 'events/events-000003.csv.gz' });
    expect(verdict.reason).toBe('non-zero padding after events/events-000003.csv.gz');
  });

  it('rejects anything after the two zero blocks, and a missing or damaged zero block', async () => {
    const appended = await verify(Buffer.concat([bundle, Buffer.of(0)]));
    expect(appended.reason).toBe('data after the end of the archive');
    // What tar writes by default: the archive padded to a 10,240-byte record.
    const record = await verify(Buffer.concat([bundle, Buffer.alloc(10_240 - (bundle.length % 10_240))]));
    expect(record.reason).toBe('data after the end of the archive');
    const oneBlock = await verify(bundle.subarray(0, bundle.length - 512));
    expect(oneBlock.reason).toMatch(/^archive truncated \(the end-of-archive marker after manifest.sig/);
    const noEnd = await verify(bundle.subarray(0, bundle.length - 1024));
    expect(noEnd.reason).toBe('archive truncated (no end-of-archive marker after manifest.sig)');
    const damaged = await verify(withByte(bundle.length - 1, 1));
    expect(damaged.reason).toMatch(/end-of-archive marker after manifest.sig is damaged/);
  });

  it('rejects an archive cut anywhere', async () => {
    for (const cut of [0, 100, 512, 4000, members[6]?.data ?? 0, bundle.length - 1]) {
      const verdict = await verify(bundle.subarray(0, cut));
      expect(verdict.reason).toMatch(/^archive truncated \(/);
    }
  });

  it('rejects a member recompressed at another gzip level: same content, other stored bytes', async () => {
    const recompressed = await repack(files, { gzipLevel: 9 });
    const { data, size } = member('events/events-000001.jsonl.gz');
    const stored = bundle.subarray(data, data + size);
    expect(gzipSync(gunzipSync(stored), { level: 9 }).equals(stored)).toBe(false);
    const verdict = await verify(recompressed);
    expect(verdict).toMatchObject({ ok: false, file: 'events/events-000001.jsonl.gz' });
    expect(verdict.reason).toMatch(
      /^events\/events-000001.jsonl.gz was altered after export: its SHA-256 differs/,
    );
  });

  it('names the member whose gzip data is damaged', async () => {
    const { data, size } = member('events/events-000003.csv.gz');
    // The last eight bytes of a gzip member are the CRC-32 and size of its content.
    const verdict = await verify(withByte(data + size - 8, (bundle[data + size - 8] as number) ^ 1));
    expect(verdict).toMatchObject({ ok: false, file: 'events/events-000003.csv.gz' });
    expect(verdict.reason).toMatch(/events-000003.csv.gz is not a valid gzip file \(incorrect data check\)/);
  });

  it('rejects a bundle compressed as a whole, saying so', async () => {
    const verdict = await verify(gzipSync(bundle));
    expect(verdict.reason).toMatch(/gzip-compressed: a bundle is a plain \(uncompressed\) tar archive/);
  });
});

const exec = promisify(execFile);
const gnuTar = await exec('tar', ['--version']).then(
  ({ stdout }) => stdout.includes('GNU tar'),
  () => false,
);

describe.skipIf(!gnuTar)('the bundle and the system tar', () => {
  let dir: string;
  const names = () => files.map((f) => `${BUNDLE_ROOT}/${f.path}`);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'custos-bundle-'));
    await writeFile(path.join(dir, 'bundle.tar'), bundle);
    await exec('tar', ['-xf', 'bundle.tar'], { cwd: dir });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('extracts with tar, and gunzip decompresses the chunk files', async () => {
    const { stdout } = await exec('tar', ['-tf', 'bundle.tar'], { cwd: dir });
    expect(stdout.trim().split('\n')).toEqual(names());
    for (const file of files) {
      const extracted = path.join(dir, BUNDLE_ROOT, file.path);
      const content = file.path.endsWith('.gz')
        ? (await exec('gunzip', ['-c', extracted], { encoding: 'buffer' })).stdout
        : await readFile(extracted);
      expect(content.equals(file.data)).toBe(true);
    }
  });

  it('rejects an archive that tar re-creates from the extracted files (other headers): auditors keep the original', async () => {
    await exec('tar', ['-cf', 'recreated.tar', BUNDLE_ROOT], { cwd: dir });
    const verdict = await verify(await readFile(path.join(dir, 'recreated.tar')));
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(/^tar header of \S+ is not canonical \(field \w+\)$/);
  });

  it('gets the very same bytes from GNU tar given the canonical metadata and the order of the files', async () => {
    const canonical = [
      ...['--format=ustar', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--mode=0644'],
      ...['--no-recursion', '--blocking-factor=1', '-cf', 'canonical.tar'],
    ];
    await exec('tar', [...canonical, ...names()], { cwd: dir });
    const bytes = await readFile(path.join(dir, 'canonical.tar'));
    expect(bytes.equals(bundle)).toBe(true);
  });
});
