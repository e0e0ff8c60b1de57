/**
 * The bundle's container: a POSIX ustar archive (POSIX.1-1988, IEEE Std 1003.1 `pax` "ustar" format) in
 * one strictly canonical form, written and read here. Every byte of such an archive is either a header
 * that is a function of (name, size) alone, member data, zero padding, or the two zero blocks that end
 * it, so a reader that recomputes the headers and requires zeros elsewhere leaves no byte unchecked
 * (member data is covered by the bundle's signed manifest). Standard `tar` extracts it as usual.
 */

import { ArchiveError } from './errors.js';

export const BLOCK_BYTES = 512;
/** The largest member the 11 octal digits of the size field can express (8 GiB − 1). */
export const MAX_MEMBER_BYTES = 0o77777777777;
/** The end of the archive: two zero blocks, and nothing after them. */
export const USTAR_END: Buffer = Buffer.alloc(2 * BLOCK_BYTES);

/** The header fields: name, offset, length. The reader names the first field that differs. */
export const USTAR_FIELDS: readonly (readonly [string, number, number])[] = [
  ['name', 0, 100],
  ['mode', 100, 8],
  ['uid', 108, 8],
  ['gid', 116, 8],
  ['size', 124, 12],
  ['mtime', 136, 12],
  ['chksum', 148, 8],
  ['typeflag', 156, 1],
  ['linkname', 157, 100],
  ['magic', 257, 6],
  ['version', 263, 2],
  ['uname', 265, 32],
  ['gname', 297, 32],
  ['devmajor', 329, 8],
  ['devminor', 337, 8],
  ['prefix', 345, 155],
  ['padding', 500, 12],
];

/** Names are 1 to 100 printable ASCII characters without spaces: they fit the name field, no prefix needed. */
const VALID_NAME = /^[\x21-\x7e]{1,100}$/;
const SIZE_FIELD = /^[0-7]{11}\0$/;

/** The fixed fields of every header, as (offset, text): mode 0644, uid/gid 0, mtime 0, regular file. */
const FIXED: readonly (readonly [number, string])[] = [
  [100, '0000644\0'],
  [108, '0000000\0'],
  [116, '0000000\0'],
  [136, '00000000000\0'],
  [156, '0'],
  [257, 'ustar\0'],
  [263, '00'],
  [329, '0000000\0'],
  [337, '0000000\0'],
];

/** The one header this format allows for a regular file `name` of `size` bytes. */
export function ustarHeader(name: string, size: number): Buffer {
  if (!VALID_NAME.test(name)) {
    throw new RangeError(`ustar name must be 1-100 printable ASCII characters: ${JSON.stringify(name)}`);
  }
  if (!(Number.isSafeInteger(size) && size >= 0 && size <= MAX_MEMBER_BYTES)) {
    throw new RangeError(`ustar member size out of range: ${size}`);
  }
  const header = Buffer.alloc(BLOCK_BYTES);
  header.write(name, 0, 'latin1');
  for (const [offset, text] of FIXED) header.write(text, offset, 'latin1');
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  // The checksum is the sum of the header's bytes with its own field taken as eight spaces.
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return header;
}

/** How many zero bytes follow a member of `size` bytes, up to the next block boundary. */
export function paddingLength(size: number): number {
  return (BLOCK_BYTES - (size % BLOCK_BYTES)) % BLOCK_BYTES;
}

/** The zero bytes that follow a member of `size` bytes. */
export function ustarPadding(size: number): Buffer {
  return Buffer.alloc(paddingLength(size));
}

function isZero(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

/** Pulls bytes from a stream in the amounts the reader asks for, without copying where it can. */
class ByteSource {
  private readonly iterator: AsyncIterator<Buffer | string>;
  private pending: Buffer = Buffer.alloc(0);

  constructor(stream: AsyncIterable<Buffer | string>) {
    this.iterator = stream[Symbol.asyncIterator]();
  }

  /** Up to `max` (≥ 1) of the next bytes; null at the end of the stream. */
  async piece(max: number): Promise<Buffer | null> {
    while (this.pending.length === 0) {
      let result: IteratorResult<Buffer | string>;
      try {
        result = await this.iterator.next();
      } catch (error) {
        throw new ArchiveError(`the archive could not be read (${(error as Error)?.message ?? error})`);
      }
      if (result.done) return null;
      this.pending = Buffer.isBuffer(result.value) ? result.value : Buffer.from(result.value);
    }
    const piece = this.pending.subarray(0, max);
    this.pending = this.pending.subarray(piece.length);
    return piece;
  }

  /** Exactly `length` bytes, or fewer when the stream ends first. */
  async read(length: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < length) {
      const piece = await this.piece(length - have);
      if (piece === null) break;
      parts.push(piece);
      have += piece.length;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, have);
  }

  /** Releases the stream; a failure to do so must not hide the reason the reading stopped. */
  async close(): Promise<void> {
    try {
      await this.iterator.return?.();
    } catch {
      // The stream is being dropped either way.
    }
  }
}

/** One member of the archive: read its data through read() until it returns null. */
export class UstarEntry {
  private remaining: number;

  constructor(
    /** The name as stored in the header. */
    readonly name: string,
    readonly size: number,
    /** The name as the caller wants it in messages. */
    readonly label: string,
    private readonly source: ByteSource,
  ) {
    this.remaining = size;
  }

  /** The next piece of the member's data; null once all of it was read. */
  async read(): Promise<Buffer | null> {
    if (this.remaining === 0) return null;
    const piece = await this.source.piece(this.remaining);
    if (piece === null) throw truncated(`it ends inside ${this.label}`, this.label);
    this.remaining -= piece.length;
    return piece;
  }
}

function truncated(where: string, file?: string): ArchiveError {
  return new ArchiveError(`archive truncated (${where})`, file);
}

function notCanonical(label: string, field: string): ArchiveError {
  return new ArchiveError(`tar header of ${label} is not canonical (field ${field})`, label);
}

/**
 * Checks that a header block is exactly ustarHeader(name, size) for the name and size it states. A
 * single changed byte either changes the name or size (and then the stored checksum no longer matches)
 * or any other byte (which then differs from the canonical header).
 */
function parseHeader(block: Buffer, label: (name: string) => string): { name: string; size: number } {
  const nameEnd = block.indexOf(0);
  const name = block.toString('latin1', 0, nameEnd === -1 || nameEnd > 100 ? 100 : nameEnd);
  const shown = VALID_NAME.test(name) ? label(name) : JSON.stringify(name.slice(0, 60));
  if (!VALID_NAME.test(name)) throw notCanonical(shown, 'name');
  const sizeText = block.toString('latin1', 124, 136);
  if (!SIZE_FIELD.test(sizeText)) throw notCanonical(shown, 'size');
  const size = Number.parseInt(sizeText, 8);
  const canonical = ustarHeader(name, size);
  if (!canonical.equals(block)) {
    // The checksum last: a changed field usually changes it too, and the field is the telling part.
    const differs = ([, offset, length]: readonly [string, number, number]) =>
      !canonical.subarray(offset, offset + length).equals(block.subarray(offset, offset + length));
    const field = USTAR_FIELDS.find((f) => f[0] !== 'chksum' && differs(f));
    throw notCanonical(shown, field?.[0] ?? 'chksum');
  }
  return { name, size };
}

/**
 * The members of a strictly canonical ustar archive, in order. Each member must be consumed (or is
 * skipped) before the next is read. Throws an ArchiveError for any byte out of place: a header that is
 * not canonical, non-zero padding, a wrong end of archive, data after it, or a truncated archive.
 * `label` turns a stored name into the name used in messages.
 */
export async function* readUstar(
  stream: AsyncIterable<Buffer | string>,
  label: (name: string) => string = (name) => name,
): AsyncGenerator<UstarEntry> {
  const source = new ByteSource(stream);
  let previous: string | null = null;
  try {
    for (;;) {
      const after = previous === null ? 'at the start' : `after ${previous}`;
      const block = await source.read(BLOCK_BYTES);
      if (block.length === 0) throw truncated(`no end-of-archive marker ${after}`, previous ?? undefined);
      if (previous === null && block[0] === 0x1f && block[1] === 0x8b) {
        throw new ArchiveError('the file is gzip-compressed: a bundle is a plain (uncompressed) tar archive');
      }
      if (block.length < BLOCK_BYTES) throw truncated(`it ends inside a tar header ${after}`);
      if (isZero(block)) return await readEnd(source, after);
      if (block[0] === 0) {
        throw new ArchiveError(
          `the block ${after} is neither a tar header (it has no name) nor the end-of-archive marker (it is not all zeros)`,
        );
      }
      const { name, size } = parseHeader(block, label);
      const entry = new UstarEntry(name, size, label(name), source);
      yield entry;
      while ((await entry.read()) !== null) {}
      const padding = await source.read(paddingLength(size));
      if (padding.length < paddingLength(size)) {
        throw truncated(`it ends in the padding after ${entry.label}`, entry.label);
      }
      if (!isZero(padding)) throw new ArchiveError(`non-zero padding after ${entry.label}`, entry.label);
      previous = entry.label;
    }
  } finally {
    await source.close();
  }
}

/** After the first zero block: exactly one more, then the end of the stream. */
async function readEnd(source: ByteSource, after: string): Promise<void> {
  const second = await source.read(BLOCK_BYTES);
  if (second.length < BLOCK_BYTES) {
    throw truncated(`the end-of-archive marker ${after} is not two whole zero blocks`);
  }
  if (!isZero(second)) {
    throw new ArchiveError(`the end-of-archive marker ${after} is damaged: its second block is not zero`);
  }
  if ((await source.piece(1)) !== null) throw new ArchiveError('data after the end of the archive');
}
