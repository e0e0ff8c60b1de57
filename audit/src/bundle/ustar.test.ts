import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchiveError } from './errors.js';
import { BLOCK_BYTES, readUstar, USTAR_END, ustarHeader, ustarPadding } from './ustar.js';

/** A canonical archive of these members. */
function archive(...members: [string, string][]): Buffer {
  const parts = members.flatMap(([name, text]) => {
    const data = Buffer.from(text, 'latin1');
    return [ustarHeader(name, data.length), data, ustarPadding(data.length)];
  });
  return Buffer.concat([...parts, USTAR_END]);
}

/** The members read back as [name, data], or the ArchiveError's message. */
async function read(bytes: Buffer, pieceSize = 100): Promise<[string, string][] | string> {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += pieceSize) pieces.push(bytes.subarray(at, at + pieceSize));
  const members: [string, string][] = [];
  try {
    for await (const entry of readUstar(Readable.from(pieces))) {
      const parts: Buffer[] = [];
      for (let piece = await entry.read(); piece !== null; piece = await entry.read()) parts.push(piece);
      members.push([entry.name, Buffer.concat(parts).toString('latin1')]);
    }
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    return error.message;
  }
  return members;
}

/** Sets a header field to `text` and makes the checksum right again, so only that field is wrong. */
function withField(header: Buffer, offset: number, text: string): Buffer {
  const block = Buffer.from(header);
  block.write(text, offset, 'latin1');
  block.fill(0x20, 148, 156);
  const sum = block.reduce((a, b) => a + b, 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

describe('ustarHeader', () => {
  it('writes the one canonical header, field by field (the bytes GNU tar writes with fixed metadata)', () => {
    const header = ustarHeader('custos-audit-bundle/README.txt', 6);
    const field = (offset: number, length: number) => header.toString('latin1', offset, offset + length);
    expect(header.length).toBe(512);
    expect(field(0, 100)).toBe(`custos-audit-bundle/README.txt${'\0'.repeat(70)}`);
    expect(field(100, 8)).toBe('0000644\0');
    expect(field(108, 8)).toBe('0000000\0');
    expect(field(116, 8)).toBe('0000000\0');
    expect(field(124, 12)).toBe('00000000006\0');
    expect(field(136, 12)).toBe('00000000000\0');
    // Computed by GNU tar 1.34 for the same file (--format=ustar --mtime=@0 --numeric-owner --owner=0 …).
    expect(field(148, 8)).toBe('014572\0 ');
    expect(field(156, 1)).toBe('0');
    expect(field(157, 100)).toBe('\0'.repeat(100));
    expect(field(257, 6)).toBe('ustar\0');
    expect(field(263, 2)).toBe('00');
    expect(field(265, 64)).toBe('\0'.repeat(64));
    expect(field(329, 8)).toBe('0000000\0');
    expect(field(337, 8)).toBe('0000000\0');
    expect(field(345, 167)).toBe('\0'.repeat(167));
  });

  it('refuses names that do not fit the name field as printable ASCII, and sizes out of range', () => {
    expect(() => ustarHeader('', 0)).toThrow(RangeError);
    expect(() => ustarHeader('a'.repeat(101), 0)).toThrow(RangeError);
    expect(() => ustarHeader('with space', 0)).toThrow(RangeError);
    expect(() => ustarHeader('é', 0)).toThrow(RangeError);
    expect(() => ustarHeader('a', -1)).toThrow(RangeError);
    expect(() => ustarHeader('a', 2 ** 33)).toThrow(RangeError);
    expect(ustarHeader('a'.repeat(100), 2 ** 33 - 1).toString('latin1', 124, 136)).toBe('77777777777\0');
  });

  it('pads to the block boundary', () => {
    expect([0, 1, 511, 512, 513].map((size) => ustarPadding(size).length)).toEqual([0, 511, 1, 0, 511]);
  });
});

describe('readUstar', () => {
  it('reads the members in order, whatever the stream pieces, and skips what the caller leaves unread', async () => {
    const bytes = archive(['a/one', 'hello'], ['a/empty', ''], ['a/block', 'x'.repeat(512)]);
    for (const size of [1, 7, 512, 100_000]) {
      expect(await read(bytes, size)).toEqual([
        ['a/one', 'hello'],
        ['a/empty', ''],
        ['a/block', 'x'.repeat(512)],
      ]);
    }
    const names: string[] = [];
    for await (const entry of readUstar(Readable.from([bytes]))) names.push(entry.name);
    expect(names).toEqual(['a/one', 'a/empty', 'a/block']);
    expect(await read(USTAR_END)).toEqual([]);
  });

  it.each([
    ['mode', 100, '0000755\0'],
    ['uid', 108, '0001750\0'],
    ['mtime', 136, '14707560000\0'],
    ['typeflag', 156, '5'],
    ['linkname', 157, 'target'],
    ['magic', 257, 'ustar '],
    ['version', 263, ' \0'],
    ['uname', 265, 'root'],
    ['devmajor', 329, '\0'],
    ['prefix', 345, 'x'],
    ['padding', 500, 'x'],
  ])('refuses a header whose %s field is not the canonical one', async (field, offset, text) => {
    const bytes = archive(['a/one', 'hello']);
    withField(ustarHeader('a/one', 5), offset, text).copy(bytes, 0);
    expect(await read(bytes)).toBe(`tar header of a/one is not canonical (field ${field})`);
  });

  it('names the checksum, the size or the name when those are what is wrong', async () => {
    const bytes = archive(['a/one', 'hello']);
    bytes[148] = 0x37;
    expect(await read(bytes)).toBe('tar header of a/one is not canonical (field chksum)');
    const size = archive(['a/one', 'hello']);
    size.write('0000000005 ', 124, 'latin1');
    expect(await read(size)).toBe('tar header of a/one is not canonical (field size)');
    const name = archive(['a/one', 'hello']);
    name[2] = 0x01;
    expect(await read(name)).toBe('tar header of "a/\\u0001ne" is not canonical (field name)');
  });

  it('refuses non-zero padding, a damaged or missing end, data after it, and truncation', async () => {
    const bytes = archive(['a/one', 'hello']);
    const padding = Buffer.from(bytes);
    padding[512 + 5] = 0x20;
    expect(await read(padding)).toBe('non-zero padding after a/one');
    const end = Buffer.from(bytes);
    end[end.length - 1] = 1;
    expect(await read(end)).toMatch(/^the end-of-archive marker after a\/one is damaged/);
    expect(await read(Buffer.concat([bytes, Buffer.of(0)]))).toBe('data after the end of the archive');
    expect(await read(bytes.subarray(0, bytes.length - BLOCK_BYTES))).toMatch(/^archive truncated /);
    expect(await read(bytes.subarray(0, 1024))).toBe(
      'archive truncated (no end-of-archive marker after a/one)',
    );
    expect(await read(bytes.subarray(0, 514))).toBe('archive truncated (it ends inside a/one)');
    expect(await read(bytes.subarray(0, 600))).toBe('archive truncated (it ends in the padding after a/one)');
    expect(await read(bytes.subarray(0, 300))).toBe(
      'archive truncated (it ends inside a tar header at the start)',
    );
    expect(await read(Buffer.alloc(0))).toBe('archive truncated (no end-of-archive marker at the start)');
  });

  it('recognises a gzip-compressed file', async () => {
    expect(await read(Buffer.from('1f8b0800000000000003', 'hex'))).toMatch(/gzip-compressed/);
  });

  it('reports a stream that fails as unreadable', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
    });
    await expect(readUstar(failing).next()).rejects.toThrow('the archive could not be read (disk on fire)');
  });

  it('throws nothing but an ArchiveError for any bytes', async () => {
    const bytes = archive(['a/one', 'hello'], ['a/two', 'x'.repeat(600)]);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.nat(bytes.length), async (noise, at) => {
        await read(Buffer.from(noise));
        await read(Buffer.concat([bytes.subarray(0, at), noise]));
      }),
      { numRuns: 200 },
    );
  });
});
