import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../canonical.js';
import { generateSigningKey, publicKeyRecord, signMessage } from '../keys.js';
import {
  edit,
  fileData,
  makeBundle,
  makeLog,
  repack,
  streamOf,
  type TarFile,
  unpack,
} from './fixture.test-helper.js';
import { MANIFEST_DOMAIN } from './format.js';
import { type BundleVerdict, verifyBundle } from './verify-bundle.js';

const JSONL = 'events/events-000001.jsonl.gz';
const CSV = 'events/events-000001.csv.gz';
const OMITTED = 'proof/omitted-000001.txt.gz';

// Exported: seqs 1, 2, 5, 6, 9, 10, …; omitted: 3, 4, 7, 8, …. So an exported event is followed by an
// exported one (1→2) or by an omitted one (2→3).
const select = (seq: number) => seq % 4 === 1 || seq % 4 === 2;
const log = makeLog(40);
let bundle: Buffer;
let files: TarFile[];

beforeAll(async () => {
  bundle = await makeBundle(log, { select });
  files = await unpack(bundle);
});

function verifyFiles(changed: TarFile[]): Promise<BundleVerdict> {
  return repack(changed).then((bytes) => verifyBundle(streamOf(bytes)));
}

/** Edits the lines (without their newlines) of one file. */
function editLines(path: string, change: (lines: string[]) => string[]): TarFile[] {
  return edit(files, path, (text) =>
    change(text.split('\n').slice(0, -1))
      .map((line) => `${line}\n`)
      .join(''),
  );
}

function lineOf(lines: string[], seq: number): number {
  const index = lines.findIndex((line) => line.startsWith(`${seq},`) || line.includes(`"seq":${seq},`));
  if (index < 0) throw new Error(`no line for seq ${seq}`);
  return index;
}

/** Changes one event (re-canonicalised, so it stays well-formed: only the hashes can tell). */
function changeEvent(seq: number, change: (entry: Record<string, unknown>) => void): TarFile[] {
  return editLines(JSONL, (lines) => {
    const i = lineOf(lines, seq);
    const entry = JSON.parse(lines[i] as string) as Record<string, unknown>;
    change(entry);
    lines[i] = canonicalJson(entry);
    return lines;
  });
}

describe('verifyBundle detects tampering inside the archive', () => {
  it('passes the untouched files repacked (the baseline of every case below)', async () => {
    expect(await verifyFiles(files)).toMatchObject({ ok: true, events: 20, omitted: 18 });
  });

  it('finds a changed event field through the hash chain of the next event', async () => {
    const verdict = await verifyFiles(changeEvent(5, (entry) => Object.assign(entry, { outcome: 'denied' })));
    expect(verdict).toMatchObject({ ok: false, file: JSONL, seq: 6 });
    expect(verdict.reason).toMatch(/altered after export/);
    expect(verdict.reason).toMatch(/prevHash is not the leaf hash of seq 5/);
  });

  it('finds a changed event field whose next leaf is omitted, and names its seq', async () => {
    const verdict = await verifyFiles(
      changeEvent(6, (entry) => Object.assign(entry, { requestId: 'req-forged' })),
    );
    expect(verdict).toMatchObject({ ok: false, file: JSONL, seq: 6 });
    expect(verdict.reason).toMatch(/events-000001.jsonl.gz was altered after export/);
  });

  it('finds a removed event', async () => {
    const verdict = await verifyFiles(
      editLines(JSONL, (lines) => lines.filter((_, i) => i !== lineOf(lines, 9))),
    );
    expect(verdict).toMatchObject({ ok: false, file: JSONL, seq: 9 });
    expect(verdict.reason).toMatch(/seq 9 is missing/);
  });

  it('finds two swapped events', async () => {
    const verdict = await verifyFiles(
      editLines(JSONL, (lines) => {
        const i = lineOf(lines, 5);
        [lines[i], lines[i + 1]] = [lines[i + 1] as string, lines[i] as string];
        return lines;
      }),
    );
    expect(verdict).toMatchObject({ ok: false, file: JSONL, seq: 5 });
    expect(verdict.reason).toMatch(/out of order/);
  });

  it('finds a forged event added in place of an omitted leaf', async () => {
    const forged = canonicalJson({
      ...(JSON.parse(log.entries[3] as string) as object),
      outcome: 'allowed',
      requestId: 'req-forged',
    });
    const withEvent = editLines(JSONL, (lines) => {
      lines.splice(lineOf(lines, 5), 0, forged);
      return lines;
    });
    const both = await verifyFiles(withEvent);
    expect(both).toMatchObject({ ok: false, file: JSONL, seq: 3 });
    expect(both.reason).toMatch(/seq 3 is both exported and listed/);

    // A careful forger also drops the omitted line: the CSV no longer matches and the root would not either.
    const careful = withEvent.map((f) =>
      f.path === OMITTED
        ? { path: OMITTED, data: Buffer.from(f.data.toString().replace(/^3 [0-9a-f]+\n/m, '')) }
        : f,
    );
    const verdict = await verifyFiles(careful);
    expect(verdict).toMatchObject({ ok: false, file: JSONL, seq: 3 });
  });

  it('finds a changed omitted leaf hash', async () => {
    const changed = editLines(OMITTED, (lines) =>
      lines.map((line) => (line.startsWith('3 ') ? `3 ${'cd'.repeat(32)}` : line)),
    );
    const verdict = await verifyFiles(changed);
    expect(verdict).toMatchObject({ ok: false, file: OMITTED });
    expect(verdict.reason).toMatch(/do not give the root/);

    const beforeEvent = editLines(OMITTED, (lines) =>
      lines.map((line) => (line.startsWith('4 ') ? `4 ${'cd'.repeat(32)}` : line)),
    );
    expect(await verifyFiles(beforeEvent)).toMatchObject({ ok: false, file: OMITTED, seq: 5 });
  });

  it('finds an edited manifest', async () => {
    const changed = edit(files, 'manifest.json', (text) =>
      canonicalJson({ ...(JSON.parse(text) as object), filter: { resourceId: 'dev-2' } }),
    );
    const verdict = await verifyFiles(changed);
    expect(verdict).toMatchObject({ ok: false, file: 'manifest.json' });
    expect(verdict.reason).toMatch(/signature over manifest.json is not valid/);
  });

  it('refuses a manifest signed by another key', async () => {
    const other = generateSigningKey();
    const manifest = fileData(files, 'manifest.json');
    const signature = signMessage(MANIFEST_DOMAIN, manifest, other.privateKey).toString('base64');
    const foreign = await verifyFiles(
      edit(files, 'manifest.sig', () => JSON.stringify({ keyId: other.keyId, signature })),
    );
    expect(foreign).toMatchObject({ ok: false, file: 'manifest.sig' });
    expect(foreign.reason).toMatch(/not in keys\/log-keys.json/);

    const claimed = await verifyFiles(
      edit(files, 'manifest.sig', () => JSON.stringify({ keyId: log.logKey.keyId, signature })),
    );
    expect(claimed).toMatchObject({ ok: false, file: 'manifest.json' });
    expect(claimed.reason).toMatch(/signature over manifest.json is not valid/);
  });

  it('finds a changed tree head root', async () => {
    const changed = edit(files, 'tree-head.json', (text) =>
      text.replace(/"rootHash": "[0-9a-f]+"/, `"rootHash": "${'ab'.repeat(32)}"`),
    );
    const verdict = await verifyFiles(changed);
    expect(verdict).toMatchObject({ ok: false, file: 'tree-head.json' });
    expect(verdict.reason).toMatch(/tree head signature is not valid/);
  });

  it('finds a changed range proof', async () => {
    const changed = edit(files, 'proof/range.json', (text) => {
      const proof = JSON.parse(text) as { left: string[] };
      proof.left[0] = 'ef'.repeat(32);
      return JSON.stringify(proof, null, 2);
    });
    const verdict = await verifyFiles(changed);
    expect(verdict).toMatchObject({ ok: false, file: 'proof/range.json' });
    expect(verdict.reason).toMatch(/altered after export.*do not give the root/);
  });

  it('finds a changed CSV cell', async () => {
    const changed = editLines(CSV, (lines) => {
      const i = lineOf(lines, 5);
      lines[i] = (lines[i] as string).replace(',allowed,', ',denied,');
      return lines;
    });
    const verdict = await verifyFiles(changed);
    expect(verdict).toMatchObject({ ok: false, file: CSV, seq: 5 });
    expect(verdict.reason).toMatch(/row of seq 5 does not match/);
  });

  it('finds an event that is not in canonical form', async () => {
    const changed = editLines(JSONL, (lines) => {
      const i = lineOf(lines, 5);
      lines[i] = JSON.stringify(JSON.parse(lines[i] as string), null, 1).replaceAll('\n', '');
      return lines;
    });
    const verdict = await verifyFiles(changed);
    expect(verdict).toMatchObject({ ok: false, file: JSONL, seq: 5 });
    expect(verdict.reason).toMatch(/canonical/);
  });

  it('finds a changed README, a removed file and an added file', async () => {
    const readme = await verifyFiles(edit(files, 'README.txt', (text) => `${text}Trust us.\n`));
    expect(readme).toMatchObject({ ok: false, file: 'README.txt' });

    const removed = await verifyFiles(files.filter((f) => f.path !== 'keys/witness-keys.json'));
    expect(removed).toMatchObject({ ok: false, file: 'keys/witness-keys.json' });
    expect(removed.reason).toMatch(/missing from the archive/);

    const extra = [...files];
    extra.splice(-2, 0, { path: 'events/notes.txt', data: Buffer.from('hello\n') });
    const added = await verifyFiles(extra);
    expect(added).toMatchObject({ ok: false, file: 'events/notes.txt' });
    expect(added.reason).toMatch(/not in the signed manifest.json/);
  });

  it('refuses a bundle signed by a log key that is not among the trusted keys', async () => {
    const other = makeLog(40, generateSigningKey());
    const foreign = await makeBundle(other, { select });
    expect((await verifyBundle(streamOf(foreign))).ok).toBe(true);
    const verdict = await verifyBundle(streamOf(foreign), {
      trustedLogKeys: [publicKeyRecord(log.logKey.publicKey)],
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(/not among the trusted log keys/);
  });
});

describe('verifyBundle on damaged content', () => {
  it('fails whichever byte of whichever file inside the archive is changed', async () => {
    const small = await unpack(
      await makeBundle(makeLog(12), { select, options: { chunkEvents: 2, chunkOmitted: 2 } }),
    );
    const sizes = small.map((f) => f.data.length);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(sizes.reduce((a, b) => a + b) - 1),
        fc.integer({ min: 1, max: 255 }),
        async (at, mask) => {
          let file = 0;
          while (at >= (sizes[file] as number)) at -= sizes[file++] as number;
          const damaged = small.map((f, i) => (i === file ? { ...f, data: Buffer.from(f.data) } : f));
          const data = (damaged[file] as TarFile).data;
          data[at] = (data[at] as number) ^ mask;
          const verdict = await verifyFiles(damaged);
          expect(verdict.ok).toBe(false);
          expect(verdict.reason).toBeTruthy();
        },
      ),
      { numRuns: 200 },
    );
  });
});
