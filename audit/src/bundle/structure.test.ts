import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../canonical.js';
import { signMessage } from '../keys.js';
import {
  edit,
  fileData,
  makeBundle,
  makeLog,
  repack,
  storedBytes,
  streamOf,
  type TarFile,
  unpack,
} from './fixture.test-helper.js';
import { MANIFEST_DOMAIN, type Manifest } from './format.js';
import { ustarHeader, ustarPadding } from './ustar.js';
import { type BundleVerdict, verifyBundle } from './verify-bundle.js';

const log = makeLog(30);
let files: TarFile[];

beforeAll(async () => {
  files = await unpack(await makeBundle(log, { options: { chunkEvents: 3, chunkOmitted: 4 } }));
});

async function verifyFiles(changed: TarFile[]): Promise<BundleVerdict> {
  return verifyBundle(streamOf(await repack(changed)));
}

/**
 * What a buggy exporter would produce: the content changed, and a manifest listing the new file hashes,
 * properly signed by the log key. Only the content checks can catch it.
 */
function resealed(changed: TarFile[], tweak: (manifest: Manifest) => void = () => {}): TarFile[] {
  const manifest = JSON.parse(fileData(changed, 'manifest.json').toString()) as Manifest;
  manifest.files = changed
    .filter((f) => f.path !== 'manifest.json' && f.path !== 'manifest.sig')
    .map((f) => ({
      path: f.path,
      bytes: storedBytes(f).length,
      sha256: createHash('sha256').update(storedBytes(f)).digest('hex'),
    }));
  tweak(manifest);
  const bytes = Buffer.from(canonicalJson(manifest));
  const signature = signMessage(MANIFEST_DOMAIN, bytes, log.logKey.privateKey).toString('base64');
  return changed.map((f) =>
    f.path === 'manifest.json'
      ? { path: f.path, data: bytes }
      : f.path === 'manifest.sig'
        ? { path: f.path, data: Buffer.from(JSON.stringify({ keyId: log.logKey.keyId, signature })) }
        : f,
  );
}

function move(from: number, to: number): TarFile[] {
  const copy = [...files];
  const [file] = copy.splice(from, 1);
  copy.splice(to, 0, file as TarFile);
  return copy;
}

describe('verifyBundle checks the order of the files', () => {
  it('refuses files in the wrong order, after the manifest or after its signature', async () => {
    const csvFirst = files.findIndex((f) => f.path === 'events/events-000001.csv.gz');
    const swapped = await verifyFiles(move(csvFirst, csvFirst - 1));
    expect(swapped).toMatchObject({ ok: false, file: 'events/events-000001.csv.gz' });
    expect(swapped.reason).toMatch(/expected events\/events-000001.jsonl.gz at this point/);

    const sigFirst = await verifyFiles(move(files.length - 1, files.length - 2));
    expect(sigFirst.reason).toMatch(/manifest.sig comes before manifest.json/);

    const late = await verifyFiles([...files, { path: 'notes.txt', data: Buffer.from('x') }]);
    expect(late).toMatchObject({ ok: false, file: 'notes.txt' });
    expect(late.reason).toMatch(/not in the signed manifest.json/);

    const twice = await verifyFiles(
      [...files.slice(0, -1), fileData(files, 'manifest.json'), files.at(-1)].map((f) =>
        Buffer.isBuffer(f) ? { path: 'manifest.json', data: f } : (f as TarFile),
      ),
    );
    expect(twice.reason).toMatch(/manifest.json appears twice/);
  });

  it('refuses a bundle that stops before its last chunk', async () => {
    const cut = files.filter(
      (f) => !f.path.endsWith('000003.csv.gz') && !f.path.endsWith('omitted-000003.txt.gz'),
    );
    const verdict = await verifyFiles(cut);
    expect(verdict.ok).toBe(false);
    expect(verdict.file).toBe('events/events-000003.csv.gz');
  });

  it('refuses directory entries, links and paths outside the bundle folder', async () => {
    const bundle = await repack(files);
    /** A header with `field` (at `offset`) set to `text`, and its checksum made right again. */
    const header = (name: string, size: number, offset: number, text: string) => {
      const block = ustarHeader(name, size);
      block.write(text, offset, 'latin1');
      block.fill(0x20, 148, 156);
      const sum = block.reduce((a, b) => a + b, 0);
      block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      return block;
    };
    const directory = header('custos-audit-bundle/events/', 0, 156, '5');
    const withDirectory = await verifyBundle(streamOf(Buffer.concat([directory, bundle])));
    expect(withDirectory).toMatchObject({ ok: false, file: 'events/' });
    expect(withDirectory.reason).toBe('tar header of events/ is not canonical (field typeflag)');

    const link = header('custos-audit-bundle/x', 0, 156, '2/etc/passwd');
    const withLink = await verifyBundle(streamOf(Buffer.concat([link, bundle])));
    expect(withLink.reason).toBe('tar header of x is not canonical (field typeflag)');

    const outside = Buffer.concat([ustarHeader('elsewhere/x', 1), Buffer.from('x'), ustarPadding(1), bundle]);
    const withOutside = await verifyBundle(streamOf(outside));
    expect(withOutside.reason).toMatch(/the archive holds elsewhere\/x, outside custos-audit-bundle\//);
  });

  it('reports an archive stream that fails while being read', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
    });
    expect((await verifyBundle(failing)).reason).toBe('the archive could not be read (disk on fire)');
  });
});

describe('verifyBundle catches a faulty exporter (a bundle exactly as signed, but wrong)', () => {
  it('passes a resealed but unchanged bundle (the baseline)', async () => {
    expect((await verifyFiles(resealed(files))).ok).toBe(true);
  });

  it('refuses a manifest whose counts, seqs, chunks or tree size do not match the archive', async () => {
    const cases: [(m: Manifest) => void, RegExp][] = [
      [(m) => (m.counts.events += 1), /says counts/],
      [(m) => (m.lastSeq = 25), /says lastSeq/],
      [(m) => ((m.chunks[1] as Manifest['chunks'][number]).windowEnd += 1), /says chunk 2/],
      [(m) => m.chunks.pop(), /says (counts|chunks)/],
      [(m) => (m.treeSize = 31), /says tree size/],
    ];
    for (const [tweak, reason] of cases) {
      const verdict = await verifyFiles(resealed(files, tweak));
      expect(verdict).toMatchObject({ ok: false, file: 'manifest.json' });
      expect(verdict.reason).toMatch(reason);
    }
  });

  it('refuses a manifest that is not canonical JSON, even when signed', async () => {
    const pretty = resealed(files).map((f) =>
      f.path === 'manifest.json'
        ? { ...f, data: Buffer.from(JSON.stringify(JSON.parse(f.data.toString()), null, 1)) }
        : f,
    );
    const bytes = fileData(pretty, 'manifest.json');
    const signature = signMessage(MANIFEST_DOMAIN, bytes, log.logKey.privateKey).toString('base64');
    const signed = edit(pretty, 'manifest.sig', () => JSON.stringify({ keyId: log.logKey.keyId, signature }));
    expect((await verifyFiles(signed)).reason).toMatch(/manifest.json is not in RFC 8785 canonical form/);
  });

  it('refuses omitted leaves out of order, a CSV with a row too many or too few, and an event outside the range', async () => {
    const omitted = 'proof/omitted-000001.txt.gz';
    const swapped = edit(files, omitted, (t) => {
      const lines = t.split('\n');
      [lines[0], lines[1]] = [lines[1] as string, lines[0] as string];
      return lines.join('\n');
    });
    expect((await verifyFiles(resealed(swapped))).reason).toMatch(/seq 2 is missing/);

    const csv = 'events/events-000001.csv.gz';
    const extra = await verifyFiles(resealed(edit(files, csv, (t) => `${t}1,x\r\n`)));
    expect(extra).toMatchObject({ ok: false, file: csv });
    expect(extra.reason).toMatch(/more rows than/);
    const short = await verifyFiles(
      resealed(edit(files, csv, (t) => t.slice(0, t.lastIndexOf('\r\n', t.length - 3) + 2))),
    );
    expect(short.reason).toMatch(/no \(complete\) row for seq/);

    const last = files.filter((f) => f.path.endsWith('.jsonl.gz')).at(-1) as TarFile;
    const beyond = edit(files, last.path, (t) => t.replace(/"seq":(\d+)/, '"seq":31'));
    expect((await verifyFiles(resealed(beyond))).reason).toMatch(/seq 31\) lies beyond the range proof/);
  });
});
